"""Checking and re-encoding uploaded identity document images.

Only the decoded pixels are trusted: the file name and the declared content type are ignored.
The stored file is a fresh encoding of those pixels and nothing else: no EXIF (GPS, camera
serials), XMP, ICC profile, comment or PNG text chunk the uploader wrote reaches storage.

Memory per upload is bounded whatever the image's size: JPEG is decoded reduced (libjpeg scales
by 1/2, 1/4 or 1/8 while decoding), formats that must be decoded whole are refused beyond a pixel
limit, and the stored copy is at most MAX_STORED_SIDE on its longest side.
"""

import hashlib
import io
import json
import warnings
from dataclasses import dataclass

import numpy as np
from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.formats import number_format
from django.utils.translation import gettext_lazy as _
from PIL import Image, ImageOps, UnidentifiedImageError

# MPO is the JPEG some phones write with a second picture (depth, preview) appended: its first
# picture is a plain JPEG, and only that one is kept.
ALLOWED_FORMATS = {"JPEG": "image/jpeg", "MPO": "image/jpeg", "PNG": "image/png"}
# The stored (and checked) copy's longest side. OCR shrinks to 2000 px anyway
# (ocr/locate.py MAX_WORKING_SIDE), so an MRZ keeps all the detail OCR uses even when the
# document fills only half the frame; a 12-megapixel phone photo (4032 px) is kept whole.
MAX_STORED_SIDE = 4096
# Pixels decoded at once: at most ~80 MB (Pillow keeps RGB as 4 bytes a pixel). A PNG or a
# progressive JPEG is decoded whole (libjpeg buffers a progressive file's coefficients for the
# whole image), so larger ones are refused. This admits an A4 scan at 400 dpi (15.5 MP).
MAX_DECODED_PIXELS = 20_000_000
# A baseline JPEG is decoded at 1/2, 1/4 or 1/8 scale to stay within MAX_DECODED_PIXELS, so it
# may be far larger: this admits 50- and 108-megapixel phone cameras.
MAX_JPEG_PIXELS = 120_000_000
MIN_LONG_SIDE = 800
MIN_SHORT_SIDE = 500
# Measured on generated passports: sharp scans score 500-1100, phone photos 140-450, a 3 px
# Gaussian blur 2-10. Brightness is the mean grey level (0-255).
MIN_SHARPNESS = 25.0
MIN_BRIGHTNESS = 40.0
MAX_BRIGHTNESS = 250.0
# Quality figures are measured on a copy at most this wide, so they do not depend on resolution.
MEASURE_SIZE = (1000, 1000)


@dataclass(frozen=True)
class PreparedImage:
    """A checked, re-encoded image ready for storage."""

    content: bytes
    content_type: str
    extension: str
    width: int
    height: int
    sha256: str
    sharpness: float
    brightness: float


TOO_LARGE = _(
    "This file is %(size)s; the limit is %(limit)s. Take the photo again at a lower resolution "
    "or save it as JPEG."
)


def browser_size_check() -> dict:
    """What the upload page's script needs to refuse an oversized file before sending it, with
    the message the server gives: the limit, the message ("{size}" to fill in) and how
    filesizeformat writes each unit in the current language ("%s" for the number)."""
    one = number_format(1.0, 1)
    units = {"B": filesizeformat(2).replace("2", "%s", 1)}
    for unit, size in (("KB", 1 << 10), ("MB", 1 << 20), ("GB", 1 << 30)):
        units[unit] = filesizeformat(size).replace(one, "%s", 1)
    limit = filesizeformat(settings.MAX_UPLOAD_BYTES)
    return {
        "max_bytes": settings.MAX_UPLOAD_BYTES,
        "limit": limit,
        "too_large": str(TOO_LARGE) % {"size": "{size}", "limit": limit},
        "units": json.dumps(units, ensure_ascii=False),
    }


