"""Celery tasks: ids in; the work happens in api.webhooks."""

from celery import shared_task

from . import webhooks


@shared_task(soft_time_limit=120, time_limit=150)
def deliver_webhook(delivery_id: int) -> str:
    return webhooks.attempt_delivery(delivery_id)


@shared_task(soft_time_limit=600, time_limit=660)
def deliver_due_webhooks() -> int:
    """Beat: retries whose time has come, and deliveries the broker never got."""
    from .events import queue_delivery

    due = webhooks.due_delivery_ids()
    for delivery_id in due:
        queue_delivery(delivery_id)
    return len(due)
