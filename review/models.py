from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _


class Holiday(models.Model):
    """A day nobody reviews: the SLA clock skips it like a weekend."""

    date = models.DateField(_("date"), unique=True)
    name = models.CharField(_("name"), max_length=100)

    class Meta:
        ordering = ["date"]
        verbose_name = _("holiday")
        verbose_name_plural = _("holidays")

    def __str__(self):
        return f"{self.date:%Y-%m-%d} {self.name}"


class PeakPeriod(models.Model):
    """A busy stretch (e.g. a machine sales launch): submissions in it get extra working days."""

    name = models.CharField(_("name"), max_length=100)
    start_date = models.DateField(_("first day"))
    end_date = models.DateField(_("last day"))
    extra_working_days = models.PositiveSmallIntegerField(
        _("extra working days"),
        default=1,
        help_text=_("Added to the one working day promised for submissions in this period."),
    )

    class Meta:
        ordering = ["-start_date"]
        verbose_name = _("peak period")
        verbose_name_plural = _("peak periods")

    def __str__(self):
        return f"{self.name} ({self.start_date:%Y-%m-%d} – {self.end_date:%Y-%m-%d})"

    def clean(self):
        if self.start_date and self.end_date and self.end_date < self.start_date:
            raise ValidationError({"end_date": _("The last day cannot be before the first day.")})


class RejectionReason(models.TextChoices):
    """The fixed reasons a reviewer picks from; customers read the same labels."""

    INCONSISTENT = "inconsistent", _("Information inconsistent with the document")
    UNREADABLE = "unreadable", _("Document blurry or unreadable")
    EXPIRED = "expired", _("Document expired")
    TYPE_NOT_ACCEPTED = "type_not_accepted", _("Document type not accepted")
    SUPPORTING_MISSING = "supporting_missing", _("Supporting document missing")
    HOLDING_PHOTO = "holding_photo", _("Photo holding the document missing or not matching")
    RISK = "risk", _("Abnormal activity / risk control")
    OTHER = "other", _("Other")


# Fields a reviewer may ask the customer to correct in a supplement request.
CORRECTABLE_FIELDS = {
    "surname": _("Surname"),
    "given_names": _("Given names"),
    "sex": _("Sex"),
    "date_of_birth": _("Date of birth"),
    "document_number": _("Document number"),
    "expiry_date": _("Expiry date"),
    "nationality": _("Nationality"),
    "address": _("Address"),
}


class ReviewDecision(models.Model):
    """What a reviewer decided about one version of an application's evidence, and why.

    `customer_message` is shown to the customer; `internal_note` never is.
    """

    class Outcome(models.TextChoices):
        PASS = "pass", _("Pass")
        REJECT = "reject", _("Reject")
        SUPPLEMENT = "supplement", _("Request supplement")

    class State(models.TextChoices):
        EFFECTIVE = "effective", _("In effect")
        AWAITING_CONFIRMATION = "awaiting_confirmation", _("Waiting for a supervisor")
        DECLINED = "declined", _("Declined by a supervisor")

    verification = models.ForeignKey(
        "verification.Verification", on_delete=models.CASCADE, related_name="review_decisions"
    )
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    outcome = models.CharField(_("decision"), max_length=12, choices=Outcome.choices)
    state = models.CharField(max_length=24, choices=State.choices, default=State.EFFECTIVE)
    final = models.BooleanField(
        _("final"), default=False, help_text=_("A final rejection: the customer may not retry.")
    )
    reasons = models.JSONField(_("reasons"), default=list, blank=True)
    other_reason = models.CharField(_("other reason"), max_length=300, blank=True)
    requested_items = models.JSONField(default=list, blank=True)
    customer_message = models.TextField(_("message to the customer"), blank=True)
    internal_note = models.TextField(_("internal note"), blank=True)
    evidence_version = models.PositiveIntegerField()
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("review decision")
        verbose_name_plural = _("review decisions")

    def __str__(self):
        return f"{self.get_outcome_display()} of verification #{self.verification_id}"

    @property
    def reason_labels(self) -> list[str]:
        """The fixed reasons as the reader's language has them, "other" replaced by its text."""
        labels = []
        for code in self.reasons:
            if code == RejectionReason.OTHER and self.other_reason:
                labels.append(self.other_reason)
            elif code in RejectionReason.values:
                labels.append(RejectionReason(code).label)
        return labels


class FinalRejectionConfirmation(models.Model):
    """A supervisor's answer to a final rejection under the four-eyes rule."""

    decision = models.OneToOneField(
        ReviewDecision, on_delete=models.CASCADE, related_name="confirmation"
    )
    supervisor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    confirmed = models.BooleanField()
    note = models.TextField(_("note"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self):
        return f"{'Confirmed' if self.confirmed else 'Declined'}: decision #{self.decision_id}"


class SignalAcknowledgement(models.Model):
    """A reviewer's reason for passing despite one risk signal (see review/signals.py).

    Bound to the evidence version it was given for: once the customer changes the
    application, every signal must be looked at again. Rows are only ever added.
    """

    verification = models.ForeignKey(
        "verification.Verification",
        on_delete=models.CASCADE,
        related_name="signal_acknowledgements",
    )
    # The pass it was given with (acknowledgements are stored together with the pass).
    decision = models.ForeignKey(
        ReviewDecision,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="acknowledgements",
    )
    # The signal's stable key ("field:surname", "policy:3", "duplicate:17"); ids, never values.
    key = models.CharField(max_length=80)
    # What the signal said, as the reviewer read it (labels and ids, no personal data).
    title = models.CharField(_("signal"), max_length=300)
    reason = models.TextField(_("reason"))
    evidence_version = models.PositiveIntegerField()
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("signal acknowledgement")
        verbose_name_plural = _("signal acknowledgements")

    def __str__(self):
        return f"{self.key} of verification #{self.verification_id} (v{self.evidence_version})"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ValueError("Signal acknowledgements are append-only.")
        super().save(*args, **kwargs)
