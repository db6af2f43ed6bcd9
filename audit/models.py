from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class AuditEvent(models.Model):
    """One thing a person did with someone's personal data. Rows are only ever added."""

    class Action(models.TextChoices):
        DOCUMENT_VIEWED = "document_viewed", _("Viewed a document")
        CASE_OPENED = "case_opened", _("Opened a case")
        CASE_CLAIMED = "case_claimed", _("Claimed a case")
        CASE_RELEASED = "case_released", _("Released a case")
        CASE_REASSIGNED = "case_reassigned", _("Reassigned a case")
        DOCUMENT_MARKED = "document_marked", _("Marked a document")
        DECISION = "decision", _("Decided a case")
        SIGNAL_ACKNOWLEDGED = "signal_acknowledged", _("Acknowledged a risk signal")
        INQUIRY_LOOKUP = "inquiry_lookup", _("Looked up customers")
        INQUIRY_EXPORT = "inquiry_export", _("Exported customers")
        DATA_EXPORT = "data_export", _("Downloaded own data")
        DATA_ERASED = "data_erased", _("Erased personal data")
        ROLE_CHANGED = "role_changed", _("Changed a login's roles")
        ROLE_PERMISSIONS_CHANGED = "role_permissions_changed", _("Changed what a role may do")
        PASSWORD_SET_BY_STAFF = "password_set_by_staff", _("Set another login's password")
        SCREENING_HIT_RESOLVED = "screening_hit_resolved", _("Resolved a screening hit")

    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    action = models.CharField(max_length=40, choices=Action.choices)
    verification = models.ForeignKey(
        "verification.Verification",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="audit_events",
    )
    subject = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("Whose data it was."),
    )
    # Ids and labels only: never names, numbers or dates of birth.
    detail = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return f"{self.get_action_display()} by {self.actor_id} at {self.created_at:%Y-%m-%d %H:%M}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ValueError("Audit events are append-only.")
        super().save(*args, **kwargs)
