"""Upload checks: only real, reasonable, readable images are stored, re-encoded without EXIF."""

import io

import pytest
from django.urls import reverse
from PIL import Image, ImageFilter

from tests.factories import VerificationFactory, png_bytes
from verification import uploads
from verification.models import Document, Verification

from .conftest import upload

pytestmark = pytest.mark.django_db


@pytest.fixture
def draft(customer):
    return VerificationFactory(user=customer, surname="", document_number="")


def _post(client, content, name="passport.jpg", content_type="image/jpeg", kind="passport_page"):
    return client.post(
        reverse("verification:documents"),
        {"kind": kind, "file": upload(content, name=name, content_type=content_type)},
    )


def _jpeg(image, **kwargs) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=90, **kwargs)
    return buffer.getvalue()


def _assert_refused(response, text, draft):
    assert response.status_code == 400
    assert text in response.content.decode()
    assert not Document.objects.filter(verification=draft).exists()
    assert Verification.objects.get(pk=draft.pk).evidence_version == draft.evidence_version


def test_text_file_renamed_jpg_is_refused(customer_client, draft):
    response = _post(customer_client, b"name,passport\nJane,P123\n" * 100)
    _assert_refused(response, "This file is not a JPEG or PNG image.", draft)


def test_gif_is_refused_even_though_it_is_an_image(customer_client, draft):
    buffer = io.BytesIO()
    Image.new("RGB", (1200, 900), "white").save(buffer, "GIF")
    response = _post(customer_client, buffer.getvalue(), name="a.png", content_type="image/png")
    _assert_refused(response, "This file is not a JPEG or PNG image.", draft)


def test_decompression_bomb_of_20000_by_20000_pixels_is_refused(customer_client, draft):
    buffer = io.BytesIO()
    Image.new("1", (20_000, 20_000)).save(buffer, "PNG")
    assert len(buffer.getvalue()) < 1_000_000  # small on disk, 400 megapixels decoded
    response = _post(customer_client, buffer.getvalue(), name="bomb.png", content_type="image/png")
    _assert_refused(response, "This image has too many pixels", draft)


def test_twelve_megabyte_file_is_refused(customer_client, draft):
    content = png_bytes() + b"\0" * (12 * 1024 * 1024)
    response = _post(customer_client, content, name="big.png", content_type="image/png")
    _assert_refused(response, "the limit is 10.0\xa0MB", draft)


def test_blurry_photo_is_refused_with_advice(customer_client, draft):
    image = Image.open(io.BytesIO(png_bytes())).filter(ImageFilter.GaussianBlur(6))
    response = _post(customer_client, _jpeg(image))
    _assert_refused(response, "This photo is too blurry to read. Hold the phone steady", draft)


def test_dark_photo_is_refused_with_advice(customer_client, draft):
    image = Image.open(io.BytesIO(png_bytes())).point(lambda v: v // 8)
    response = _post(customer_client, _jpeg(image))
    _assert_refused(response, "This photo is too dark to read.", draft)


def test_tiny_image_is_refused(customer_client, draft):
    response = _post(customer_client, png_bytes(400, 300), name="s.png", content_type="image/png")
    _assert_refused(response, "This image is only 400 × 300 pixels", draft)


def test_stored_image_is_reencoded_without_exif_under_a_random_name(customer_client, draft):
    image = Image.open(io.BytesIO(png_bytes()))
    exif = Image.Exif()
    exif[0x010F] = "SecretPhoneMaker"  # Make
    exif[0x8825] = {2: (51.0, 30.0, 0.0)}  # GPSInfo: latitude
    original = _jpeg(image, exif=exif.tobytes())
    assert b"SecretPhoneMaker" in original
    response = _post(customer_client, original, name="../../etc/my-passport.jpg")
    assert response.status_code == 302
    document = Document.objects.get(verification=draft)
    with document.file.open("rb") as handle:
        stored = handle.read()
    assert b"SecretPhoneMaker" not in stored
    assert not Image.open(io.BytesIO(stored)).getexif()
    assert "passport" not in document.file.name and "etc" not in document.file.name
    assert document.content_type == "image/jpeg"
    assert (document.width, document.height) == image.size
    assert document.sharpness > uploads.MIN_SHARPNESS
    assert len(document.sha256) == 64


def test_second_upload_of_a_kind_supersedes_the_first_without_overwriting(customer_client, draft):
    _post(customer_client, png_bytes(), name="a.png", content_type="image/png")
    _post(
        customer_client, png_bytes(colour=(230, 230, 220)), name="a.png", content_type="image/png"
    )
    first, second = Document.objects.filter(verification=draft).order_by("created_at", "pk")
    assert first.superseded_at is not None and second.superseded_at is None
    assert first.file.name != second.file.name
    assert first.file.storage.exists(first.file.name)  # kept for the record


def test_phone_photo_of_a_passport_passes_the_quality_check(customer_client, draft):
    from .conftest import generated_passport

    image, _truth = generated_passport("phone", "hard")
    prepared = uploads.prepare_image(upload(image, name="p.jpg", content_type="image/jpeg"))
    assert prepared.sharpness >= uploads.MIN_SHARPNESS