def prepare_image(uploaded) -> PreparedImage:
    """Checks an uploaded file and returns it re-encoded; raises ValidationError with advice."""
    max_bytes = settings.MAX_UPLOAD_BYTES
    if uploaded.size > max_bytes:
        raise ValidationError(
            TOO_LARGE,
            code="too_large",
            params={"size": filesizeformat(uploaded.size), "limit": filesizeformat(max_bytes)},
        )
    # One expression, so no name keeps the full-size decode alive while it is shrunk.
    image = _decode(_open_image(uploaded))
    sharpness, brightness = measure_quality(image)
    if brightness < MIN_BRIGHTNESS:
        raise ValidationError(
            _(
                "This photo is too dark to read. Take it again in daylight or a well-lit room, "
                "without covering the document."
            ),
            code="too_dark",
        )
    if brightness > MAX_BRIGHTNESS:
        raise ValidationError(
            _(
                "This photo is too bright (overexposed). Avoid direct light or flash on the "
                "document and take it again."
            ),
            code="too_bright",
        )
    if sharpness < MIN_SHARPNESS:
        raise ValidationError(
            _(
                "This photo is too blurry to read. Hold the phone steady, let it focus on the "
                "document and take it again."
            ),
            code="blurry",
        )
    return _reencode(image, sharpness, brightness)


def _open_image(uploaded) -> Image.Image:
    """The image with only its header read; refuses non-images, and sizes too large to decode
    or too small to read."""
    uploaded.seek(0)
    data = uploaded.read()
    not_an_image = ValidationError(
        _("This file is not a JPEG or PNG image. Upload a photo or scan of the document."),
        code="not_an_image",
    )
    try:
        image = _open_quietly(data)
        image.verify()  # structure check without decoding the pixels
    except Image.DecompressionBombError:
        # Pillow's own guard (beyond ~179 megapixels), far over our limits.
        raise _too_many_pixels(None) from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError):
        raise not_an_image from None
    if image.format not in ALLOWED_FORMATS:
        raise not_an_image
    # The header's size is known before decoding: refuse what would not fit without expanding it.
    if image.size[0] * image.size[1] > _pixel_limit(image):
        raise _too_many_pixels(image)
    width, height = image.size
    if max(width, height) < MIN_LONG_SIDE or min(width, height) < MIN_SHORT_SIDE:
        raise ValidationError(
            _("This image is only %(width)s × %(height)s pixels; we need at least %(long)s × "
              "%(short)s so every character can be read. Take the photo closer or at a higher "
              "resolution."),
            code="too_small",
            params={"width": width, "height": height,
                    "long": MIN_LONG_SIDE, "short": MIN_SHORT_SIDE},
        )  # fmt: skip
    return _open_quietly(data)  # verify() leaves the image unusable


def _open_quietly(data: bytes) -> Image.Image:
    with warnings.catch_warnings():
        # Our limits decide from the header; Pillow's warning (89 MP) would refuse a 108-MP photo.
        warnings.simplefilter("ignore", Image.DecompressionBombWarning)
        return Image.open(io.BytesIO(data))


def _decodes_reduced(image: Image.Image) -> bool:
    return image.format in ("JPEG", "MPO") and not image.info.get("progressive")


def _pixel_limit(image: Image.Image) -> int:
    return MAX_JPEG_PIXELS if _decodes_reduced(image) else MAX_DECODED_PIXELS


