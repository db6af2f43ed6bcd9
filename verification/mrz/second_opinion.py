"""The second reader: RapidOCR's PP-OCRv4 text recogniser on our located MRZ lines.

It knows nothing of OCR-B templates or MRZ layouts, so where it reads the same character
as the template matcher, that is independent evidence. The models ship inside the
rapidocr-onnxruntime wheel (nothing is downloaded); only the recogniser runs, on one thread.
"""

from __future__ import annotations

import difflib
import functools
import re

import numpy as np

from .parse import MRZ_ALPHABET

# Rows kept above the baseline and below it, in character heights (the recogniser reads best
# when the glyphs fill the crop and neighbouring lines stay out); columns beyond the first
# and last cell centre, in pitches.
ABOVE_BASELINE, BELOW_BASELINE = 1.02, 0.08
SIDE_MARGIN = 1.2
# The recogniser's input height (PP-OCRv4: 48 px). Lines are sampled that tall: smaller
# glyphs padded with paper ran faster but read worse on real print (29 of 46 development
# images fully trusted at 32 px instead of 32).
TARGET_HEIGHT = 48
# Characters the recogniser commonly outputs for MRZ glyphs it cannot name (fillers mostly).
FILLER_LOOKALIKES = str.maketrans({"«": "<<", "‹": "<", "＜": "<", "く": "<", "〈": "<", "ㄑ": "<"})
# Characters that the recogniser and an MRZ print draw alike, one class each (fillers come out
# as K now and then), for comparing two readings of a line.
LOOKALIKE_CLASSES = str.maketrans("ODQIBSZGK", "00018526<")


@functools.lru_cache(maxsize=1)
def _recogniser():
    """The PP-OCRv4 recogniser, or None when rapidocr-onnxruntime is not installed."""
    try:
        from rapidocr_onnxruntime.ch_ppocr_rec import TextRecognizer
        from rapidocr_onnxruntime.main import DEFAULT_CFG_PATH
        from rapidocr_onnxruntime.utils import read_yaml, update_model_path
    except ImportError:
        return None
    config = update_model_path(read_yaml(DEFAULT_CFG_PATH))["Rec"]
    config["intra_op_num_threads"] = 1
    config["inter_op_num_threads"] = 1
    # One crop per run: a batch is padded to its widest crop, and the recogniser's time
    # grows with the width it reads (short stretches batched with a whole line cost a line).
    config["rec_batch_num"] = 1
    return TextRecognizer(config)


def available() -> bool:
    """True when the second reader can run."""
    return _recogniser() is not None


def line_crop(gray: np.ndarray, centers_x, baseline_y, pitches, height: float) -> np.ndarray:
    """One MRZ line sampled along its fitted baseline from a straightened band (0 black ..
    1 white), as BGR uint8 at the recogniser's height; a slanted or curved line comes out
    level, so the lines above and below stay out of it."""
    from scipy import ndimage

    pitch = float(np.mean(pitches))
    left = float(centers_x[0] - SIDE_MARGIN * pitch)
    right = float(centers_x[-1] + SIDE_MARGIN * pitch)
    span = (ABOVE_BASELINE + BELOW_BASELINE) * height
    scale = TARGET_HEIGHT / span
    xs = np.linspace(left, right, max(2, round((right - left) * scale)))
    degree = min(2, len(centers_x) - 1)
    baseline = np.polyval(np.polyfit(centers_x, baseline_y, degree), xs)
    offsets = np.linspace(-ABOVE_BASELINE * height, BELOW_BASELINE * height, TARGET_HEIGHT)
    rows = baseline[None, :] + offsets[:, None]
    cols = np.broadcast_to(xs[None, :], rows.shape)
    source = ndimage.gaussian_filter(gray, 0.4 / scale) if scale < 0.8 else gray
    crop = ndimage.map_coordinates(source, [rows, cols], order=1, mode="nearest")
    pixels = (255 * np.clip(crop, 0, 1)).astype(np.uint8)
    return np.repeat(pixels[:, :, None], 3, axis=2)


def read_lines(crops: list[np.ndarray]) -> list[str]:
    """The recogniser's text for each line crop (MRZ alphabet only; '' when unavailable)."""
    recogniser = _recogniser()
    if recogniser is None or not crops:
        return [""] * len(crops)
    results, _ = recogniser(crops)
    return [_mrz_text(text) for text, _score in results]


def _mrz_text(text: str) -> str:
    text = re.sub(r"\s", "", text.translate(FILLER_LOOKALIKES).upper())
    return "".join(c for c in text if c in MRZ_ALPHABET)


def _folded(text: str) -> str:
    return text.translate(LOOKALIKE_CLASSES)


def similarity(ours: str, theirs: str) -> float:
    """How alike two readings of a line are (difflib ratio), look-alikes taken as one."""
    return difflib.SequenceMatcher(a=_folded(ours), b=_folded(theirs), autojunk=False).ratio()


def aligned_characters(ours: str, theirs: str) -> list[str | None]:
    """For each of our positions, the character the other reading has there (None if unaligned).

    Always aligned by content, even at equal length: a dropped and an inserted character
    must not shift the rest of the line onto the wrong positions. Look-alikes count as the
    same content, so a run of 0s for our Os does not pull the alignment elsewhere."""
    aligned: list[str | None] = [None] * len(ours)
    matcher = difflib.SequenceMatcher(a=_folded(ours), b=_folded(theirs), autojunk=False)
    for tag, a0, a1, b0, b1 in matcher.get_opcodes():
        if tag == "equal" or (tag == "replace" and a1 - a0 == b1 - b0):
            for offset in range(a1 - a0):
                aligned[a0 + offset] = theirs[b0 + offset]
    return aligned
