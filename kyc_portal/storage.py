"""Where identity documents are kept: encrypted before they reach the disk or the bucket.

Both storages encrypt every file with the FIELD_ENCRYPTION_KEYS (Fernet: the first key encrypts,
every key decrypts), so a copied disk, backup or bucket holds no readable image. Reading goes
through the storage API only (`document.file.open()`), which decrypts; nothing has a public URL,
so documents are streamed by the permission-checked views.
"""

import os
import tempfile

from django.core.files.base import ContentFile
from django.core.files.storage import FileSystemStorage
from storages.backends.s3 import S3Storage
from storages.utils import clean_name

from . import crypto

# A Fernet token is base64 of a 0x80 version byte and a timestamp: it always starts like this.
_TOKEN_PREFIX = b"gAAAAA"


class NoPublicURL(AttributeError):
    """Raised for `file.url`. An AttributeError, so `getattr(file, "url", None)` (as the admin's
    file widget does) quietly finds no link instead of failing."""


def _fernet():
    return crypto._current()


def encrypt_bytes(data: bytes) -> bytes:
    return _fernet().encrypt(data)


def decrypt_bytes(stored: bytes) -> bytes:
    """Files written before encryption was switched on are read as they are (and encrypted by
    `rotate_encryption_keys`); anything that looks encrypted must open with a configured key."""
    if not stored.startswith(_TOKEN_PREFIX):
        return stored
    return _fernet().decrypt(stored)


class EncryptedStorageMixin:
    """Encrypts on save, decrypts on open; the stored bytes are a Fernet token."""

    def _save(self, name, content):
        content.seek(0)
        sealed = ContentFile(encrypt_bytes(content.read()))
        return super()._save(name, sealed)

    def _open(self, name, mode="rb"):
        if "w" in mode or "a" in mode or "+" in mode:
            raise ValueError("Encrypted documents are saved whole, never opened for writing.")
        return ContentFile(decrypt_bytes(self.read_stored(name)), name=name)

    def size(self, name):
        return len(decrypt_bytes(self.read_stored(name)))

    def url(self, name, *args, **kwargs):
        raise NoPublicURL("Identity documents have no URL: stream them through a checked view.")

    def read_stored(self, name) -> bytes:
        """The bytes as stored (encrypted), for rotation and for tests."""
        with super()._open(name, "rb") as stored:
            return stored.read()

    def is_encrypted(self, name) -> bool:
        return self.read_stored(name).startswith(_TOKEN_PREFIX)

    def rotate(self, name) -> None:
        """Re-encrypts one file under the newest key (and encrypts a legacy plaintext file)."""
        stored = self.read_stored(name)
        if stored.startswith(_TOKEN_PREFIX):
            sealed = _fernet().rotate(stored)
        else:
            sealed = encrypt_bytes(stored)
        self.replace_stored(name, sealed)


class EncryptedFileSystemStorage(EncryptedStorageMixin, FileSystemStorage):
    """The default: a private local folder (0600 files), contents encrypted."""

    def replace_stored(self, name, data: bytes) -> None:
        # Write beside the file and rename over it, so a crash never leaves half a file.
        path = self.path(name)
        handle, temporary = tempfile.mkstemp(dir=os.path.dirname(path), prefix=".rotate-")
        try:
            with os.fdopen(handle, "wb") as out:
                out.write(data)
            if self.file_permissions_mode is not None:
                os.chmod(temporary, self.file_permissions_mode)
            os.replace(temporary, path)
        except BaseException:
            if os.path.exists(temporary):
                os.unlink(temporary)
            raise


class EncryptedS3Storage(EncryptedStorageMixin, S3Storage):
    """A private S3-compatible bucket (MinIO in docker-compose); objects encrypted client-side,
    so neither the bucket's operator nor a leaked signed URL sees an image."""

    def replace_stored(self, name, data: bytes) -> None:
        key = self._normalize_name(clean_name(name))
        self.bucket.Object(key).put(
            Body=data, ACL="private", ContentType="application/octet-stream"
        )
