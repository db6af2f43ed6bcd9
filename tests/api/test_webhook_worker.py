"""Exactly one event per status change and endpoint, across a Redis outage and a worker killed
mid-delivery (real Redis, a real Celery worker, a real receiver on loopback)."""

import os
import signal
import time

import pytest

from api import tasks
from api.models import ClientEvent, WebhookDelivery
from tests.conftest import start_celery_worker, stop_celery_worker
from tests.factories import VerificationFactory
from tests.notifications.conftest import claim, submit
from tests.notifications.test_broker_down import broker_down

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def start_worker(celery_worker, settings, monkeypatch, loopback_allowed):
    """Starts (and restarts) workers that may deliver to the loopback receiver."""
    stop_celery_worker(celery_worker)  # the default one has not got the settings below
    monkeypatch.setenv("WEBHOOK_ALLOW_PRIVATE_TARGETS", "true")
    monkeypatch.setenv("WEBHOOK_RETRY_SCHEDULE", "1,1,1")
    started = []

    def start():
        log = settings.PRIVATE_MEDIA_ROOT.parent / f"webhook-worker-{len(started)}.log"
        worker = start_celery_worker(settings, log)
        started.append(worker)
        return worker

    yield start
    for worker in started:
        stop_celery_worker(worker)


def wait_until_delivered(count, timeout=60):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if WebhookDelivery.objects.filter(state="delivered").count() >= count:
            return
        time.sleep(0.2)
    pytest.fail(f"not all {count} deliveries were delivered")


def test_a_redis_outage_loses_nothing_and_sends_each_event_once(
    start_worker, customer_of_a, endpoint_of_a, receiver, reviewer
):
    start_worker()
    application = VerificationFactory(user=customer_of_a)

    with broker_down():
        submit(application)  # both commit; queueing their deliveries fails after the commit
        claim(application, reviewer)

    assert WebhookDelivery.objects.filter(state="pending").count() == 2
    assert receiver.received == []

    tasks.deliver_due_webhooks()  # the beat sweep, once the broker is back
    wait_until_delivered(2)
    tasks.deliver_due_webhooks()  # a second sweep finds nothing to send again
    time.sleep(2)

    events = list(ClientEvent.objects.order_by("pk"))
    assert receiver.ids() == [f"evt_{events[0].pk}", f"evt_{events[1].pk}"]


def test_a_worker_killed_mid_delivery_is_followed_by_one_delivery_per_change(
    start_worker, customer_of_a, endpoint_of_a, receiver, reviewer
):
    receiver.answers((200, 4), (200, 0))  # the first answer comes late
    worker = start_worker()
    application = VerificationFactory(user=customer_of_a)

    submit(application)
    receiver.wait_for(1)  # the worker is waiting for the receiver's answer
    os.killpg(worker.pid, signal.SIGKILL)
    worker.wait(timeout=10)
    claim(application, reviewer)  # a change while no worker runs

    start_worker()
    tasks.deliver_due_webhooks()
    wait_until_delivered(2)
    time.sleep(2)

    first, second = ClientEvent.objects.order_by("pk")
    assert WebhookDelivery.objects.count() == 2  # one per change and endpoint
    # The killed attempt's request had reached the receiver: Standard Webhooks receivers dedupe
    # on webhook-id, which is the same on the resend. Nothing else is repeated.
    assert receiver.ids() == [f"evt_{first.pk}", f"evt_{first.pk}", f"evt_{second.pk}"]
