"""The customer's side of an application: drafts, uploads and submission (OCR: reading.py).

Every write the wizard makes goes through here; statuses change only through
verification.status.change_status.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from functools import partial

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_countries import countries

from kyc_portal.crypto import lookup_hash

from . import policy, queueing, retry, uploads
from .approval import approve_automatically
from .comparison import compare_with_document, document_fields, matched_flag, typed_details
from .models import Document, DocumentType, OcrResult, PolicyRule, Status, Verification
from .selectors import current_documents
from .status import change_status

Kind = Document.Kind

CERTIFICATE_FIELDS = (
    "account_type",
    "nationality",
    "document_type",
    "organization_name",
    "organization_registration_number",
    "organization_country",
)
DETAIL_FIELDS = (
    "surname",
    "given_names",
    "sex",
    "date_of_birth",
    "document_number",
    "nationality",
    "expiry_date",
    "address",
)

DOCUMENT_NUMBER_SHAPES = {
    # ICAO 9303: up to 9 characters in the MRZ field (longer ones are rare and continue in the
    # optional data); letters and digits only.
    DocumentType.PASSPORT: (r"[A-Z0-9]{6,9}", gettext_lazy("6 to 9 letters and digits")),
    DocumentType.NATIONAL_ID: (r"[A-Z0-9]{5,18}", gettext_lazy("5 to 18 letters and digits")),
    DocumentType.DRIVING_LICENCE: (
        r"[A-Z0-9]{5,20}",
        gettext_lazy("5 to 20 letters and digits"),
    ),
    DocumentType.RESIDENCE_PERMIT: (r"[A-Z0-9]{5,15}", gettext_lazy("5 to 15 letters and digits")),
}


class ApplicationLocked(Exception):
    """The application is submitted (or decided) and the customer cannot change it now."""


class ItemNotRequested(ApplicationLocked):
    """During a supplement request the customer changed something staff did not ask for."""

    def __init__(self, items):
        super().__init__(", ".join(sorted(items)))
        self.items = sorted(items)


class PolicyBlocked(Exception):
    """A policy rule (such as mainland Chinese passports) stops this application."""

    def __init__(self, rule: PolicyRule):
        super().__init__(f"policy rule #{rule.pk}")
        self.rule = rule


class IncompleteApplication(Exception):
    """Submission refused: `problems` lists what is missing or invalid, in words for people."""

    def __init__(self, problems: list[str]):
        super().__init__("; ".join(problems))
        self.problems = problems


class CannotStartApplication(Exception):
    """The customer's latest application is passed, or finally rejected."""


# --- starting and reading the draft ---------------------------------------------------------


def latest_application(user) -> Verification | None:
    return Verification.objects.filter(user=user).order_by("-created_at", "-pk").first()


def may_start_new(user) -> bool:
    """No application yet, or the latest one lapsed or was rejected with a retry allowed."""
    latest = latest_application(user)
    return (
        latest is None
        or latest.status == Status.LAPSED
        or (latest.status == Status.REJECTED and latest.may_retry)
    )


def start_or_resume(user) -> Verification:
    """The customer's open application, or a new draft; raises CannotStartApplication."""
    open_one = Verification.objects.open().filter(user=user).first()
    if open_one is not None:
        return open_one
    if not may_start_new(user):
        raise CannotStartApplication
    latest = latest_application(user)
    if latest is not None:
        # After a retry-able rejection or a lapse the new attempt starts from the last details.
        return retry.draft_from(latest)
    try:
        with transaction.atomic():
            return Verification.objects.create(user=user)
    except IntegrityError:
        # Two tabs started at once: the unique "one open application" constraint kept one.
        return Verification.objects.open().get(user=user)


