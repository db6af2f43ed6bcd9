import datetime
import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField

from kyc_portal.fields import EncryptedDateField, EncryptedTextField
from kyc_portal.jobs import LeasedJob


class Status(models.TextChoices):
    """An application's state, named as customers read it (see verification/status.py)."""

    DRAFT = "draft", _("Draft")
    PROVIDED = "provided", _("Provided")
    UNDER_REVIEW = "under_review", _("Under review")
    # Still "Under review" to the customer, with "Action required": staff asked for more.
    SUPPLEMENT_REQUESTED = "supplement_requested", _("Supplement requested")
    PASSED = "passed", _("Passed")
    REJECTED = "rejected", _("Rejected")
    # A passed verification whose document expired or whose validity period ran out.
    LAPSED = "lapsed", _("Re-verification required")
    # Closed undecided because the customer erased their account; kept as the KYC record.
    WITHDRAWN = "withdrawn", _("Withdrawn")


OPEN_STATUSES = (
    Status.DRAFT,
    Status.PROVIDED,
    Status.UNDER_REVIEW,
    Status.SUPPLEMENT_REQUESTED,
)


class AccountType(models.TextChoices):
    INDIVIDUAL = "individual", _("Individual")
    ORGANIZATION = "organization", _("Organization")


class DocumentType(models.TextChoices):
    PASSPORT = "passport", _("Passport")
    NATIONAL_ID = "national_id", _("National ID card")
    DRIVING_LICENCE = "driving_licence", _("Driver's licence")
    RESIDENCE_PERMIT = "residence_permit", _("Residence permit")


class Sex(models.TextChoices):
    FEMALE = "F", _("Female")
    MALE = "M", _("Male")
    UNSPECIFIED = "X", _("Unspecified")


class VerificationQuerySet(models.QuerySet):
    def open(self):
        return self.filter(status__in=OPEN_STATUSES)


