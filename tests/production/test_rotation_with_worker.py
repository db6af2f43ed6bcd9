"""Key rotation and the retention purges while a real Celery worker reads documents.

Skipped on SQLite; CI runs it on PostgreSQL and Redis. A reading worker, the purge tasks and
`rotate_encryption_keys` all lock the same rows and replace or delete the same files: nothing
may be lost, no read may fail and every image left must open with the new key alone.
"""

import datetime
import io
import time

import pytest
from cryptography.fernet import Fernet
from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.utils import timezone

from kyc_portal import crypto
from privacy import services as privacy
from privacy import tasks as privacy_tasks
from privacy.models import ErasureRequest
from tests.factories import DocumentFactory, VerificationFactory
from tests.verification.conftest import generated_passport
from verification import queueing
from verification.models import Document, OcrResult, Status, StatusChange, Verification

pytestmark = [pytest.mark.worker, pytest.mark.slow, pytest.mark.django_db(transaction=True)]

READS = 6


def _wait_for(predicate, seconds=300):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.3)
    raise AssertionError("timed out waiting")


def _decided(days_ago, image, **fields):
    verification = VerificationFactory(
        status=Status.PASSED,
        decided_at=timezone.now() - datetime.timedelta(days=days_ago),
        **fields,
    )
    StatusChange.objects.create(verification=verification, old="under_review", new="passed")
    document = DocumentFactory(verification=verification, file=ContentFile(image, name="d.png"))
    return verification, document


def _erased_account(erased_days_ago, image):
    """An erased account whose kept record (a rejected application) is `erased_days_ago` old."""
    verification, _document = _decided(erased_days_ago + 30, image)
    Verification.objects.filter(pk=verification.pk).update(status=Status.REJECTED)
    privacy.erase_account(get_user_model().objects.get(pk=verification.user_id))
    when = timezone.now() - datetime.timedelta(days=erased_days_ago)
    ErasureRequest.objects.filter(user_id=verification.user_id).update(completed_at=when)
    return verification.pk


def _stored_files(root):
    return {
        str(path.relative_to(root))
        for path in root.rglob("*")
        if path.is_file() and ".tmp" not in path.name
    }


def test_rotation_and_retention_purges_while_a_worker_reads(settings, monkeypatch, request):
    settings.DOCUMENT_RETENTION_DAYS = 180
    settings.KYC_RECORD_RETENTION_DAYS = 1825
    old_key = settings.FIELD_ENCRYPTION_KEYS[0]
    passport, truth = generated_passport()
    from tests.factories import png_bytes

    decided_image = png_bytes(600, 400)

    # Everything below is stored under the old key.
    to_read = []
    for _ in range(READS):
        document = DocumentFactory(
            verification=VerificationFactory(status=Status.PROVIDED),
            kind="passport_page",
            file=ContentFile(passport, name="p.png"),
        )
        OcrResult.objects.create(document=document)
        to_read.append(document.pk)
    images_due = [_decided(400, decided_image)[1].pk for _ in range(4)]
    images_kept = [_decided(10, decided_image)[1].pk for _ in range(3)]
    records_due = [_erased_account(1900, decided_image) for _ in range(2)]
    records_kept = [_erased_account(100, decided_image) for _ in range(2)]
    numbers = dict(Verification.objects.values_list("pk", "document_number_hash"))

    # Deployed with the new key first, the old one after it: web process and worker alike.
    new_key = Fernet.generate_key().decode()
    settings.FIELD_ENCRYPTION_KEYS = [new_key, old_key]
    monkeypatch.setenv("FIELD_ENCRYPTION_KEYS", f"{new_key},{old_key}")
    monkeypatch.setenv("KYC_OCR_DEBUG_DELAY_SECONDS", "1")  # reads span the rotation
    worker = request.getfixturevalue("celery_worker")

    # Reads and both purges go to the worker, interleaved; the rotation runs here meanwhile.
    for pk in to_read[:3]:
        queueing.queue_reading(pk)
    privacy_tasks.purge_expired_document_images.delay()
    privacy_tasks.purge_expired_kyc_records.delay()
    for pk in to_read[3:]:
        queueing.queue_reading(pk)
    out = io.StringIO()
    call_command("rotate_encryption_keys", stdout=out)
    assert "Done." in out.getvalue()

    def finished():
        reads = OcrResult.objects.filter(document_id__in=to_read)
        return (
            not reads.exclude(state__in=[OcrResult.State.DONE, OcrResult.State.FAILED]).exists()
            and not Document.objects.filter(
                pk__in=images_due, file_deleted_at__isnull=True
            ).exists()
            and not Verification.objects.filter(pk__in=records_due).exists()
        )

    _wait_for(finished)

    # The old key is dropped: everything still there opens with the new key alone.
    settings.FIELD_ENCRYPTION_KEYS = [new_key]
    for ocr in OcrResult.objects.filter(document_id__in=to_read):
        assert ocr.state == OcrResult.State.DONE and ocr.valid, ocr.error
        assert ocr.fields["number"] == truth["number"]
    for verification in Verification.objects.all():  # every encrypted column decrypts
        assert verification.document_number_hash == numbers[verification.pk]
        if verification.document_number:
            assert crypto.lookup_hash(verification.document_number) == numbers[verification.pk]
    storage = Document._meta.get_field("file").storage
    expected = {}
    for document in Document.objects.filter(file_deleted_at__isnull=True).exclude(file=""):
        with document.file.open("rb") as stored:
            expected[document.file.name] = stored.read()
        assert storage.is_encrypted(document.file.name)
    assert set(expected) == {
        d.file.name for d in Document.objects.filter(pk__in=to_read + images_kept)
    }
    assert all(expected[Document.objects.get(pk=pk).file.name] == passport for pk in to_read)
    # Nothing deleted came back, and no file is left without its row.
    assert _stored_files(settings.PRIVATE_MEDIA_ROOT) == set(expected)
    assert Document.objects.filter(pk__in=images_due, file="").count() == len(images_due)
    assert set(
        Verification.objects.filter(pk__in=records_kept).values_list("pk", flat=True)
    ) == set(records_kept)
    log = worker.log()
    assert "InvalidToken" not in log and "Traceback" not in log