def required_document_kinds(verification: Verification) -> list[str]:
    """The uploads this application needs, in the order the upload step shows them."""
    if not verification.document_type:
        return []
    if verification.document_type == DocumentType.PASSPORT:
        kinds = [Kind.PASSPORT_DATA_PAGE, Kind.HOLDING_PHOTO]
    else:
        kinds = [Kind.ID_FRONT, Kind.ID_BACK, Kind.HOLDING_PHOTO]
    if verification.account_type == "organization":
        kinds.append(Kind.BUSINESS_REGISTRATION)
    return kinds


def editable_items(verification: Verification) -> set[str] | None:
    """None when everything may change (a draft); the requested items during a supplement."""
    if verification.status == Status.DRAFT:
        return None
    if verification.status == Status.SUPPLEMENT_REQUESTED:
        return set(verification.requested_items or [])
    return set()


def may_change(verification: Verification, item: str) -> bool:
    """Whether the customer may change `item` ("field:surname", "document:id_front") now."""
    allowed = editable_items(verification)
    return allowed is None or item in allowed


def describe_requested(verification: Verification) -> list[str]:
    """The items staff asked for, named for the customer."""
    labels = []
    for item in verification.requested_items or []:
        what, _sep, name = item.partition(":")
        if what == "document" and name in Kind.values:
            labels.append(str(Kind(name).label))
        elif what == "field":
            try:
                labels.append(str(Verification._meta.get_field(name).verbose_name).capitalize())
            except Exception:  # noqa: BLE001 - an unknown name is shown as it is
                labels.append(name)
    return labels


def _lock_for_edit(verification: Verification) -> Verification:
    locked = Verification.objects.select_for_update().get(pk=verification.pk)
    if not locked.is_editable_by_customer:
        raise ApplicationLocked(locked.status)
    return locked


def _check_requested(locked: Verification, items: set[str]) -> None:
    allowed = editable_items(locked)
    if allowed is not None and not items <= allowed:
        raise ItemNotRequested(items - allowed)


def _bump_evidence(locked: Verification, update_fields: list[str]) -> None:
    # Every change of evidence gets a new version, so a reviewer's decision is bound to what
    # they saw.
    locked.evidence_version = F("evidence_version") + 1
    locked.save(update_fields=[*update_fields, "evidence_version", "updated_at"])
    locked.refresh_from_db(fields=["evidence_version"])


# --- step 1: certificate information --------------------------------------------------------


@transaction.atomic
def save_certificate(verification: Verification, data: dict, *, actor) -> Verification:
    """Saves step 1. Raises PolicyBlocked (nothing saved), ApplicationLocked or ItemNotRequested."""
    locked = _lock_for_edit(verification)
    rule = policy.blocking_rule(data.get("nationality"), data.get("document_type"))
    if rule is not None:
        raise PolicyBlocked(rule)
    if data.get("account_type") != "organization":
        data = {**data, "organization_name": "", "organization_registration_number": ""}
        data["organization_country"] = ""
    changed = {
        name for name in CERTIFICATE_FIELDS if name in data and _differs(locked, name, data[name])
    }
    if not changed:
        return locked
    _check_requested(locked, {f"field:{name}" for name in changed})
    old_kinds = set(required_document_kinds(locked))
    for name in changed:
        setattr(locked, name, data[name])
    _bump_evidence(locked, sorted(changed))
    # Uploads of a document type no longer chosen would only confuse the reviewer.
    dropped = old_kinds - set(required_document_kinds(locked))
    if dropped:
        locked.documents.filter(kind__in=dropped, superseded_at__isnull=True).update(
            superseded_at=timezone.now()
        )
    return locked


def _differs(verification: Verification, name: str, value) -> bool:
    current = getattr(verification, name)
    return str(current or "") != str(value or "")


# --- step 2: uploads ------------------------------------------------------------------------


# An upload of one of these (re)starts the face match of the portrait and the holding photo.
FACE_MATCHED_KINDS = (
    Document.Kind.PASSPORT_DATA_PAGE,
    Document.Kind.ID_FRONT,
    Document.Kind.HOLDING_PHOTO,
)


