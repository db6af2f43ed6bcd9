"""The customer's inbox on the site, and the outbox that makes sure each email leaves once."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Kind(models.TextChoices):
    """The events a customer is told about, on the site and by email."""

    RECEIVED = "received", _("Application received")
    SUPPLEMENT_REQUESTED = "supplement_requested", _("Supplement requested")
    PASSED = "passed", _("Real-name authentication passed")
    REJECTED = "rejected", _("Real-name authentication rejected")
    REVERIFICATION_REQUIRED = "reverification_required", _("Re-verification required")


class NotificationQuerySet(models.QuerySet):
    def unread(self):
        return self.filter(read_at__isnull=True)


class Notification(models.Model):
    """One message in a customer's inbox, made for one status change."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    verification = models.ForeignKey(
        "verification.Verification", on_delete=models.CASCADE, related_name="notifications"
    )
    status_change = models.ForeignKey(
        "verification.StatusChange",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="notifications",
    )
    kind = models.CharField(max_length=32, choices=Kind.choices)
    # What the message shows, captured when the event happened (later changes to the
    # application must not rewrite an old message): item codes, reason codes, dates.
    data = models.JSONField(default=dict, blank=True)
    # One message per event: "status-change:<pk>".
    event_key = models.CharField(max_length=80, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)

    objects = NotificationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["user", "read_at"])]

    def __str__(self):
        return f"{self.get_kind_display()} for verification #{self.verification_id}"

    @property
    def is_read(self) -> bool:
        return self.read_at is not None


class OutgoingEmail(models.Model):
    """The email for one event. Written in the event's transaction, so a broker outage loses
    nothing (the sweep sends what is left); `sent_at` under a row lock stops a second send."""

    notification = models.OneToOneField(
        Notification, on_delete=models.CASCADE, related_name="email"
    )
    # Unique in the database: a retried or duplicated event cannot queue a second email.
    idempotency_key = models.CharField(max_length=80, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True, db_index=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    # The exception class only: never the address or the message text.
    last_error = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self):
        return f"Email {self.idempotency_key} ({'sent' if self.sent_at else 'pending'})"
