"""Key rotation: after `rotate_encryption_keys`, everything opens with the new key alone."""

import datetime
import io

import pytest
from cryptography.fernet import Fernet
from django.core.files.storage import storages
from django.core.management import call_command
from django.db import connection

from kyc_portal import crypto
from tests.factories import DocumentFactory, VerificationFactory, png_bytes
from verification.models import OcrResult, Verification

pytestmark = pytest.mark.django_db


def _raw(table, column, pk):
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {column} FROM {table} WHERE id = %s", [pk])  # noqa: S608
        return cursor.fetchone()[0]


def test_rotation_moves_fields_and_files_to_the_new_key(settings):
    old_key = settings.FIELD_ENCRYPTION_KEYS[0]
    image = png_bytes(500, 400)
    from django.core.files.base import ContentFile

    verification = VerificationFactory(
        document_number="ROT-1234", date_of_birth=datetime.date(1970, 1, 2), address="Old Street"
    )
    document = DocumentFactory(verification=verification, file=ContentFile(image, name="a.png"))
    ocr = OcrResult.objects.create(document=document, raw_text="P<GBRDOE<<JANE", fields_json="{}")
    updated_at = Verification.objects.get(pk=verification.pk).updated_at
    raw_before = _raw("verification_verification", "document_number", verification.pk)

    new_key = Fernet.generate_key().decode()
    settings.FIELD_ENCRYPTION_KEYS = [new_key, old_key]
    out = io.StringIO()
    call_command("rotate_encryption_keys", stdout=out)
    assert "verification.Verification: 1 rows re-encrypted" in out.getvalue()
    assert "Documents: 1 files re-encrypted" in out.getvalue()

    raw_after = _raw("verification_verification", "document_number", verification.pk)
    assert raw_after != raw_before
    assert Fernet(new_key.encode()).decrypt(raw_after.encode()) == b"ROT-1234"

    # The old key is gone: everything still opens.
    settings.FIELD_ENCRYPTION_KEYS = [new_key]
    reloaded = Verification.objects.get(pk=verification.pk)
    assert reloaded.document_number == "ROT-1234"
    assert reloaded.date_of_birth == datetime.date(1970, 1, 2)
    assert reloaded.address == "Old Street"
    assert reloaded.updated_at == updated_at  # rotation is not a change to the application
    assert OcrResult.objects.get(pk=ocr.pk).raw_text == "P<GBRDOE<<JANE"
    document.refresh_from_db()
    with document.file.open("rb") as stored:
        assert stored.read() == image
    # The keyed hash does not depend on the encryption key: lookups keep working.
    assert Verification.objects.filter(document_number_hash=crypto.lookup_hash("ROT-1234")).exists()


def test_without_rotation_dropping_the_old_key_loses_access(settings):
    old_key = settings.FIELD_ENCRYPTION_KEYS[0]
    verification = VerificationFactory(document_number="KEEP-ME")
    settings.FIELD_ENCRYPTION_KEYS = [Fernet.generate_key().decode()]
    with pytest.raises(crypto.InvalidToken):
        Verification.objects.get(pk=verification.pk)
    settings.FIELD_ENCRYPTION_KEYS = [old_key]
    assert Verification.objects.get(pk=verification.pk).document_number == "KEEP-ME"


def test_rotation_encrypts_files_stored_before_encryption(settings):
    storage = storages["documents"]
    legacy = png_bytes(300, 200)
    path = settings.PRIVATE_MEDIA_ROOT / "documents" / "legacy-file"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(legacy)
    DocumentFactory(file="documents/legacy-file")

    call_command("rotate_encryption_keys", stdout=io.StringIO())

    assert storage.is_encrypted("documents/legacy-file")
    assert legacy not in path.read_bytes()
    assert storage.open("documents/legacy-file").read() == legacy