def add_document(verification: Verification, kind: str, uploaded, *, actor) -> Document:
    """Checks, re-encodes and stores one upload, replacing the previous one of its kind.

    Raises ValidationError (bad image, nothing stored), ApplicationLocked, ItemNotRequested or
    PolicyBlocked. Documents with text are queued for reading once the upload is committed.
    """
    prepared = uploads.prepare_image(uploaded)  # before any lock: decoding takes a moment
    if kind == Document.Kind.HOLDING_PHOTO:
        from identity.upload_check import require_person_face

        require_person_face(prepared.content)  # no face: refused like a blurred photo
    with transaction.atomic():
        locked = _lock_for_edit(verification)
        if kind not in required_document_kinds(locked):
            raise ApplicationLocked(f"{kind} is not needed")
        _check_requested(locked, {f"document:{kind}"})
        rule = policy.blocking_rule(locked.nationality, locked.document_type)
        if rule is not None:
            raise PolicyBlocked(rule)
        now = timezone.now()
        locked.documents.filter(kind=kind, superseded_at__isnull=True).update(superseded_at=now)
        document = Document(
            verification=locked,
            kind=kind,
            content_type=prepared.content_type,
            size_bytes=len(prepared.content),
            width=prepared.width,
            height=prepared.height,
            sha256=prepared.sha256,
            sharpness=prepared.sharpness,
            brightness=prepared.brightness,
        )
        # The storage names the file (random, server-made); the upload's name is never used.
        document.file.save(
            f"upload.{prepared.extension}", ContentFile(prepared.content), save=False
        )
        document.save()
        if kind in Document.READ_KINDS:
            OcrResult.objects.create(document=document)
            transaction.on_commit(partial(queueing.queue_reading, document.pk))
        if kind in FACE_MATCHED_KINDS:
            from identity.queueing import start_face_match

            transaction.on_commit(partial(start_face_match, locked.pk))
        _bump_evidence(locked, [])
    return document


# --- step 3: the details as printed ----------------------------------------------------------


def detail_problems(document_type: str, data: dict, today: datetime.date | None = None) -> dict:
    """Field name -> message for details that cannot be accepted (expired, minor, bad number)."""
    import re

    today = today or timezone.localdate()
    problems = {}
    expiry = data.get("expiry_date")
    if expiry and expiry < today:
        problems["expiry_date"] = _(
            "This document expired on %(date)s. Please use a document that is still valid."
        ) % {"date": expiry.isoformat()}
    birth = data.get("date_of_birth")
    if birth:
        if birth > today:
            problems["date_of_birth"] = _("The date of birth cannot be in the future.")
        elif age_on(birth, today) < settings.KYC_MIN_AGE:
            problems["date_of_birth"] = _(
                "You must be at least %(age)s years old to complete real-name authentication."
            ) % {"age": settings.KYC_MIN_AGE}
    number = normalize_document_number(data.get("document_number") or "")
    shape = DOCUMENT_NUMBER_SHAPES.get(document_type)
    if number and shape and not re.fullmatch(shape[0], number):
        problems["document_number"] = _(
            "This does not look like a %(type)s number: it should be %(shape)s, exactly as "
            "printed on the document."
        ) % {"type": DocumentType(document_type).label.lower(), "shape": shape[1]}
    return problems


def age_on(birth: datetime.date, day: datetime.date) -> int:
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


def normalize_document_number(number: str) -> str:
    """Document numbers are compared and stored without spaces or dashes, in capitals."""
    return "".join(ch for ch in number.upper() if ch.isalnum())


@transaction.atomic
def save_details(verification: Verification, data: dict, *, actor) -> Verification:
    """Saves step 3 (the details as printed). Raises ApplicationLocked or ItemNotRequested."""
    locked = _lock_for_edit(verification)
    data = dict(data)
    if "document_number" in data:
        data["document_number"] = normalize_document_number(data["document_number"] or "")
    changed = {
        name for name in DETAIL_FIELDS if name in data and _differs(locked, name, data[name])
    }
    if not changed:
        return locked
    _check_requested(locked, {f"field:{name}" for name in changed})
    for name in changed:
        setattr(locked, name, data[name])
    update = sorted(changed)
    if "document_number" in changed:
        locked.document_number_hash = lookup_hash(locked.document_number)
        update.append("document_number_hash")
    _bump_evidence(locked, update)
    return locked


