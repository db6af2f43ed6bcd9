"""Webhooks to a real receiver on loopback: Standard Webhooks signatures checked with the
package's own verifier, retries on 500 and timeouts, order per applicant, rotation, the
delivery log and resend. Tasks run inline here; tests/api/test_webhook_worker.py uses a worker."""

import datetime

import pytest
from django.core import mail
from django.utils import timezone
from standardwebhooks.webhooks import Webhook, WebhookVerificationError

from api import services, tasks, webhooks
from api.models import ClientEvent, WebhookAttempt, WebhookDelivery
from tests.factories import UserFactory, VerificationFactory
from tests.notifications.conftest import claim, decide, submit
from verification.status import change_status

pytestmark = pytest.mark.django_db


@pytest.fixture
def inline(django_capture_on_commit_callbacks):
    """Runs what is queued after commit (the delivery tasks), as a worker would."""

    def run(action, *args, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return action(*args, **kwargs)

    return run


def make_due():
    WebhookDelivery.objects.filter(state="pending").update(next_attempt_at=timezone.now())


def sweep(inline):
    make_due()
    return inline(tasks.deliver_due_webhooks)


def test_a_status_change_is_delivered_signed_with_the_api_fields(
    shop_a, customer_of_a, endpoint_of_a, receiver, inline
):
    endpoint, secret = endpoint_of_a
    application = VerificationFactory(user=customer_of_a)

    inline(submit, application)

    (got,) = receiver.wait_for(1)
    payload = Webhook(secret).verify(got.body, got.headers)
    event = ClientEvent.objects.get()
    assert got.headers["webhook-id"] == f"evt_{event.pk}"
    assert payload["type"] == "applicant.submitted"
    assert payload["data"] == shop_a.get("/api/v1/applicants/A-100").json() | {
        "updated_at": payload["data"]["updated_at"]
    }
    assert set(payload) == {"type", "timestamp", "data"}
    with pytest.raises(WebhookVerificationError):
        Webhook(services.new_webhook_secret()).verify(got.body, got.headers)
    with pytest.raises(WebhookVerificationError):
        Webhook(secret).verify(got.body.replace(b"A-100", b"A-101"), got.headers)
    delivery = WebhookDelivery.objects.get()
    assert (delivery.state, delivery.attempts) == ("delivered", 1)
    attempt = delivery.attempt_log.get()
    assert (attempt.succeeded, attempt.response_code, attempt.response_body) == (True, 200, "ok")


def test_each_change_makes_one_event_per_endpoint_and_repeats_make_none(
    shop_a, customer_of_a, endpoint_of_a, receiver, inline
):
    second, _secret = services.add_endpoint(shop_a.client, receiver.url + "?second")
    application = VerificationFactory(user=customer_of_a)

    inline(submit, application)
    inline(submit, application)  # a repeated request: a no-op status change

    assert ClientEvent.objects.count() == 1
    assert WebhookDelivery.objects.filter(endpoint=second).count() == 1
    assert WebhookDelivery.objects.count() == 2
    receiver.wait_for(2)
    assert len(set(receiver.ids())) == 1  # one event, the same webhook-id at both endpoints


def test_an_endpoint_gets_only_the_events_it_chose(
    shop_a, customer_of_a, receiver, loopback_allowed, reviewer, inline
):
    _endpoint, secret = services.add_endpoint(
        shop_a.client, receiver.url, events=["applicant.passed"]
    )
    application = VerificationFactory(user=customer_of_a)

    inline(submit, application)
    inline(claim, application, reviewer)
    inline(decide, application, reviewer, "pass")

    (got,) = receiver.wait_for(1)
    payload = Webhook(secret).verify(got.body, got.headers)
    assert payload["type"] == "applicant.passed"
    assert payload["data"]["valid_until"] and payload["data"]["passed_at"]
    assert ClientEvent.objects.count() == 3  # the polling list still has every change


def test_another_clients_endpoint_hears_nothing(
    shop_a, shop_b, customer_of_a, receiver, loopback_allowed, inline
):
    services.add_endpoint(shop_b.client, receiver.url)

    inline(submit, VerificationFactory(user=customer_of_a))

    assert receiver.received == []
    assert not WebhookDelivery.objects.exists()


def test_a_500_is_retried_with_backoff_until_it_is_delivered(
    customer_of_a, endpoint_of_a, receiver, inline
):
    receiver.answers((500, 0), (500, 0), (200, 0))
    receiver.answer_body = b"x" * 5000

    inline(submit, VerificationFactory(user=customer_of_a))

    delivery = WebhookDelivery.objects.get()
    assert (delivery.state, delivery.attempts) == ("pending", 1)
    assert delivery.next_attempt_at > timezone.now()  # backoff: not due yet
    assert inline(tasks.deliver_due_webhooks) == 0
    sweep(inline)
    sweep(inline)

    delivery.refresh_from_db()
    assert (delivery.state, delivery.attempts) == ("delivered", 3)
    codes = list(delivery.attempt_log.values_list("response_code", flat=True))
    assert codes == [500, 500, 200]
    assert all(len(a.response_body) <= 1024 for a in WebhookAttempt.objects.all())
    assert len(receiver.received) == 3 and len(set(receiver.ids())) == 1


def test_a_timeout_is_retried(customer_of_a, endpoint_of_a, receiver, inline, settings):
    settings.WEBHOOK_TIMEOUT_SECONDS = 1
    receiver.answers((200, 2.5), (200, 0))

    inline(submit, VerificationFactory(user=customer_of_a))

    delivery = WebhookDelivery.objects.get()
    first = delivery.attempt_log.get()
    assert delivery.state == "pending"
    assert first.response_code is None and "imeout" in first.error
    sweep(inline)
    delivery.refresh_from_db()
    assert delivery.state == "delivered"


def test_the_default_schedule_retries_for_more_than_a_day():
    from django.conf import settings

    assert sum(settings.WEBHOOK_RETRY_SCHEDULE) >= 24 * 3600


def test_after_the_schedule_the_endpoint_is_failing_and_supervisors_are_told(
    customer_of_a, endpoint_of_a, receiver, inline, supervisor, settings
):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    receiver.answers((503, 0))

    inline(submit, VerificationFactory(user=customer_of_a))
    for _ in range(len(settings.WEBHOOK_RETRY_SCHEDULE)):
        sweep(inline)

    delivery = WebhookDelivery.objects.get()
    endpoint = delivery.endpoint
    endpoint.refresh_from_db()
    assert (delivery.state, delivery.attempts) == ("failed", 4)
    assert endpoint.failing_since is not None
    told = [m for m in mail.outbox if m.to == [supervisor.email]]
    assert len(told) == 1 and "failing" in told[0].subject
    assert customer_of_a.email not in told[0].body
    sweep(inline)  # nothing left to try; supervisors are told once
    assert len([m for m in mail.outbox if m.to == [supervisor.email]]) == 1
    assert len(receiver.received) == 4


def test_events_of_one_applicant_arrive_in_order(
    customer_of_a, endpoint_of_a, receiver, reviewer, inline
):
    receiver.answers((500, 0), (200, 0))
    application = VerificationFactory(user=customer_of_a)

    inline(submit, application)  # fails once, waits for its retry
    inline(claim, application, reviewer)  # must wait behind it
    assert len(receiver.received) == 1
    sweep(inline)

    types = [r.body.split(b'"type":"')[1].split(b'"')[0] for r in receiver.received]
    assert types == [b"applicant.submitted", b"applicant.submitted", b"applicant.under_review"]
    assert set(WebhookDelivery.objects.values_list("state", flat=True)) == {"delivered"}


def test_rotation_signs_with_both_secrets_during_the_grace_period(
    customer_of_a, endpoint_of_a, receiver, reviewer, inline
):
    endpoint, old = endpoint_of_a
    new = services.rotate_secret(endpoint.pk, grace=datetime.timedelta(hours=1))
    application = VerificationFactory(user=customer_of_a)

    inline(submit, application)
    during = receiver.wait_for(1)[0]
    assert len(during.headers["webhook-signature"].split(" ")) == 2
    Webhook(old).verify(during.body, during.headers)
    Webhook(new).verify(during.body, during.headers)

    endpoint.refresh_from_db()
    endpoint.previous_secret_until = timezone.now() - datetime.timedelta(seconds=1)
    endpoint.save()
    inline(claim, application, reviewer)
    after = receiver.wait_for(2)[1]
    Webhook(new).verify(after.body, after.headers)
    with pytest.raises(WebhookVerificationError):
        Webhook(old).verify(after.body, after.headers)


def test_private_addresses_are_refused_unless_allowed(
    customer_of_a, endpoint_of_a, receiver, inline, settings
):
    settings.WEBHOOK_ALLOW_PRIVATE_TARGETS = False
    endpoint, _secret = endpoint_of_a
    endpoint.url = receiver.url.replace("http://", "https://")
    endpoint.save()

    inline(submit, VerificationFactory(user=customer_of_a))

    attempt = WebhookAttempt.objects.get()
    assert receiver.received == []
    assert "private or reserved" in attempt.error
    for url in ("https://10.0.0.8/x", "https://[::1]/x", "https://169.254.169.254/latest"):
        assert "private" in webhooks.post(url, "{}", {}).error


def test_resend_from_the_delivery_log(customer_of_a, endpoint_of_a, receiver, inline, supervisor):
    from django.test import Client

    inline(submit, VerificationFactory(user=customer_of_a))
    delivery = WebhookDelivery.objects.get()
    admin = Client()
    admin.force_login(supervisor)

    log = admin.get(f"/admin/api/webhookdelivery/{delivery.pk}/change/")
    resent = admin.post(
        "/admin/api/webhookdelivery/",
        {"action": "resend", "_selected_action": [delivery.pk]},
    )

    assert log.status_code == 200 and b"200" in log.content
    assert resent.status_code == 302
    assert len(receiver.received) == 2 and len(set(receiver.ids())) == 1
    assert delivery.attempt_log.count() == 2


def test_a_change_rolled_back_sends_nothing(customer_of_a, endpoint_of_a, receiver, inline):
    from django.db import transaction

    application = VerificationFactory(user=customer_of_a)

    with pytest.raises(RuntimeError), transaction.atomic():
        change_status(application.pk, "provided", actor=customer_of_a)
        raise RuntimeError("the request failed after the change")

    assert not ClientEvent.objects.exists() and receiver.received == []


@pytest.mark.django_db(transaction=True)
def test_a_delivery_in_progress_does_not_hold_back_another_applicants(
    shop_a, endpoint_of_a, receiver, outsider
):
    """Two deliveries to one endpoint at once: the lock covers the delivery's row only."""
    import threading

    from django.db import connection

    from .conftest import attach

    if connection.vendor != "postgresql":
        pytest.skip("row locks need PostgreSQL")
    first_customer, second_customer = UserFactory(), outsider
    attach(shop_a, first_customer, "A-1")
    attach(shop_a, second_customer, "A-2")
    submit(VerificationFactory(user=first_customer))
    submit(VerificationFactory(user=second_customer))
    WebhookDelivery.objects.update(state="pending", attempts=0)
    first, second = WebhookDelivery.objects.order_by("pk")
    receiver.answers((200, 0), (200, 0), (200, 3), (200, 0))  # the third is slow

    def deliver_first():
        webhooks.attempt_delivery(first.pk)  # holds its lock while the receiver takes 3 s
        connection.close()

    holder = threading.Thread(target=deliver_first)
    holder.start()
    receiver.wait_for(3)
    outcome = webhooks.attempt_delivery(second.pk)
    holder.join()

    assert outcome == "delivered"
