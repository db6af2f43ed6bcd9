"""Celery tasks: ids in, nothing personal out; the work happens in notifications' domain code."""

from celery import shared_task
from django.utils import timezone

from . import reverification, services


@shared_task(
    autoretry_for=(services.EmailNotSent,),
    retry_backoff=30,
    retry_backoff_max=1800,
    max_retries=5,
    soft_time_limit=60,
    time_limit=90,
)
def send_email(outgoing_email_id: int) -> None:
    services.send_email(outgoing_email_id)


@shared_task(soft_time_limit=600, time_limit=660)
def send_unsent_emails() -> int:
    """Beat: sends emails whose queueing failed, e.g. because the broker was down."""
    return services.send_unsent_emails()


@shared_task(soft_time_limit=1800, time_limit=1900)
def mark_lapsed_verifications() -> int:
    """Beat, daily: passes that stopped counting become "Re-verification required"."""
    return reverification.lapse_due(timezone.localdate())