def prefill_from_document(verification: Verification) -> dict:
    """Form initial values from the fields an MRZ reading vouches for, for the fields the
    customer left empty; the fields it was unsure of are left for the customer to type."""
    fields = document_fields(verification)
    if fields is None:
        return {}
    read = {
        "surname": fields.get("surname") or "",
        "given_names": fields.get("names") or "",
        "sex": fields.get("sex") or "",
        "date_of_birth": fields.get("date_of_birth"),
        "document_number": fields.get("number") or "",
        "nationality": _alpha2(fields.get("nationality")),
        "expiry_date": fields.get("expiration_date"),
    }
    return {
        name: value for name, value in read.items() if value and not getattr(verification, name)
    }


def _alpha2(mrz_code: str | None) -> str:
    if not mrz_code:
        return ""
    code = "DEU" if mrz_code == "D" else mrz_code
    return countries.alpha2(code) or ""


def reading_in_progress(verification: Verification) -> bool:
    """True while any current document is still waiting to be read or being read."""
    return OcrResult.objects.filter(
        document__verification=verification,
        document__superseded_at__isnull=True,
        state__in=[OcrResult.State.PENDING, OcrResult.State.RUNNING],
    ).exists()


# --- step 4: submission ------------------------------------------------------------------------


@dataclass
class SubmitOutcome:
    """What happened to a Submit click: submitted, already submitted, or differences to show."""

    verification: Verification
    submitted: bool = False
    already_submitted: bool = False
    differences: list = field(default_factory=list)


def missing_items(verification: Verification) -> list[str]:
    """What still stops this application from being submitted, in words for the customer."""
    problems = []
    v = verification
    if not (v.account_type and v.nationality and v.document_type):
        problems.append(_("Step 1: choose the account type, nationality and document type."))
    if v.account_type == "organization" and not (
        v.organization_name and v.organization_registration_number and v.organization_country
    ):
        problems.append(_("Step 1: give the organization's legal name, registration number "
                          "and country of incorporation."))  # fmt: skip
    present = current_documents(v)
    for kind in required_document_kinds(v):
        if kind not in present:
            problems.append(_("Step 2: upload the %(document)s.") % {
                "document": Kind(kind).label.lower()})  # fmt: skip
    needed = ["surname", "sex", "date_of_birth", "document_number", "expiry_date"]
    if v.document_type and v.document_type != DocumentType.PASSPORT:
        needed.append("address")
    if any(not getattr(v, name) for name in needed):
        problems.append(_("Step 3: type every detail exactly as printed on the document."))
    problems += detail_problems(v.document_type, typed_details(v)).values()
    if v.status == Status.SUPPLEMENT_REQUESTED:
        problems += unanswered_requests(v)
    return problems


def value_fingerprint(value) -> str:
    """A keyed fingerprint of one typed detail: tells a changed value without keeping it."""
    import hashlib
    import hmac

    text = "" if value is None else str(value)
    key = settings.LOOKUP_HASH_KEY.encode()
    return hmac.new(key, b"requested-detail:" + text.encode(), hashlib.sha256).hexdigest()


def unanswered_requests(verification: Verification) -> list[str]:
    """The requested items not replaced yet (same file, same value), in words for the customer.

    A supplement is complete only when every requested document has a new upload and every
    requested detail a changed value.
    """
    baseline = verification.requested_baseline or {}
    present = current_documents(verification)
    problems = []
    for item in verification.requested_items or []:
        what, _sep, name = item.partition(":")
        if what == "document":
            document = present.get(name)
            if document is None or (item in baseline and document.pk == baseline[item]):
                label = Kind(name).label if name in Kind.values else name
                problems.append(
                    _("Upload a new picture of the %(document)s, as the reviewers asked.")
                    % {"document": str(label).lower()}
                )
        elif (
            item in baseline
            and value_fingerprint(getattr(verification, name, "")) == baseline[item]
        ):
            problems.append(
                _("Correct the %(field)s: the reviewers asked for it and it has not changed yet.")
                % {"field": str(Verification._meta.get_field(name).verbose_name)}
            )
    return problems


