"""Upload checks: only real, reasonable, readable images are stored, re-encoded without EXIF."""

import datetime
import io
import random
import struct
import zlib

import pytest
from django.test import Client
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
    from verification.mrz.read import read_mrz

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


# --- the stored copy holds pixels and nothing the uploader wrote ------------------------------

CANARIES = {
    "comment": b"CANARY-COMMENT<script>alert(1)</script>",
    "exif": b"CANARY-EXIF",
    "xmp": b"CANARY-XMP",
    "icc": b"CANARY-ICC",
    "iptc": b"CANARY-IPTC",
    "text": b"CANARY-TEXT",
    "ztext": b"CANARY-ZTEXT",
    "itext": b"CANARY-ITEXT",
    "private": b"CANARY-PRIVATE",
}
# A profile Pillow carries along without parsing: a header's worth of bytes and the canary.
FAKE_ICC = b"\0" * 128 + CANARIES["icc"]


def _exif_with_canary() -> Image.Exif:
    exif = Image.Exif()
    exif[0x010F] = CANARIES["exif"].decode()  # Make
    exif[0x010E] = CANARIES["exif"].decode()  # ImageDescription
    exif[0x0112] = 1
    return exif


def _jpeg_full_of_metadata() -> bytes:
    image = Image.open(io.BytesIO(png_bytes()))
    iptc = b"Photoshop 3.0\0" + CANARIES["iptc"]
    app13 = b"\xff\xed" + struct.pack(">H", len(iptc) + 2) + iptc
    content = _jpeg(
        image,
        exif=_exif_with_canary().tobytes(),
        comment=CANARIES["comment"],
        xmp=b'<x:xmpmeta xmlns:x="adobe:ns:meta/">' + CANARIES["xmp"] + b"</x:xmpmeta>",
        icc_profile=FAKE_ICC,
        extra=app13,
    )
    for kind in ("comment", "exif", "xmp", "icc", "iptc"):
        assert CANARIES[kind] in content  # each kind of metadata really is in the upload
    return content


def _png_full_of_metadata() -> bytes:
    from PIL.PngImagePlugin import PngInfo

    info = PngInfo()
    info.add_text("Comment", CANARIES["text"].decode())
    info.add_text("Description", CANARIES["ztext"].decode(), zip=True)
    info.add_itxt("XML:com.adobe.xmp", CANARIES["itext"].decode() + " " + CANARIES["xmp"].decode())
    info.add(b"prVt", CANARIES["private"])
    buffer = io.BytesIO()
    Image.open(io.BytesIO(png_bytes())).save(
        buffer, "PNG", pnginfo=info, icc_profile=FAKE_ICC, exif=_exif_with_canary().tobytes()
    )
    content = buffer.getvalue()
    opened = Image.open(io.BytesIO(content))
    assert CANARIES["icc"] in opened.info["icc_profile"]  # compressed in the file (iCCP)
    assert CANARIES["ztext"].decode() in opened.text["Description"]  # compressed (zTXt)
    for kind in ("text", "itext", "private", "exif"):
        assert CANARIES[kind] in content
    return content


def _jpeg_markers(data: bytes) -> list[int]:
    """The marker codes up to the start of the scan (SOS), where the pixels begin."""
    markers, position = [], 2
    assert data[:2] == b"\xff\xd8"
    while True:
        marker = data[position + 1]
        markers.append(marker)
        if marker == 0xDA:
            return markers
        (length,) = struct.unpack(">H", data[position + 2 : position + 4])
        position += 2 + length


def _png_chunks(data: bytes) -> list[bytes]:
    chunks, position = [], 8
    while position < len(data):
        (length,) = struct.unpack(">I", data[position : position + 4])
        chunks.append(data[position + 4 : position + 8])
        position += 12 + length
    return chunks


