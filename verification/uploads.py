"""Checking and re-encoding uploaded identity document images.

Only the decoded pixels are trusted: the file name and the declared content type are ignored.
The stored file is a fresh encoding of those pixels, so EXIF (GPS, camera serials) never reaches
storage.
"""

import hashlib
import io
import warnings
from dataclasses import dataclass

import numpy as np
from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _
from PIL import Image, ImageOps, UnidentifiedImageError

ALLOWED_FORMATS = {"JPEG": "image/jpeg", "PNG": "image/png"}
# Decompression bombs: a small file that expands to billions of pixels. 40 megapixels is more
# than any phone camera delivers.
MAX_PIXELS = 40_000_000
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


def prepare_image(uploaded) -> PreparedImage:
    """Checks an uploaded file and returns it re-encoded; raises ValidationError with advice."""
    max_bytes = settings.MAX_UPLOAD_BYTES
    if uploaded.size > max_bytes:
        raise ValidationError(
            _("This file is %(size)s; the limit is %(limit)s. Take the photo again at a lower "
              "resolution or save it as JPEG."),
            code="too_large",
            params={"size": filesizeformat(uploaded.size), "limit": filesizeformat(max_bytes)},
        )  # fmt: skip
    image = _open_image(uploaded)
    image = _decode(image)
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
    uploaded.seek(0)
    data = uploaded.read()
    not_an_image = ValidationError(
        _("This file is not a JPEG or PNG image. Upload a photo or scan of the document."),
        code="not_an_image",
    )
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data))
            image.verify()  # structure check without decoding the pixels
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise _too_many_pixels() from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        raise not_an_image from None
    if image.format not in ALLOWED_FORMATS:
        raise not_an_image
    # The header's size is known before decoding: refuse bombs without expanding them.
    if image.size[0] * image.size[1] > MAX_PIXELS:
        raise _too_many_pixels()
    return Image.open(io.BytesIO(data))  # verify() leaves the image unusable


def _too_many_pixels() -> ValidationError:
    return ValidationError(
        _("This image has too many pixels (the limit is %(limit)s megapixels). Upload a normal "
          "photo or scan of the document."),
        code="too_many_pixels",
        params={"limit": MAX_PIXELS // 1_000_000},
    )  # fmt: skip


def _decode(image: Image.Image) -> Image.Image:
    source_format = image.format
    try:
        image.load()
        upright = ImageOps.exif_transpose(image)  # the phone's rotation, before EXIF is dropped
    except (OSError, ValueError, Image.DecompressionBombError):
        raise ValidationError(
            _("This image is damaged and cannot be opened. Upload the original photo again."),
            code="damaged",
        ) from None
    upright = upright.convert("RGB") if upright.mode not in ("RGB", "L") else upright
    upright.format = source_format
    return upright


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