# The customer's declaration before Submit (the source documents: the information must be
# true and exactly as on the documents, and the documents the customer's own).
DECLARATION = gettext_lazy(
    "I declare that the information I have given is true and exactly the same as on my "
    "documents, and that the documents and the photo holding them are mine."
)
DECLARATION_MISSING = gettext_lazy(
    "Please tick the declaration: the information is true and the documents are yours."
)


def submit(
    verification: Verification, *, actor, declared: bool, confirm_mismatch: bool = False
) -> SubmitOutcome:
    """Submits the application ("Provided"), recording when it was declared true, or returns
    the differences from the document.

    A repeated submit (double click) changes nothing. Raises IncompleteApplication (also when
    `declared` is false) or PolicyBlocked; nothing is written then.
    """
    with transaction.atomic():
        # The lock makes a double click wait here and then find the application submitted.
        locked = Verification.objects.select_for_update().get(pk=verification.pk)
        if locked.status not in (Status.DRAFT, Status.SUPPLEMENT_REQUESTED):
            return SubmitOutcome(locked, already_submitted=True)
        rule = policy.blocking_rule(locked.nationality, locked.document_type)
        if rule is not None:
            raise PolicyBlocked(rule)
        problems = missing_items(locked)
        if not declared:
            problems.append(str(DECLARATION_MISSING))
        if problems:
            raise IncompleteApplication(problems)
        differences = compare_with_document(locked)
        if differences and not confirm_mismatch:
            return SubmitOutcome(locked, differences=differences)

        from review.sla import due_at

        now = timezone.now()
        returning = locked.status == Status.SUPPLEMENT_REQUESTED
        fields = {
            "submitted_at": now,
            "declared_at": now,
            "sla_due_at": due_at(now),
            "ocr_matched": matched_flag(locked, differences),
            "ocr_mismatch": bool(differences),
            "ocr_compared_late_at": None,
        }
        if differences:
            reason = (
                "Submitted for manual verification: typed details differ from the document; "
                "the customer confirmed them against the document reading"
            )
        elif differences is None:
            reason = "Submitted; no machine-readable zone to compare, manual verification"
        elif fields["ocr_matched"] is None:
            reason = "Submitted; OCR agreed on the fields it could vouch for, manual verification"
        else:
            reason = "Submitted; OCR matched"
        if returning:
            # One story for the customer: a supplement keeps the case "Under review". It goes
            # back to the queue unassigned, first in line (see review.selectors.queue_base).
            fields.update(
                supplement_returned=True,
                requested_baseline={},
                assigned_to=None,
                claimed_at=None,
            )
            submitted = change_status(
                locked.pk,
                Status.UNDER_REVIEW,
                actor=actor,
                reason="Supplement provided. " + reason,
                **fields,
            )
        else:
            submitted = change_status(
                locked.pk, Status.PROVIDED, actor=actor, reason=reason, **fields
            )
        # The submission's screening and a face match may still be running: each calls
        # approve_automatically again when it finishes clean.
        if not returning and approve_automatically(submitted.pk, now=now):
            submitted.refresh_from_db()
    return SubmitOutcome(submitted, submitted=True)


# --- serving ------------------------------------------------------------------------------------


def record_document_view(viewer, document: Document) -> None:
    """Adds a staff view of a customer's document to the audit trail."""
    from audit.models import AuditEvent
    from audit.services import record

    record(
        viewer,
        AuditEvent.Action.DOCUMENT_VIEWED,
        verification=document.verification,
        document_id=document.pk,
        kind=document.kind,
    )
