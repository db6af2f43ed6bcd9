"""A customer's rights over their data: a copy of everything, and erasure.

Erasure is honoured at once, except what the KYC retention rules keep. Every submitted
application stays as the record (an open one is first withdrawn, its claim released and any
decision waiting for a supervisor kept): status, history, decisions and their reasons, dates,
account and document type, nationality and the keyed hash of the document number, so a later
application with the same document is recognised. What goes at once: drafts, every image, the
typed details (names, sex, birth date, document number, expiry, address, organisation), OCR
readings, the inbox, the email address, the password, two-step devices and the shops'
references to the person (through `when_account_erased`). The record itself
is deleted KYC_RECORD_RETENTION_DAYS after the erasure (privacy/retention.py).
"""

import io
import json
import zipfile
from collections.abc import Callable

from allauth.account.models import EmailAddress
from django.db import transaction
from django.utils import timezone

from audit import services as audit
from audit.models import AuditEvent
from verification.models import OcrResult, Status, Verification
from verification.status import change_status

from .models import ErasureRequest
from .retention import delete_document_image

APPLICATION_FIELDS = (
    "id",
    "status",
    "account_type",
    "nationality",
    "document_type",
    "organization_name",
    "organization_registration_number",
    "organization_country",
    "surname",
    "given_names",
    "sex",
    "date_of_birth",
    "document_number",
    "expiry_date",
    "address",
    "created_at",
    "submitted_at",
    "declared_at",
    "decided_at",
    "valid_until",
)


def _plain(value):
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)  # countries and other small value objects


def personal_data(user) -> dict:
    """Everything the portal holds about a customer, as plain JSON-ready data."""
    applications = []
    verifications = user.verifications.prefetch_related("documents", "status_changes")
    for verification in verifications.order_by("created_at"):
        record = {name: _plain(getattr(verification, name)) for name in APPLICATION_FIELDS}
        record["history"] = [
            {"from": change.old, "to": change.new, "at": _plain(change.created_at)}
            for change in verification.status_changes.all()
        ]
        record["documents"] = [
            {
                "kind": document.kind,
                "uploaded_at": _plain(document.created_at),
                "content_type": document.content_type,
                "file": _archive_name(document) if document.file else None,
                "deleted_at": _plain(document.file_deleted_at),
            }
            for document in verification.documents.all()
        ]
        applications.append(record)
    from notifications.models import Notification

    messages = [
        {
            "kind": message.kind,
            "application": message.verification_id,
            "at": _plain(message.created_at),
            "read_at": _plain(message.read_at),
            "content": message.data,
        }
        for message in Notification.objects.filter(user=user).order_by("created_at")
    ]
    return {
        "messages": messages,
        "account": {
            "email": user.email,
            "joined": _plain(user.date_joined),
            "last_login": _plain(user.last_login),
            "language": user.preferred_language,
        },
        "applications": applications,
        "exported_at": _plain(timezone.now()),
    }


def _archive_name(document) -> str:
    extension = {"image/png": "png", "image/jpeg": "jpg", "application/pdf": "pdf"}.get(
        document.content_type, "bin"
    )
    return f"documents/{document.verification_id}-{document.kind}-{document.pk}.{extension}"


def export_archive(user) -> bytes:
    """A ZIP with data.json and the customer's document images (decrypted), and an audit row."""
    data = personal_data(user)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("data.json", json.dumps(data, indent=2, ensure_ascii=False))
        for verification in user.verifications.prefetch_related("documents"):
            for document in verification.documents.all():
                if document.file:
                    with document.file.open("rb") as image:
                        archive.writestr(_archive_name(document), image.read())
    audit.record(user, AuditEvent.Action.DATA_EXPORT, subject=user)
    return buffer.getvalue()


