"""How clients hear of a status change: registered with verification.status in
ApiConfig.ready(). The handler runs inside change_status's transaction, so each client's event
and each endpoint's delivery row commit with the change or not at all (an outbox). Delivery is
queued after the commit; what the broker never got is picked up by the sweep
(api.tasks.deliver_due_webhooks)."""

import logging
from functools import partial

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from verification.models import Status

from . import applicants
from .models import ApiClient, ClientEvent, EventType, WebhookDelivery, WebhookEndpoint

logger = logging.getLogger(__name__)


def event_type_for(change) -> str | None:
    """The webhook event a status change makes, or None (a withdrawal after an erasure)."""
    if Status.WITHDRAWN in (change.old, change.new):
        return None
    return {
        Status.PROVIDED: EventType.SUBMITTED,
        Status.UNDER_REVIEW: EventType.UNDER_REVIEW,
        Status.SUPPLEMENT_REQUESTED: EventType.ACTION_REQUIRED,
        Status.PASSED: EventType.PASSED,
        Status.REJECTED: EventType.REJECTED,
        Status.LAPSED: EventType.LAPSED,
    }.get(change.new)


def clients_of(user) -> list[ApiClient]:
    """Every active client that sees this customer (see applicants.customers_of)."""
    linked = Q(customers__user=user)
    if user.sales_group_id is not None:
        linked |= Q(sales_group_id=user.sales_group_id)
    clients = ApiClient.objects.filter(linked, active=True).distinct().order_by("pk")
    return [c for c in clients if applicants.customers_of(c).filter(pk=user.pk).exists()]


def on_status_change(change) -> None:
    """Writes one event per client of the customer and one delivery per subscribed endpoint."""
    event_type = event_type_for(change)
    if event_type is None:
        return
    verification = change.verification
    user = verification.user
    now = timezone.now()
    delivery_ids = []
    for client in clients_of(user):
        event, created = ClientEvent.objects.get_or_create(
            client=client,
            status_change=change,
            defaults={
                "user": user,
                "type": event_type,
                "data": applicants.applicant_data(client, user, verification),
            },
        )
        if not created:
            continue
        for endpoint in WebhookEndpoint.objects.filter(client=client, active=True):
            if endpoint.wants(event_type):
                delivery = WebhookDelivery.objects.create(
                    event=event, endpoint=endpoint, next_attempt_at=now
                )
                delivery_ids.append(delivery.pk)
    for delivery_id in delivery_ids:
        transaction.on_commit(partial(queue_delivery, delivery_id), robust=True)


def queue_delivery(delivery_id: int, countdown: float | None = None) -> None:
    """Hands one delivery to Celery; with the broker down it waits for the sweep."""
    from . import tasks

    try:
        tasks.deliver_webhook.apply_async((delivery_id,), countdown=countdown)
    except Exception as exc:
        # After the commit nothing may fail the customer's action; the row is still pending.
        logger.warning(
            "Webhook delivery %s left for the sweep: %s", delivery_id, type(exc).__name__
        )
