"""Upload checks: only real, reasonable, readable images are stored, re-encoded without EXIF."""

import datetime
import io
import random
import struct
import zlib

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


def _png_claiming(width: int, height: int) -> bytes:
    """A valid PNG header for a huge image with one row of data: tiny, and cheap to make."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    row = zlib.compress(b"\0" * (width + 1))
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", row) + chunk(b"IEND", b"")


def _jpeg_claiming(width: int, height: int) -> bytes:
    """A small real JPEG whose frame header (SOF0) is rewritten to claim a huge size."""
    data = bytearray(_jpeg(Image.new("L", (16, 16), 128)))
    frame = data.index(b"\xff\xc0")
    data[frame + 5 : frame + 9] = struct.pack(">HH", height, width)
    return bytes(data)


@pytest.mark.parametrize(
    "content,name",
    [(_png_claiming(20_000, 20_000), "bomb.png"), (_jpeg_claiming(20_000, 20_000), "bomb.jpg")],
)
def test_pillows_decompression_bomb_guard_gives_a_clear_message(
    customer_client, draft, content, name
):
    assert len(content) < 100_000  # small on disk, 400 megapixels decoded
    response = _post(customer_client, content, name=name)
    _assert_refused(response, "This image has far too many pixels for a photo or scan", draft)


def test_small_png_of_6300_by_6300_pixels_is_refused_before_decoding(customer_client, draft):
    buffer = io.BytesIO()
    Image.new("L", (6300, 6300), 200).save(buffer, "PNG")  # one colour: a tiny file
    assert len(buffer.getvalue()) < 200_000
    response = _post(customer_client, buffer.getvalue(), name="a.png", content_type="image/png")
    _assert_refused(
        response, "This image is 6300 × 6300 pixels; a PNG or a progressive JPEG can have at most "
        "20 megapixels.", draft
    )  # fmt: skip


def test_progressive_jpeg_is_held_to_the_whole_decode_limit(customer_client, draft):
    content = _jpeg_claiming(6000, 4000).replace(b"\xff\xc0", b"\xff\xc2", 1)  # SOF2
    response = _post(customer_client, content)
    _assert_refused(response, "a PNG or a progressive JPEG can have at most 20 megapixels", draft)


def test_baseline_jpeg_over_the_jpeg_limit_is_refused(customer_client, draft):
    response = _post(customer_client, _jpeg_claiming(12_000, 11_000))  # 132 megapixels
    _assert_refused(response, "the limit is 120 megapixels", draft)


@pytest.mark.parametrize(
    "size,scale",
    [
        ((1200, 900), 1),
        ((4032, 3024), 1),
        ((8160, 6120), 2),
        ((12_000, 9_000), 4),
        ((5472, 3648), 1),
    ],
)
def test_jpeg_decode_scale_keeps_detail_and_bounds_pixels(size, scale):
    assert uploads.decode_scale(*size) == scale
    decoded = (size[0] // scale) * (size[1] // scale)
    assert decoded <= uploads.MAX_DECODED_PIXELS


def test_fifty_megapixel_phone_photo_is_stored_reduced_upright_and_still_readable(
    customer_client, draft
):
    """A 50 MP photo with EXIF orientation 6 (sensor on its side): decoded at half size, turned
    upright, and the MRZ in the stored copy still reads correctly."""
    from benchmarks.mrz.generate import ground_truth, random_document, render_document
    from verification.ocr import read_mrz

    today = datetime.date.today()
    rng = random.Random("fifty-megapixels")
    document = random_document(rng, "TD3", today)
    page = render_document(document, rng, 12.0).convert("L")  # rendering larger is slow
    page = page.resize((4900, round(4900 * page.height / page.width)), Image.Resampling.LANCZOS)
    upright = Image.new("L", (8160, 6120), 120)
    upright.paste(page, ((8160 - page.width) // 2, (6120 - page.height) // 2))
    del page
    exif = Image.Exif()
    exif[0x0112] = 6  # rotate 90° clockwise to view
    content = _jpeg(upright.transpose(Image.Transpose.ROTATE_90), exif=exif.tobytes())
    del upright
    assert len(content) < 10 * 1024 * 1024

    response = _post(customer_client, content, name="IMG_0001.jpg")

    assert response.status_code == 302
    stored_document = Document.objects.get(verification=draft)
    assert (stored_document.width, stored_document.height) == (4080, 3060)  # landscape again
    with stored_document.file.open("rb") as handle:
        stored = Image.open(io.BytesIO(handle.read()))
        stored.load()
    assert stored.size == (4080, 3060)
    assert not stored.getexif()
    reading = read_mrz(stored)
    assert reading.raw_text == ground_truth(document, today)["raw_text"]


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