def _stored_and_served(client, document: Document) -> tuple[bytes, bytes]:
    """The stored file decrypted from its raw bytes, and what the document view serves."""
    from kyc_portal.storage import decrypt_bytes

    sealed = document.file.storage.read_stored(document.file.name)
    assert not any(canary in sealed for canary in CANARIES.values())
    stored = decrypt_bytes(sealed)
    response = client.get(reverse("verification:document", args=[document.pk]))
    assert response.status_code == 200
    return stored, b"".join(response.streaming_content)


def test_stored_jpeg_has_no_comment_exif_xmp_icc_or_iptc(customer_client, draft):
    response = _post(customer_client, _jpeg_full_of_metadata())
    assert response.status_code == 302
    document = Document.objects.get(verification=draft)
    stored, served = _stored_and_served(customer_client, document)
    assert served == stored
    for canary in CANARIES.values():
        assert canary not in stored
    # Start of image, JFIF header, tables, frame, scan: no APPn beyond JFIF, no comment (COM).
    assert set(_jpeg_markers(stored)) <= {0xD8, 0xE0, 0xDB, 0xC0, 0xC4, 0xDA}
    opened = Image.open(io.BytesIO(stored))
    assert not {"comment", "exif", "xmp", "icc_profile", "photoshop"} & set(opened.info)
    assert not opened.getexif()


def test_stored_png_has_no_text_chunks_icc_exif_or_private_chunks(customer_client, draft):
    response = _post(
        customer_client, _png_full_of_metadata(), name="s.png", content_type="image/png"
    )
    assert response.status_code == 302
    document = Document.objects.get(verification=draft)
    stored, served = _stored_and_served(customer_client, document)
    assert served == stored
    for canary in CANARIES.values():
        assert canary not in stored
    assert set(_png_chunks(stored)) == {b"IHDR", b"IDAT", b"IEND"}
    opened = Image.open(io.BytesIO(stored))
    assert opened.info == {} or set(opened.info) <= {"dpi"}
    assert not opened.text


def test_phone_rotation_is_applied_to_the_pixels_before_exif_is_dropped(customer_client, draft):
    upright = Image.open(io.BytesIO(png_bytes(1200, 850))).convert("RGB")
    upright.paste((0, 0, 0), (0, 0, 300, 200))  # a black corner: top left when upright
    exif = Image.Exif()
    exif[0x0112] = 6  # the sensor's pixels are on their side: turn 90° clockwise to view
    response = _post(
        customer_client, _jpeg(upright.transpose(Image.Transpose.ROTATE_90), exif=exif.tobytes())
    )
    assert response.status_code == 302
    document = Document.objects.get(verification=draft)
    with document.file.open("rb") as handle:
        stored = Image.open(io.BytesIO(handle.read())).convert("L")
    assert stored.size == (1200, 850) == (document.width, document.height)
    assert not stored.getexif()
    assert stored.getpixel((100, 100)) < 40  # the black corner is top left again
    assert stored.getpixel((1100, 750)) > 150


def test_a_phones_multi_picture_jpeg_is_stored_as_its_first_picture(customer_client, draft):
    """Some phones write MPO: a JPEG with a depth map or preview appended."""
    photo = Image.open(io.BytesIO(png_bytes(1200, 850))).convert("RGB")
    depth_map = Image.new("RGB", (600, 425), (255, 0, 0))
    buffer = io.BytesIO()
    photo.save(buffer, "MPO", save_all=True, append_images=[depth_map])
    assert Image.open(io.BytesIO(buffer.getvalue())).format == "MPO"

    response = _post(customer_client, buffer.getvalue())

    assert response.status_code == 302
    document = Document.objects.get(verification=draft)
    with document.file.open("rb") as handle:
        stored = Image.open(io.BytesIO(handle.read()))
        stored.load()
    assert (stored.format, stored.size, document.content_type) == (
        "JPEG",
        (1200, 850),
        "image/jpeg",
    )
    assert getattr(stored, "n_frames", 1) == 1
    assert stored.getpixel((620, 425))[1] > 100  # the photo, not the red depth map


