"""Wizard test helpers: generated passports (the OCR benchmark's generator) and uploads."""

import datetime
import functools
import io
import random

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from tests.factories import png_bytes


@functools.lru_cache(maxsize=8)
def generated_passport(seed: str = "wizard", level: str = "clean") -> tuple[bytes, dict]:
    """(PNG/JPEG bytes, ground truth) of a synthetic TD3 passport with a future expiry date."""
    from benchmarks.mrz.generate import degrade, ground_truth, random_document

    today = datetime.date.today()
    rng = random.Random(seed)
    while True:
        document = random_document(rng, "TD3", today)
        truth = ground_truth(document, today)
        adult = datetime.date.fromisoformat(truth["date_of_birth"]) < today.replace(
            year=today.year - 19
        )
        valid = datetime.date.fromisoformat(truth["expiration_date"]) > today + datetime.timedelta(
            days=30
        )
        if adult and valid and 6 <= len(truth["number"]) <= 9:
            break
    image = degrade(document, level, rng)
    buffer = io.BytesIO()
    image.save(buffer, "PNG" if level == "clean" else "JPEG", quality=92)
    return buffer.getvalue(), truth


def upload(content: bytes, name="photo.png", content_type="image/png") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type=content_type)


def typed_from_truth(truth: dict) -> dict:
    """What a careful customer types from the generated passport: the MRZ fields."""
    from django_countries import countries

    nationality = "DEU" if truth["nationality"] == "D" else truth["nationality"]
    return {
        "surname": truth["surname"],
        "given_names": truth["names"],
        "sex": truth["sex"],
        "date_of_birth": truth["date_of_birth"],
        "document_number": truth["number"],
        "nationality": countries.alpha2(nationality),
        "expiry_date": truth["expiration_date"],
    }


@pytest.fixture
def photo():
    """A plain, sharp PNG that passes the upload checks (no MRZ)."""
    return png_bytes()


def ocr_dev_images():
    """The real MRZ development images (settings.MRZ_DEV_IMAGES_DIR); skips when absent."""
    from pathlib import Path

    from django.conf import settings

    folder = Path(settings.MRZ_DEV_IMAGES_DIR) / "images"
    if not folder.is_dir():
        pytest.skip(f"MRZ development images not found in {folder}")
    return folder
