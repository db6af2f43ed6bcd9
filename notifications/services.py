"""Telling customers what happened to their application, on the site and by email."""

import datetime
import logging

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation

from verification.models import Status

from . import content
from .models import Kind, Notification, OutgoingEmail

logger = logging.getLogger(__name__)

# An email that failed this many times is left alone (a bounced address must not loop forever).
MAX_EMAIL_ATTEMPTS = 8


class EmailNotSent(Exception):
    """The mail server refused or was unreachable; the email stays pending for a retry."""


def kind_for(change) -> str | None:
    """Which customer notification a status change makes, if any."""
    if change.old == Status.WITHDRAWN:
        return None  # the customer erased their account: there is nobody to tell
    if change.new == Status.PROVIDED:
        # A claim released back to the queue is internal; the customer hears nothing.
        return Kind.RECEIVED if change.old == Status.DRAFT else None
    if change.new == Status.UNDER_REVIEW:
        # A supplement sent back: received, and still "Under review". A claim says nothing.
        return Kind.RECEIVED if change.old == Status.SUPPLEMENT_REQUESTED else None
    return {
        Status.SUPPLEMENT_REQUESTED: Kind.SUPPLEMENT_REQUESTED,
        Status.PASSED: Kind.PASSED,
        Status.REJECTED: Kind.REJECTED,
        Status.LAPSED: Kind.REVERIFICATION_REQUIRED,
    }.get(change.new)


def notify(change, kind: str) -> Notification | None:
    """Writes the inbox message and its pending email for one status change, once.

    Returns None if this change was already notified.
    """
    verification = change.verification
    key = f"status-change:{change.pk}"
    try:
        with transaction.atomic():  # a savepoint: a duplicate leaves the outer transaction usable
            notification = Notification.objects.create(
                user_id=verification.user_id,
                verification=verification,
                status_change=change,
                kind=kind,
                data=content.snapshot(change, kind),
                event_key=key,
            )
            OutgoingEmail.objects.create(notification=notification, idempotency_key=key)
    except IntegrityError:
        return None
    return notification


def build_email(notification: Notification) -> EmailMultiAlternatives:
    """The email for a notification, in the customer's preferred language."""
    user = notification.user
    with translation.override(user.preferred_language or settings.LANGUAGE_CODE):
        ctx = {**content.context_for(notification, absolute=True), "email": True}
        subject = f"{settings.ACCOUNT_EMAIL_SUBJECT_PREFIX}{ctx['title']}"
        text = render_to_string("notifications/email/message.txt", ctx)
        html = render_to_string("notifications/email/message.html", ctx)
    message = EmailMultiAlternatives(subject, text, to=[user.email])
    message.attach_alternative(html, "text/html")
    return message


def send_email(outgoing_email_id: int) -> bool:
    """Sends one outbox email unless it was sent already; True if this call sent it.

    Raises EmailNotSent when the mail server fails (the row stays pending).
    """
    with transaction.atomic():
        # The row lock makes a task and the sweep (or two deliveries of one task) take turns;
        # whoever comes second sees sent_at and stops. skip_locked: never wait for a sender.
        email = (
            OutgoingEmail.objects.select_for_update(skip_locked=True)
            .filter(pk=outgoing_email_id, sent_at__isnull=True)
            .first()
        )
        if email is None:
            return False
        notification = Notification.objects.select_related("user", "verification").get(
            pk=email.notification_id
        )
        email.attempts += 1
        try:
            build_email(notification).send()
        except Exception as exc:  # SMTP errors come in many classes; the row records which
            email.last_error = type(exc).__name__[:200]
            email.save(update_fields=["attempts", "last_error"])
            failed = True
        else:
            email.sent_at = timezone.now()
            email.last_error = ""
            email.save(update_fields=["attempts", "sent_at", "last_error"])
            failed = False
    if failed:
        raise EmailNotSent(f"email {outgoing_email_id}")
    return True


def send_unsent_emails(*, older_than_seconds: int = 60) -> int:
    """Sends outbox emails left pending (the broker was down, or the mail server failed);
    returns how many were sent now."""
    cutoff = timezone.now() - datetime.timedelta(seconds=older_than_seconds)
    pending = OutgoingEmail.objects.filter(
        sent_at__isnull=True, created_at__lte=cutoff, attempts__lt=MAX_EMAIL_ATTEMPTS
    ).values_list("pk", flat=True)
    sent = 0
    for pk in list(pending[:500]):
        try:
            sent += send_email(pk)
        except EmailNotSent:
            logger.warning("Outbox sweep: email %s not sent, will try again", pk)
    return sent


def mark_read(notification: Notification) -> None:
    """Marks one inbox message read (reading it twice keeps the first time)."""
    if notification.read_at is None:
        Notification.objects.filter(pk=notification.pk, read_at__isnull=True).update(
            read_at=timezone.now()
        )
        notification.read_at = timezone.now()


def mark_all_read(user) -> int:
    """Marks every unread message of `user` read; returns how many."""
    return Notification.objects.filter(user=user).unread().update(read_at=timezone.now())
