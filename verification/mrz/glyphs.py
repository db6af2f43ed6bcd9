"""OCR-B glyph templates and the cell geometry shared by templates and photos.

A character cell is described relative to the text baseline and the cell's
horizontal centre, in units of character height (h) and pitch (p), so a glyph
rendered from the font and a glyph cut out of a photo are sampled the same way.
"""

from __future__ import annotations

import functools
import subprocess
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFont
from scipy import ndimage

from .parse import MRZ_ALPHABET

OCRB_FONT_CANDIDATES = ("/usr/share/fonts/opentype/ocr-b/OCRB.otf",)

# Template raster: rows span 1.5 character heights (from 1.25 h above the
# baseline to 0.25 h below), columns span 1.1 pitches around the cell centre.
TEMPLATE_ROWS, TEMPLATE_COLS = 30, 22
ROWS_ABOVE_BASELINE, ROWS_SPAN = 1.25, 1.5
COLS_SPAN = 1.1
# Extra template pixels sampled around each photo cell, for the shift search.
SEARCH_MARGIN = 3

RENDER_SIZE = 200
# Character height used to normalise the font: between letters (0.71 em) and digits (0.77 em).
FONT_HEIGHT_PER_EM = 0.74


class FontMissingError(RuntimeError):
    """The OCR-B font is not installed (Debian package fonts-ocr-b)."""


def find_ocrb_font() -> str:
    """Path to the OCR-B font; raises FontMissingError when it is not installed."""
    for candidate in OCRB_FONT_CANDIDATES:
        if Path(candidate).is_file():
            return candidate
    try:
        found = subprocess.run(
            ["fc-match", "-f", "%{file}", "OCRB"], capture_output=True, text=True, check=False
        ).stdout.strip()
    except FileNotFoundError:
        found = ""
    if found and "ocr" in found.lower() and Path(found).is_file():
        return found
    raise FontMissingError("OCR-B font not found: install the Debian package fonts-ocr-b")


def cell_offsets(height: float, pitch: float, margin: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Offsets (along, across the line) of one cell's raster points, in source pixels."""
    rows = np.arange(-margin, TEMPLATE_ROWS + margin) + 0.5
    cols = np.arange(-margin, TEMPLATE_COLS + margin) + 0.5
    across = (-ROWS_ABOVE_BASELINE + rows * ROWS_SPAN / TEMPLATE_ROWS) * height
    along = (-COLS_SPAN / 2 + cols * COLS_SPAN / TEMPLATE_COLS) * pitch
    return along, across


def antialias_sigma(height: float, pitch: float) -> float:
    """Gaussian sigma (source pixels) that avoids aliasing when sampling a cell raster."""
    step = max(height * ROWS_SPAN / TEMPLATE_ROWS, pitch * COLS_SPAN / TEMPLATE_COLS)
    return 0.45 * step if step > 1.0 else 0.0


def _normalise_rows(vectors: np.ndarray) -> np.ndarray:
    centred = vectors - vectors.mean(axis=-1, keepdims=True)
    norms = np.linalg.norm(centred, axis=-1, keepdims=True)
    return centred / np.maximum(norms, 1e-6)


@functools.lru_cache(maxsize=1)
def glyph_templates() -> np.ndarray:
    """Zero-mean unit-norm templates (variants, len(MRZ_ALPHABET), rows*cols), ink positive."""
    font = ImageFont.truetype(find_ocrb_font(), RENDER_SIZE)
    pitch = font.getlength("A")
    height = FONT_HEIGHT_PER_EM * RENDER_SIZE
    pad = RENDER_SIZE
    along, across = cell_offsets(height, pitch)
    sharp, soft = [], []
    for char in MRZ_ALPHABET:
        canvas = Image.new("L", (int(pitch) + 2 * pad, 2 * RENDER_SIZE + 2 * pad), 0)
        baseline = pad + 1.5 * RENDER_SIZE
        ImageDraw.Draw(canvas).text((pad, baseline), char, font=font, fill=255, anchor="ls")
        ink = ndimage.gaussian_filter(
            np.asarray(canvas, float) / 255, antialias_sigma(height, pitch)
        )
        ys = baseline + across[:, None] + 0 * along[None, :]
        xs = pad + pitch / 2 + along[None, :] + 0 * across[:, None]
        raster = ndimage.map_coordinates(ink, [ys, xs], order=1)
        sharp.append(raster)
        soft.append(ndimage.gaussian_filter(raster, 1.0))
    variants = np.array([sharp, soft]).reshape(2, len(MRZ_ALPHABET), -1)
    return _normalise_rows(variants).astype(np.float32)


def normalise_windows(windows: np.ndarray) -> np.ndarray:
    """Zero-mean unit-norm rows, the form compared against glyph_templates()."""
    return _normalise_rows(windows).astype(np.float32)
