from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ErasureRequest(models.Model):
    """A customer's request to delete their data, and what was deleted and kept (counts only)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="erasure_requests"
    )
    requested_at = models.DateTimeField(auto_now_add=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    deleted_applications = models.PositiveIntegerField(default=0)
    deleted_images = models.PositiveIntegerField(default=0)
    # Submitted applications stay, without personal details, as the KYC record the retention
    # rules require; those still open are withdrawn first (counted in both).
    kept_applications = models.PositiveIntegerField(default=0)
    withdrawn_applications = models.PositiveIntegerField(default=0)
    # When the kept records were deleted, KYC_RECORD_RETENTION_DAYS after the erasure.
    records_purged_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-requested_at"]
        verbose_name = _("erasure request")

    def __str__(self):
        return f"Erasure request #{self.pk} of user #{self.user_id}"