def _too_many_pixels(image: Image.Image | None) -> ValidationError:
    """The refusal for an image over our pixel limits (None: over Pillow's own bomb guard)."""
    if image is None:
        return ValidationError(
            _("This image has far too many pixels for a photo or scan of a document. Upload "
              "the camera's original photo or a normal scan."),
            code="too_many_pixels",
        )  # fmt: skip
    if not _decodes_reduced(image):
        return ValidationError(
            _("This image is %(width)s × %(height)s pixels; a PNG or a progressive JPEG can "
              "have at most %(limit)s megapixels. Upload the camera's original photo, or scan "
              "the document at 300 dpi."),
            code="too_many_pixels",
            params={"width": image.size[0], "height": image.size[1],
                    "limit": MAX_DECODED_PIXELS // 1_000_000},
        )  # fmt: skip
    return ValidationError(
        _("This image has too many pixels (the limit is %(limit)s megapixels). Upload a normal "
          "photo or scan of the document."),
        code="too_many_pixels",
        params={"limit": MAX_JPEG_PIXELS // 1_000_000},
    )  # fmt: skip


def decode_scale(width: int, height: int) -> int:
    """The JPEG decoding scale (1, 2, 4 or 8): as large as keeps MAX_STORED_SIDE, and larger
    still until the decoded pixels fit MAX_DECODED_PIXELS."""
    scale = 1
    while scale < 8 and (
        max(width, height) // (scale * 2) >= MAX_STORED_SIDE
        or (width // scale) * (height // scale) > MAX_DECODED_PIXELS
    ):
        scale *= 2
    return scale


def _decode(image: Image.Image) -> Image.Image:
    """Bounded, upright pixels in RGB or L: reduced while decoding where the format allows,
    transparency on white, shrunk to MAX_STORED_SIDE, EXIF rotation applied."""
    source_format = image.format
    try:
        if _decodes_reduced(image):
            scale = decode_scale(*image.size)
            if scale > 1:
                image.draft(image.mode, (image.size[0] // scale, image.size[1] // scale))
        image.load()
        image = _flattened(image)
        # Shrink before rotating, so the rotation copies the small image, not the large one.
        image.thumbnail((MAX_STORED_SIDE, MAX_STORED_SIDE), Image.Resampling.LANCZOS)
        image = ImageOps.exif_transpose(image)  # the phone's rotation, before EXIF is dropped
    except (OSError, ValueError, SyntaxError, EOFError, Image.DecompressionBombError):
        raise ValidationError(
            _("This image is damaged and cannot be opened. Upload the original photo again."),
            code="damaged",
        ) from None
    image.format = source_format
    return image


def _flattened(image: Image.Image) -> Image.Image:
    """RGB or L pixels: transparency laid on white paper (no alpha left to hide things in),
    16-bit grey scaled down rather than clipped to white."""
    if image.mode.startswith("I"):
        return image.convert("I").point(lambda value: value * (1 / 256)).convert("L")
    if image.has_transparency_data:
        rgba = image if image.mode == "RGBA" else image.convert("RGBA")
        paper = Image.new("RGB", image.size, "white")
        paper.paste(rgba, mask=rgba)  # the alpha band in place, without a copy of it
        paper.info = {key: value for key, value in image.info.items() if key != "transparency"}
        return paper  # info kept for the EXIF orientation
    if image.mode in ("RGB", "L"):
        return image
    return image.convert("L" if image.mode == "1" else "RGB")


def measure_quality(image: Image.Image) -> tuple[float, float]:
    """(sharpness, brightness): variance of the Laplacian and mean grey level of a small copy."""
    grey = image.convert("L")
    grey.thumbnail(MEASURE_SIZE)
    pixels = np.asarray(grey, dtype=np.float32)
    laplacian = (
        4 * pixels[1:-1, 1:-1]
        - pixels[:-2, 1:-1]
        - pixels[2:, 1:-1]
        - pixels[1:-1, :-2]
        - pixels[1:-1, 2:]
    )
    return float(laplacian.var()), float(pixels.mean())


def _reencode(image: Image.Image, sharpness: float, brightness: float) -> PreparedImage:
    # Pillow writes some of what it read back out (JPEG comment, ICC profile, PNG transparency):
    # an image with no info has nothing but its pixels to write.
    image.info = {}
    buffer = io.BytesIO()
    if image.format == "PNG":
        image.save(buffer, "PNG", optimize=False)
        content_type, extension = "image/png", "png"
    else:
        image.save(buffer, "JPEG", quality=92)
        content_type, extension = "image/jpeg", "jpg"
    content = buffer.getvalue()
    return PreparedImage(
        content=content,
        content_type=content_type,
        extension=extension,
        width=image.size[0],
        height=image.size[1],
        sha256=hashlib.sha256(content).hexdigest(),
        sharpness=round(sharpness, 1),
        brightness=round(brightness, 1),
    )
