"""Loading an image and finding candidate MRZ bands in it.

PassportEye's band locator (Hans Boone's morphology + contour boxes) is good at
finding the MRZ; we reuse it and cut the band out ourselves, with a margin and
without rotating the whole image.
"""

from __future__ import annotations

import io
import warnings
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image, ImageChops, ImageOps, UnidentifiedImageError
from scipy import ndimage

# Longest side we work on: larger photos are shrunk first (MRZ stays well above 10 px/char).
MAX_WORKING_SIDE = 2000
# The largest band we sample, in pixels along the line.
MAX_BAND_WIDTH = 1500


class UnreadableImageError(ValueError):
    """The input is not an image we can decode."""


@dataclass(frozen=True)
class Band:
    """A straightened crop around one candidate MRZ; `ink` is 0 (paper) .. 1 (darkest ink),
    `gray` the same crop as it looks (0 black .. 1 white), for the second reader; `step` the
    image pixels per band pixel (1 unless the band was shrunk to MAX_BAND_WIDTH)."""

    ink: np.ndarray
    angle: float
    gray: np.ndarray
    step: float = 1.0


def load_grayscale(image, by_brightest_channel: bool = False) -> np.ndarray | None:
    """Grayscale 0 (black)..1 from a path, bytes or PIL image; raises UnreadableImageError.

    By luminance, or `by_brightest_channel`: each pixel as light as its brightest channel,
    transparent pixels as paper. MRZ print is black, so it stays dark that way, while coloured
    marks over it (a red pen ring, a tinted stamp) turn light; None for an image without
    colour, which has no such second look.
    """
    try:
        if isinstance(image, Image.Image):
            pil = image
        elif isinstance(image, (bytes, bytearray, memoryview)):
            pil = Image.open(io.BytesIO(bytes(image)))
        elif isinstance(image, (str, Path)):
            pil = Image.open(image)
        else:
            raise UnreadableImageError("unsupported image input type")
        if by_brightest_channel and pil.mode in GREY_MODES:
            return None
        if pil.format == "JPEG" and max(pil.size) > 2 * MAX_WORKING_SIDE:
            # Let the decoder shrink big photos by 2, 4 or 8 (never below the working size).
            factor = MAX_WORKING_SIDE / max(pil.size)
            mode = "RGB" if by_brightest_channel else "L"
            pil.draft(mode, (round(pil.width * factor), round(pil.height * factor)))
        pil = ImageOps.exif_transpose(pil)
        pil = _brightest_channel(pil) if by_brightest_channel else pil.convert("L")
    except (OSError, UnidentifiedImageError, ValueError, Image.DecompressionBombError) as error:
        if isinstance(error, UnreadableImageError):
            raise
        raise UnreadableImageError("not a readable image") from error
    if min(pil.size) < 20:
        raise UnreadableImageError("image too small")
    longest = max(pil.size)
    if longest > MAX_WORKING_SIDE:
        factor = MAX_WORKING_SIDE / longest
        size = (round(pil.width * factor), round(pil.height * factor))
        pil = pil.resize(size, Image.LANCZOS, reducing_gap=3.0)
    return np.asarray(pil, dtype=np.float32) / 255.0


GREY_MODES = ("1", "L", "LA", "I", "I;16", "F")


def _brightest_channel(pil: Image.Image) -> Image.Image:
    if pil.mode in ("P", "PA", "RGBA") or "transparency" in pil.info:
        # Transparent pixels are paper, not whatever colour they happen to store.
        paper = Image.new("RGBA", pil.size, "white")
        pil = Image.alpha_composite(paper, pil.convert("RGBA"))
    red, green, blue = pil.convert("RGB").split()
    return ImageChops.lighter(ImageChops.lighter(red, green), blue)


def find_band_boxes(gray: np.ndarray, max_width: int = 250) -> list:
    """PassportEye RotatedBox candidates as (box, scale to the locator image), largest first."""
    from passporteye.mrz.image import BooneTransform, MRZBoxLocator

    scale = min(1.0, max_width / gray.shape[1])
    small = (
        ndimage.zoom(ndimage.gaussian_filter(gray, 0.5 / scale), scale, order=1)
        if scale < 1
        else gray
    )
    with warnings.catch_warnings():
        # PassportEye calls a scikit-image helper that is deprecated but still works.
        warnings.simplefilter("ignore", FutureWarning)
        binary = BooneTransform()(small.astype(np.float64))
        boxes = MRZBoxLocator()(binary)
    return [(box, scale) for box in boxes]


def cut_band(gray: np.ndarray, box, scale: float) -> Band:
    """Sample the box region (with generous margins) into an upright band of ink intensity."""
    center = np.asarray(box.center, float) / scale  # (row, col)
    along = np.array([np.cos(box.angle), np.sin(box.angle)])  # (row, col) unit vector
    if along[1] < 0:
        along = -along
    down = np.array([along[1], -along[0]])
    width = box.width / scale
    height = box.height / scale
    # Margins: the locator hugs the ink; leave room for a missed character or line.
    out_width_src = width * 1.08 + height * 0.6
    out_height_src = height * 1.7 + 10
    step = max(1.0, out_width_src / MAX_BAND_WIDTH)
    cols = np.arange(int(out_width_src / step)) * step - out_width_src / 2
    rows = np.arange(int(out_height_src / step)) * step - out_height_src / 2
    rr = center[0] + rows[:, None] * down[0] + cols[None, :] * along[0]
    cc = center[1] + rows[:, None] * down[1] + cols[None, :] * along[1]
    # Only the region the band is sampled from is smoothed (not the whole page).
    margin = int(3 * step) + 2
    top = max(0, int(rr.min()) - margin)
    left = max(0, int(cc.min()) - margin)
    bottom = min(gray.shape[0], int(rr.max()) + margin + 1)
    right = min(gray.shape[1], int(cc.max()) + margin + 1)
    if bottom - top < 2 or right - left < 2:
        top, left, bottom, right = 0, 0, gray.shape[0], gray.shape[1]
    region = gray[top:bottom, left:right]
    source = ndimage.gaussian_filter(region, 0.45 * step) if step > 1.2 else region
    crop = ndimage.map_coordinates(source, [rr - top, cc - left], order=1, mode="nearest")
    angle = float(np.arctan2(along[0], along[1]))
    return Band(ink=_ink_from_gray(crop), angle=angle, gray=crop, step=step)


def _ink_from_gray(crop: np.ndarray) -> np.ndarray:
    """Local contrast: darkness relative to the surrounding paper, robust to shadows and glare."""
    size = max(9, int(crop.shape[0] * 0.22) | 1)
    paper = ndimage.grey_closing(crop, size=(size, size))
    paper = ndimage.uniform_filter(paper, size)
    ink = np.clip((paper - crop) / np.maximum(paper, 0.05), 0, 1)
    top = np.percentile(ink, 99.5)
    return (ink / top).clip(0, 1) if top > 0 else ink