class Verification(models.Model):
    """One attempt at real-name authentication. A customer has at most one open at a time."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="verifications"
    )
    status = models.CharField(max_length=24, choices=Status.choices, default=Status.DRAFT)

    # Step 1: certificate information.
    account_type = models.CharField(
        _("account type"), max_length=16, choices=AccountType.choices, blank=True
    )
    nationality = CountryField(_("nationality"), blank=True)
    document_type = models.CharField(
        _("ID document type"), max_length=20, choices=DocumentType.choices, blank=True
    )
    organization_name = models.CharField(_("legal name"), max_length=200, blank=True)
    organization_registration_number = models.CharField(
        _("registration number"), max_length=64, blank=True
    )
    organization_country = CountryField(_("country of incorporation"), blank=True)

    # Step 3: the details exactly as printed on the document.
    surname = models.CharField(_("surname"), max_length=100, blank=True)
    given_names = models.CharField(_("given names"), max_length=150, blank=True)
    sex = models.CharField(_("sex"), max_length=1, choices=Sex.choices, blank=True)
    date_of_birth = EncryptedDateField(_("date of birth"), blank=True, null=True)
    document_number = EncryptedTextField(_("document number"), blank=True)
    # Keyed hash of the document number: duplicate detection and search without decrypting.
    document_number_hash = models.CharField(max_length=64, blank=True, db_index=True)
    expiry_date = models.DateField(_("expiry date"), null=True, blank=True)
    address = EncryptedTextField(_("address"), blank=True)

    # Submission and the OCR comparison made at that moment.
    submitted_at = models.DateTimeField(null=True, blank=True)
    # When the customer ticked "the information is true and the documents are mine" for the
    # latest submission (a supplement is declared again).
    declared_at = models.DateTimeField(_("declared at"), null=True, blank=True)
    ocr_matched = models.BooleanField(
        null=True, help_text=_("Typed details agreed with the document's MRZ at submission.")
    )
    ocr_mismatch = models.BooleanField(
        default=False, help_text=_("The customer chose manual verification despite differences.")
    )
    # Set when the MRZ was read only after submission and ocr_matched was filled in then.
    ocr_compared_late_at = models.DateTimeField(null=True, blank=True)
    # Bumped on every change the customer makes, so a reviewer's decision is bound to what
    # they saw (a decision for an older version is refused).
    evidence_version = models.PositiveIntegerField(default=1)
    supplement_returned = models.BooleanField(default=False)
    # What staff asked the customer to re-upload or correct: "document:<Document.Kind>" or
    # "field:<field name>". Only these can change while a supplement is requested.
    requested_items = models.JSONField(default=list, blank=True)
    # Each requested item as it was when asked for (a document id, a keyed fingerprint of a
    # detail): a resubmission must replace every one. Emptied when the customer resubmits.
    requested_baseline = models.JSONField(default=dict, blank=True)

    # Review.
    sla_due_at = models.DateTimeField(null=True, blank=True, db_index=True)
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="assigned_verifications",
    )
    claimed_at = models.DateTimeField(null=True, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    may_retry = models.BooleanField(default=False, help_text=_("After a rejection."))
    valid_until = models.DateField(null=True, blank=True, help_text=_("When a pass lapses."))

    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = VerificationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["user"],
                condition=Q(status__in=[s.value for s in OPEN_STATUSES]),
                name="one_open_verification_per_user",
            )
        ]
        indexes = [models.Index(fields=["status", "sla_due_at"])]

    def __str__(self):
        return f"Verification #{self.pk} ({self.status})"

    @property
    def is_editable_by_customer(self) -> bool:
        return self.status in (Status.DRAFT, Status.SUPPLEMENT_REQUESTED)

    @property
    def is_document_expired(self) -> bool:
        return self.expiry_date is not None and self.expiry_date < timezone.localdate()

    @property
    def full_name(self) -> str:
        return f"{self.given_names} {self.surname}".strip()

    @property
    def masked_document_number(self) -> str:
        """The document number with only its last four characters shown (the status page)."""
        number = self.document_number or ""
        if len(number) <= 4:
            return "•" * len(number)  # too short to show any of it
        return "•" * (len(number) - 4) + number[-4:]


def document_upload_path(instance, filename) -> str:
    # Nothing of the uploaded name reaches the path: a random, server-made name only.
    today = datetime.date.today()
    return f"documents/{today:%Y/%m}/{secrets.token_urlsafe(24)}"


class Document(models.Model):
    """One uploaded image. A re-upload adds a new row and supersedes the old one."""

    class Kind(models.TextChoices):
        PASSPORT_DATA_PAGE = "passport_page", _("Passport data page")
        ID_FRONT = "id_front", _("Front of the document")
        ID_BACK = "id_back", _("Back of the document")
        HOLDING_PHOTO = "holding_photo", _("Photo holding the document")
        BUSINESS_REGISTRATION = "business_registration", _("Business registration document")

    # The kinds whose text the OCR task reads. Holding photos and business papers go to a person.
    READ_KINDS = (Kind.PASSPORT_DATA_PAGE, Kind.ID_FRONT, Kind.ID_BACK)

    class ReviewState(models.TextChoices):
        PENDING = "pending", _("Not reviewed")
        ACCEPTED = "accepted", _("Accepted")
        REUPLOAD_NEEDED = "reupload_needed", _("Re-upload needed")

    verification = models.ForeignKey(
        Verification, on_delete=models.CASCADE, related_name="documents"
    )
    kind = models.CharField(max_length=32, choices=Kind.choices)
    file = models.FileField(upload_to=document_upload_path, max_length=200)
    content_type = models.CharField(max_length=50)
    size_bytes = models.PositiveIntegerField(default=0)
    width = models.PositiveIntegerField(default=0)
    height = models.PositiveIntegerField(default=0)
    sha256 = models.CharField(max_length=64, blank=True)
    # Image quality figures from the upload check, shown to reviewers.
    sharpness = models.FloatField(null=True, blank=True)
    brightness = models.FloatField(null=True, blank=True)

    review_state = models.CharField(
        max_length=20, choices=ReviewState.choices, default=ReviewState.PENDING
    )
    review_reason = models.TextField(blank=True)
    superseded_at = models.DateTimeField(null=True, blank=True)
    file_deleted_at = models.DateTimeField(
        null=True, blank=True, help_text=_("Retention: the image is gone, this record stays.")
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["verification", "kind", "-created_at"]

    def __str__(self):
        return f"{self.get_kind_display()} of verification #{self.verification_id}"

    @property
    def is_current(self) -> bool:
        return self.superseded_at is None


class OcrResult(LeasedJob):
    """What the OCR engine read from one document, kept beside it. OCR is not a status."""

    class State(models.TextChoices):
        PENDING = "pending", _("Waiting to be read")
        RUNNING = "running", _("Being read")
        DONE = "done", _("Read")
        FAILED = "failed", _("Could not be read")

    document = models.OneToOneField(Document, on_delete=models.CASCADE, related_name="ocr")
    state = models.CharField(max_length=10, choices=State.choices, default=State.PENDING)
    engine = models.CharField(max_length=60, blank=True)
    mrz_type = models.CharField(max_length=5, blank=True)  # TD1, TD2, TD3, MRV-A, MRV-B, FR-ID
    # Raw lines and parsed fields hold document numbers and birth dates: encrypted at rest.
    raw_text = EncryptedTextField(blank=True)
    fields_json = EncryptedTextField(blank=True)
    check_digits = models.JSONField(default=dict, blank=True)
    # Every field trusted (verification.mrz.parse.field_trust); `trusted_fields` names the
    # trusted ones, `unsure_positions` the [line, index] of characters the reader doubted.
    valid = models.BooleanField(default=False)
    trusted_fields = models.JSONField(default=list, blank=True)
    unsure_positions = models.JSONField(default=list, blank=True)
    confidence = models.FloatField(null=True, blank=True)
    seconds = models.FloatField(null=True, blank=True)
    # error, attempts, queue time and the lease: kyc_portal.jobs.LeasedJob

    def __str__(self):
        return f"OCR of document #{self.document_id}: {self.state}"

    @property
    def fields(self) -> dict:
        import json

        return json.loads(self.fields_json) if self.fields_json else {}


class StatusChange(models.Model):
    """Append-only history of an application's status: who, when, from, to, why."""

    verification = models.ForeignKey(
        Verification, on_delete=models.CASCADE, related_name="status_changes"
    )
    old = models.CharField(max_length=24, choices=Status.choices)
    new = models.CharField(max_length=24, choices=Status.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    reason = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self):
        return f"#{self.verification_id}: {self.old} -> {self.new}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ValueError("Status changes are append-only.")
        super().save(*args, **kwargs)


class PolicyRule(models.Model):
    """A rule staff edit in the admin, such as "Mainland Chinese passports cannot pass KYC"."""

    class Severity(models.TextChoices):
        BLOCK = "block", _("Blocked: the customer cannot continue")
        WARN = "warn", _("Warning: the customer is told and may continue")

    country = CountryField(_("nationality"))
    document_type = models.CharField(
        _("document type"),
        max_length=20,
        choices=DocumentType.choices,
        blank=True,
        help_text=_("Empty: every document type."),
    )
    severity = models.CharField(max_length=8, choices=Severity.choices, default=Severity.BLOCK)
    message_en = models.TextField(_("message (English)"))
    message_zh_hans = models.TextField(_("message (Simplified Chinese)"))
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["country", "document_type"]

    def __str__(self):
        return f"{self.country.name} / {self.get_document_type_display() or 'any'}: {self.severity}"

    def message(self, language: str) -> str:
        return self.message_zh_hans if language.startswith("zh") else self.message_en
