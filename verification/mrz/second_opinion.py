"""Tesseract as a second reader for characters the template matcher is unsure of."""

from __future__ import annotations

import difflib
import functools

import numpy as np
from PIL import Image

from .glyphs import SEARCH_MARGIN, TEMPLATE_COLS, TEMPLATE_ROWS

TESSERACT_CONFIG = (
    "--psm 7 -c tessedit_char_whitelist=ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789< "
    "-c load_system_dawg=0 -c load_freq_dawg=0"
)
UPSCALE = 2


@functools.lru_cache(maxsize=1)
def tesseract_version() -> str:
    """Installed Tesseract version, or '' when Tesseract is missing."""
    try:
        import pytesseract

        return str(pytesseract.get_tesseract_version())
    except Exception:  # noqa: BLE001 - any failure means "no second opinion available"
        return ""


def line_image(patches: np.ndarray) -> Image.Image:
    """The straightened cells of a line side by side, dark ink on white, for Tesseract."""
    m = SEARCH_MARGIN
    cells = patches[:, m : m + TEMPLATE_ROWS, m : m + TEMPLATE_COLS]
    strip = np.concatenate(list(cells), axis=1)
    strip = np.pad(strip, ((8, 8), (12, 12)))
    pixels = (255 * (1 - np.clip(strip / max(strip.max(), 1e-6), 0, 1))).astype(np.uint8)
    image = Image.fromarray(pixels)
    return image.resize((image.width * UPSCALE, image.height * UPSCALE), Image.BICUBIC)


def read_line(patches: np.ndarray) -> str:
    """Tesseract's reading of one straightened MRZ line ('' if Tesseract is unavailable)."""
    if not tesseract_version():
        return ""
    import pytesseract

    try:
        text = pytesseract.image_to_string(line_image(patches), config=TESSERACT_CONFIG, timeout=10)
    except (RuntimeError, pytesseract.TesseractError):
        return ""
    return "".join(text.split()).upper()


def aligned_characters(ours: str, theirs: str) -> list[str | None]:
    """For each of our positions, the character the other reading has there (None if unaligned)."""
    if len(theirs) == len(ours):
        return list(theirs)
    aligned: list[str | None] = [None] * len(ours)
    matcher = difflib.SequenceMatcher(a=ours, b=theirs, autojunk=False)
    for tag, a0, a1, b0, b1 in matcher.get_opcodes():
        if tag == "equal" or (tag == "replace" and a1 - a0 == b1 - b0):
            for offset in range(a1 - a0):
                aligned[a0 + offset] = theirs[b0 + offset]
    return aligned
