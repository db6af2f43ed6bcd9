"""Encryption at rest: document files and the sensitive columns are unreadable without a key."""

import datetime

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import storages
from django.db import connection

from kyc_portal import crypto
from kyc_portal.storage import EncryptedFileSystemStorage, NoPublicURL
from tests.factories import DocumentFactory, VerificationFactory, png_bytes

pytestmark = pytest.mark.django_db


def test_document_storage_is_the_encrypted_one():
    assert isinstance(storages["documents"], EncryptedFileSystemStorage)
    assert isinstance(DocumentFactory.build().file.storage, EncryptedFileSystemStorage)


def test_uploaded_image_is_not_on_disk_in_the_clear(settings):
    image = png_bytes()
    document = DocumentFactory(file=ContentFile(image, name="passport.png"))

    on_disk = (settings.PRIVATE_MEDIA_ROOT / document.file.name).read_bytes()
    assert image not in on_disk
    assert not on_disk.startswith(b"\x89PNG")
    assert on_disk.startswith(b"gAAAAA")  # a Fernet token

    document.refresh_from_db()
    with document.file.open("rb") as stored:
        assert stored.read() == image
    assert document.file.size == len(image)


def test_stored_file_does_not_open_with_another_key(settings):
    document = DocumentFactory()
    settings.FIELD_ENCRYPTION_KEYS = [crypto.Fernet.generate_key().decode()]
    document.refresh_from_db()
    with pytest.raises(crypto.InvalidToken):
        document.file.open("rb")


def test_document_has_no_public_url():
    document = DocumentFactory()
    with pytest.raises(NoPublicURL):
        document.file.url  # noqa: B018
    assert getattr(document.file, "url", None) is None  # what the admin's widget does


def test_file_written_before_encryption_is_still_read(settings):
    legacy = png_bytes(300, 200)
    storage = storages["documents"]
    path = settings.PRIVATE_MEDIA_ROOT / "documents" / "legacy"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(legacy)
    assert storage.open("documents/legacy").read() == legacy
    assert not storage.is_encrypted("documents/legacy")


def test_storage_refuses_to_open_for_writing():
    storage = storages["documents"]
    name = storage.save("documents/x", ContentFile(b"abc"))
    with pytest.raises(ValueError, match="never opened for writing"):
        storage.open(name, "wb")


def _raw_row(table, pk, columns):
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {', '.join(columns)} FROM {table} WHERE id = %s", [pk])  # noqa: S608
        return cursor.fetchone()


def test_document_number_birth_date_and_address_are_encrypted_in_the_database():
    verification = VerificationFactory(
        document_number="CANARY0451",
        date_of_birth=datetime.date(1985, 2, 3),
        address="1 Privacy Lane",
    )
    number, born, address, number_hash = _raw_row(
        "verification_verification",
        verification.pk,
        ["document_number", "date_of_birth", "address", "document_number_hash"],
    )
    for stored in (number, born, address):
        assert stored.startswith("gAAAAA")
    assert "CANARY0451" not in number and "1985" not in born and "Privacy" not in address
    # The keyed hash finds the application without decrypting anything.
    assert number_hash == crypto.lookup_hash("canary 0451")
    found = type(verification).objects.get(document_number_hash=crypto.lookup_hash("CANARY0451"))
    assert found.document_number == "CANARY0451"
    assert found.date_of_birth == datetime.date(1985, 2, 3)
