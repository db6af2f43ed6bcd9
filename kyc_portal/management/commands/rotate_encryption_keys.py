"""Re-encrypts every encrypted column and every stored document under the newest key.

Rotation: put a new key first in FIELD_ENCRYPTION_KEYS (keep the old ones after it), deploy,
run this command, then drop the old keys. Safe to run again: values already under the newest
key are simply re-encrypted, and a file or row is replaced whole.
"""

from django.apps import apps
from django.core.management.base import BaseCommand
from django.db import transaction

from kyc_portal.fields import EncryptedDateField, EncryptedTextField
from verification.models import Document

BATCH = 500


def encrypted_fields(model) -> list[str]:
    return [
        field.name
        for field in model._meta.concrete_fields
        if isinstance(field, EncryptedTextField | EncryptedDateField)
    ]


def rotate_model(model) -> int:
    """Reads each row (decrypting with any key) and writes it back (encrypting with the first)."""
    names = encrypted_fields(model)
    if not names:
        return 0
    rotated = 0
    pks = list(model._default_manager.order_by("pk").values_list("pk", flat=True))
    for start in range(0, len(pks), BATCH):
        # Each batch is read under a row lock and written in the same transaction: a worker
        # recording an OCR result or a customer editing meanwhile waits instead of having their
        # new value overwritten by the old one read earlier. Short batches keep the waits short.
        with transaction.atomic():
            rows = (
                model._default_manager.select_for_update()
                .filter(pk__in=pks[start : start + BATCH])
                .order_by("pk")
                .values("pk", *names)
            )
            for row in rows:
                values = {name: row[name] for name in names if row[name] not in (None, "")}
                if values:
                    # update() skips save(): no auto_now timestamps move and no signals fire.
                    model._default_manager.filter(pk=row["pk"]).update(**values)
                    rotated += 1
    return rotated


def rotate_documents() -> int:
    rotated = 0
    present = Document.objects.filter(file_deleted_at__isnull=True).exclude(file="")
    for pk in present.order_by("pk").values_list("pk", flat=True).iterator(BATCH):
        with transaction.atomic():
            # Locked like the retention purge and erasure lock it: a file they delete meanwhile
            # is skipped here, never written back after its deletion.
            document = (
                Document.objects.select_for_update()
                .filter(pk=pk, file_deleted_at__isnull=True)
                .exclude(file="")
                .only("pk", "file")
                .first()
            )
            if document is None:
                continue
            storage = document.file.storage
            if hasattr(storage, "rotate") and storage.exists(document.file.name):
                storage.rotate(document.file.name)
                rotated += 1
    return rotated


class Command(BaseCommand):
    help = (
        "Re-encrypt encrypted fields and document files with the first FIELD_ENCRYPTION_KEYS key."
    )

    def handle(self, *args, **options):
        for model in apps.get_models():
            if encrypted_fields(model):
                count = rotate_model(model)
                self.stdout.write(f"{model._meta.label}: {count} rows re-encrypted")
        files = rotate_documents()
        self.stdout.write(f"Documents: {files} files re-encrypted")
        self.stdout.write(self.style.SUCCESS("Done. Old keys can now be removed."))