# Typed by the customer and identifying them: removed from the applications erasure keeps.
PERSONAL_DETAILS = {
    "surname": "",
    "given_names": "",
    "sex": "",
    "date_of_birth": None,
    "document_number": "",
    "expiry_date": None,
    "address": "",
    "organization_name": "",
    "organization_registration_number": "",
    # Keyed fingerprints of typed details asked for in a supplement request: they go with them.
    "requested_baseline": {},
}

# Other apps' handlers for an erasure (each registers its own in AppConfig.ready(), so this
# module knows none of them): called inside erase_account's transaction with the account,
# already without its address, and the address it had (`former_email`), to delete or
# anonymise what they hold about the person.
AccountErasedHandler = Callable[..., None]
_erasure_handlers: list[AccountErasedHandler] = []


def when_account_erased(handler: AccountErasedHandler) -> AccountErasedHandler:
    """Registers `handler` to be called with every erased account (registering twice keeps
    one)."""
    if handler not in _erasure_handlers:
        _erasure_handlers.append(handler)
    return handler


# An application in these states is still being worked on: erasure withdraws it.
IN_FLIGHT_STATUSES = (Status.PROVIDED, Status.UNDER_REVIEW, Status.SUPPLEMENT_REQUESTED)


@transaction.atomic
def erase_account(user) -> ErasureRequest:
    """Deletes the customer's personal data and keeps the KYC record; the account can't sign in.

    Drafts go whole; submitted applications stay without personal details (open ones
    withdrawn first). Locks the applications, so a reviewer's decision lands before or not at all.
    """
    # Applications first, before anything touches the user row: a reviewer's decision locks
    # the application and then the user, so taking them in the same order cannot deadlock.
    verifications = list(Verification.objects.select_for_update().filter(user=user).order_by("pk"))
    request = ErasureRequest.objects.create(user=user)
    for verification in verifications:
        for document in verification.documents.filter(file_deleted_at__isnull=True):
            request.deleted_images += delete_document_image(document)
        if verification.status == Status.DRAFT:
            # Never submitted, so never part of a KYC record: the whole application goes.
            verification.delete()
            request.deleted_applications += 1
            continue
        if verification.status in IN_FLIGHT_STATUSES:
            # Closed with a recorded status change, never silently removed; a final rejection
            # waiting for a supervisor stays waiting and can still be confirmed.
            change_status(
                verification.pk,
                Status.WITHDRAWN,
                actor=user,
                reason="account erased",
                assigned_to=None,
                claimed_at=None,
            )
            request.withdrawn_applications += 1
        _remove_personal_details(verification)
        request.kept_applications += 1

    from notifications.models import Notification

    # The inbox (and its email outbox) belongs to the account, not to the decision record.
    Notification.objects.filter(user=user).delete()
    EmailAddress.objects.filter(user=user).delete()
    _delete_two_step_devices(user)
    former_email = user.email
    user.email = f"erased-{user.pk}@erased.invalid"
    user.is_active = False
    user.signup_ip_hash = ""
    user.set_unusable_password()  # also ends the sessions signed in elsewhere
    user.save()
    for handler in _erasure_handlers:
        handler(user, former_email=former_email)

    request.completed_at = timezone.now()
    request.save()
    audit.record(
        None,
        AuditEvent.Action.DATA_ERASED,
        subject=user,
        deleted_applications=request.deleted_applications,
        deleted_images=request.deleted_images,
        kept_applications=request.kept_applications,
        withdrawn_applications=request.withdrawn_applications,
    )
    return request


def _remove_personal_details(verification) -> None:
    # update(): the record's evidence version and timestamps stay as they were decided.
    Verification.objects.filter(pk=verification.pk).update(**PERSONAL_DETAILS)
    # The MRZ reading holds the same details; whether it was valid stays.
    OcrResult.objects.filter(document__verification=verification).update(
        raw_text="", fields_json="", error=""
    )


def _delete_two_step_devices(user) -> None:
    from allauth.mfa.models import Authenticator

    Authenticator.objects.filter(user=user).delete()
