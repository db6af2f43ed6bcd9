"""How notifications hear of a status change: registered with verification.status in
NotificationsConfig.ready(), so verification never imports notifications.

The handler runs inside change_status's transaction, so the inbox message and its outbox email
commit with the change or not at all; the email is handed to Celery only after the commit, and
one the broker never got is sent by the outbox sweep (notifications.tasks.send_unsent_emails).
"""

import logging
from functools import partial

from django.db import transaction
from django.utils import timezone
from kombu.exceptions import OperationalError as BrokerUnavailable

from verification.models import Status

from . import reverification, services, tasks

logger = logging.getLogger(__name__)


def on_status_change(change) -> None:
    """Called inside the status transition's transaction for every StatusChange row.

    Records a pass's validity, writes the inbox message and its outbox email, and queues the
    email for after the commit.
    """
    verification = change.verification
    if change.new == Status.PASSED:
        # Only valid_until: the status field is saved by change_status alone.
        verification.valid_until = reverification.valid_until_for(
            verification.expiry_date, timezone.localdate(change.created_at)
        )
        verification.save(update_fields=["valid_until"])
    kind = services.kind_for(change)
    if kind is None:
        return
    notification = services.notify(change, kind)
    if notification is not None:
        transaction.on_commit(partial(queue_email, notification.email.pk), robust=True)


def queue_email(outgoing_email_id: int) -> None:
    """Hands one email to Celery; with the broker down it stays pending for the sweep."""
    try:
        tasks.send_email.delay(outgoing_email_id)
    except BrokerUnavailable:
        logger.warning("Broker unavailable: email %s left for the outbox sweep", outgoing_email_id)
    except Exception as exc:
        # Runs after the commit: the customer's action already succeeded and the outbox row
        # guarantees a later send, so nothing here may turn it into an error page. (With inline
        # tasks a mail server failure surfaces here.)
        logger.warning(
            "Email %s left for the outbox sweep: %s", outgoing_email_id, type(exc).__name__
        )