def test_transparent_png_is_stored_on_white_without_alpha(customer_client, draft):
    image = Image.open(io.BytesIO(png_bytes())).convert("RGBA")
    image.paste((0, 0, 0, 0), (0, 0, 400, 300))  # transparent (black underneath)
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    response = _post(customer_client, buffer.getvalue(), name="t.png", content_type="image/png")
    assert response.status_code == 302
    with Document.objects.get(verification=draft).file.open("rb") as handle:
        stored = Image.open(io.BytesIO(handle.read()))
        stored.load()
    assert stored.mode == "RGB"
    assert stored.getpixel((10, 10)) == (255, 255, 255)


def test_sixteen_bit_grey_scan_is_scaled_not_clipped_to_white(customer_client, draft):
    from PIL import ImageDraw

    image = Image.new("I;16", (1200, 850), 50_000)  # paper at 50000 of 65535
    draw = ImageDraw.Draw(image)
    for x in range(0, 1200, 40):
        draw.line([(x, 0), (x, 850)], fill=5_000, width=2)
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    response = _post(customer_client, buffer.getvalue(), name="g.png", content_type="image/png")
    assert response.status_code == 302
    with Document.objects.get(verification=draft).file.open("rb") as handle:
        stored = Image.open(io.BytesIO(handle.read()))
        stored.load()
    assert stored.mode == "L"
    assert stored.getpixel((20, 400)) == 50_000 // 256  # paper
    assert stored.getpixel((0, 400)) == 5_000 // 256  # ink


# --- how many uploads one customer may send -----------------------------------------------------


@pytest.fixture
def two_uploads_an_hour(settings):
    settings.ACCOUNT_RATE_LIMITS = {**settings.ACCOUNT_RATE_LIMITS, "document_upload": "2/h/user"}


def test_upload_over_the_rate_limit_is_refused_and_keeps_what_was_saved(
    customer_client, customer, draft, two_uploads_an_hour
):
    from accounts.models import RiskEvent

    first = _post(customer_client, png_bytes(), name="a.png", content_type="image/png")
    second = _post(
        customer_client,
        png_bytes(colour=(230, 230, 220)),
        name="b.png",
        content_type="image/png",
        kind="holding_photo",
    )
    assert first.status_code == second.status_code == 302
    kept = {d.pk: d.file.name for d in Document.objects.filter(verification=draft)}
    evidence_version = Verification.objects.get(pk=draft.pk).evidence_version

    response = _post(customer_client, png_bytes(colour=(210, 210, 200)), name="c.png")

    assert response.status_code == 429
    assert "You have uploaded many images in a short time." in response.content.decode()
    current = Document.objects.filter(verification=draft, superseded_at__isnull=True)
    assert {d.pk: d.file.name for d in current} == kept  # nothing replaced, nothing added
    assert Document.objects.filter(verification=draft).count() == 2
    for document in current:
        assert document.file.storage.exists(document.file.name)
    assert Verification.objects.get(pk=draft.pk).evidence_version == evidence_version
    event = RiskEvent.objects.get()
    assert event.user == customer and event.kind == RiskEvent.Kind.OTHER_RATE_LIMITED


def test_upload_rate_limit_counts_each_customer_alone(
    client, customer_client, draft, outsider, two_uploads_an_hour
):
    for _ in range(2):
        _post(customer_client, png_bytes(), name="a.png", content_type="image/png")
    assert _post(customer_client, png_bytes(), name="a.png").status_code == 429

    other_draft = VerificationFactory(user=outsider, surname="", document_number="")
    other = Client()
    other.force_login(outsider)
    response = _post(other, png_bytes(), name="a.png", content_type="image/png")
    assert response.status_code == 302
    assert Document.objects.filter(verification=other_draft).count() == 1


def test_rate_limit_message_is_translated(customer_client, draft, two_uploads_an_hour):
    customer_client.cookies["django_language"] = "zh-hans"
    for _ in range(2):
        _post(customer_client, png_bytes(), name="a.png", content_type="image/png")
    response = _post(customer_client, png_bytes(), name="a.png", content_type="image/png")
    assert response.status_code == 429
    assert "您在短时间内上传了过多图片" in response.content.decode()
