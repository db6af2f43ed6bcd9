"""read_mrz: locate, straighten, segment and read the MRZ of a document image."""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import numpy as np

from . import classify
from .cells import (
    LINE_LENGTHS,
    LineGeometry,
    find_components,
    fit_line_geometry,
    group_lines,
    refine_geometry,
    sample_cells,
    select_mrz_lines,
)
from .glyphs import COLS_SPAN, ROWS_SPAN, TEMPLATE_COLS, TEMPLATE_ROWS
from .locate import UnreadableImageError, cut_band, find_band_boxes, load_grayscale
from .parse import MrzFields, is_country_code, parse_mrz
from .second_opinion import aligned_characters, read_line, tesseract_version

ENGINE_NAME = "kyc-mrz"
ENGINE_VERSION = "1.0"
MRZ_TYPE_BY_LENGTH = {44: "TD3", 36: "TD2", 30: "TD1"}
HEIGHT_SCALES = (0.9, 1.0, 1.1)
REFINE_PASSES = 2
# Bands examined per image and locator resolutions tried, cheapest first.
MAX_BANDS = 3
LOCATOR_WIDTHS = (250, 400, 700)
# A band read with every check digit holding and this mean score needs no other candidate.
# (Upside-down bands still fit OCR-B glyphs at about 0.8.)
GOOD_ENOUGH_SCORE = 0.9


@dataclass
class BandReading:
    """The characters decided in one band, before the second opinion."""

    mrz_type: str
    lines: list[list[classify.CharChoice]]
    patches: list[np.ndarray]
    check_digits: dict[str, bool]
    mean_score: float

    @property
    def text_lines(self) -> list[str]:
        return ["".join(c.char for c in line) for line in self.lines]

    @property
    def quality(self) -> tuple[bool, float]:
        # Repairs can make checks pass on garbage (an upside-down band), so the glyph fit decides.
        return (all(self.check_digits.values()), self.mean_score)


@dataclass
class MrzReading:
    """Result of read_mrz; `valid`: every check digit holds and every character is confirmed."""

    mrz_type: str | None = None
    lines: tuple[str, ...] = ()
    fields: MrzFields | None = None
    check_digits: dict[str, bool] = field(default_factory=dict)
    valid: bool = False
    confidence: float = 0.0
    engine: str = ENGINE_NAME
    engine_version: str = ENGINE_VERSION
    seconds: float = 0.0
    error: str | None = None
    path: str | None = None
    unconfirmed_positions: tuple[tuple[int, int], ...] = ()

    @property
    def raw_text(self) -> str:
        return "\n".join(self.lines)

    def to_dict(self) -> dict:
        """JSON-ready summary (dates as YYYY-MM-DD, given names space-separated)."""
        fields = self.fields
        return {
            "path": self.path,
            "mrz_type": self.mrz_type,
            "document_type": fields.document_type if fields else None,
            "country": fields.country if fields else None,
            "number": fields.number if fields else None,
            "date_of_birth": _iso(fields.date_of_birth) if fields else None,
            "expiration_date": _iso(fields.expiration_date) if fields else None,
            "nationality": fields.nationality if fields else None,
            "sex": fields.sex if fields else None,
            "surname": fields.surname if fields else None,
            "names": fields.names if fields else None,
            "valid": self.valid,
            "raw_text": self.raw_text,
            "seconds": round(self.seconds, 3),
            "confidence": round(self.confidence, 3),
            "check_digits": dict(self.check_digits),
            "engine": f"{self.engine} {self.engine_version}",
            "error": self.error,
        }


def _iso(value) -> str | None:
    return value.isoformat() if value else None


def read_mrz(image, path: str | None = None) -> MrzReading:
    """Read the MRZ of `image` (path, bytes or PIL image); never raises on bad images (.error)."""
    started = time.perf_counter()
    if path is None and isinstance(image, str):
        path = image
    try:
        reading = _read(image)
    except UnreadableImageError as error:
        reading = MrzReading(error=str(error))
    except Exception as error:  # noqa: BLE001 - a reader must report, not crash, on odd inputs
        reading = MrzReading(error=f"reader failed: {type(error).__name__}")
    reading.path = path
    reading.seconds = time.perf_counter() - started
    return reading


def _read(image) -> MrzReading:
    gray = load_grayscale(image)
    best: BandReading | None = None
    for locator_width in LOCATOR_WIDTHS:
        for box, scale in find_band_boxes(gray, locator_width)[:MAX_BANDS]:
            band = cut_band(gray, box, scale)
            for ink in (band.ink, band.ink[::-1, ::-1]):
                candidate = read_band(ink)
                if candidate and (best is None or candidate.quality > best.quality):
                    best = candidate
                if _good_enough(candidate):
                    break  # a near-perfect glyph fit: no need to try the band upside down
            if _good_enough(best):
                break
        if _good_enough(best):
            break
    if best is None:
        return MrzReading(error="no machine readable zone found")
    return _finish(best)


def _good_enough(reading: BandReading | None) -> bool:
    return (
        reading is not None
        and all(reading.check_digits.values())
        and reading.mean_score >= GOOD_ENOUGH_SCORE
    )


def read_band(ink: np.ndarray) -> BandReading | None:
    """Best reading of a straightened band, trying each line length the line count allows."""
    lines = select_mrz_lines(group_lines(find_components(ink), ink.shape[1]))
    if len(lines) not in LINE_LENGTHS:
        return None
    best = None
    for length in LINE_LENGTHS[len(lines)]:
        geometries = [fit_line_geometry(line, length) for line in lines]
        if any(g is None for g in geometries):
            continue
        line_scores, line_patches = zip(*(_score_line(ink, g) for g in geometries), strict=True)
        mean_score = float(np.mean([s.max(axis=1).mean() for s in line_scores]))
        if best is None or mean_score > best[0]:
            best = (mean_score, MRZ_TYPE_BY_LENGTH[length], line_scores, line_patches)
    if best is None:
        return None
    mean_score, mrz_type, line_scores, line_patches = best
    layouts = classify.LAYOUTS[mrz_type]
    choices = [
        classify.decide_line(s, layout) for s, layout in zip(line_scores, layouts, strict=True)
    ]
    classify.enforce_country_codes(mrz_type, choices)
    classify.enforce_name_tail(mrz_type, choices)
    validity = classify.repair_check_digits(mrz_type, choices)
    return BandReading(mrz_type, choices, list(line_patches), validity, mean_score)


def _score_line(ink: np.ndarray, geometry: LineGeometry) -> tuple[np.ndarray, np.ndarray]:
    """Cell scores at the best character-height scale, after re-centring cells on their glyphs."""
    best = None
    for height_scale in HEIGHT_SCALES:
        patches = sample_cells(ink, geometry, height_scale)
        scores, down, right = classify.score_cells(patches)
        quality = float(scores.max(axis=1).mean())
        if best is None or quality > best[0]:
            best = (quality, scores, patches, height_scale, down, right)
    quality, scores, patches, height_scale, down, right = best
    for _ in range(REFINE_PASSES):
        step_along = geometry.pitches * COLS_SPAN / TEMPLATE_COLS
        step_across = geometry.height * height_scale * ROWS_SPAN / TEMPLATE_ROWS
        refined = refine_geometry(geometry, right * step_along, down * step_across, height_scale)
        refined_patches = sample_cells(ink, refined)
        refined_scores, refined_down, refined_right = classify.score_cells(refined_patches)
        refined_quality = float(refined_scores.max(axis=1).mean())
        if refined_quality <= quality:
            break
        geometry, height_scale = refined, 1.0
        quality, scores, patches = refined_quality, refined_scores, refined_patches
        down, right = refined_down, refined_right
    return scores, patches


def _finish(band: BandReading) -> MrzReading:
    settled = classify.confirm_by_rules(band.mrz_type, band.lines)
    unclear = [
        (line_index, i)
        for line_index, line in enumerate(band.lines)
        for i, choice in enumerate(line)
        if not choice.clear and (line_index, i) not in settled
    ]
    # A failed check digit already sends the read to a human: no second opinion needed.
    needs_opinion = unclear and all(band.check_digits.values())
    confirmed = _confirm_with_tesseract(band, unclear) if needs_opinion else set()
    unconfirmed = tuple(p for p in unclear if p not in confirmed)
    text_lines = band.text_lines
    try:
        fields = parse_mrz(text_lines)
    except ValueError:
        fields = None
    checks_hold = (
        fields is not None
        and fields.valid
        and is_country_code(fields.country)
        and is_country_code(fields.nationality)
    )
    total = sum(len(line) for line in band.lines)
    trusted_fraction = 1 - len(unconfirmed) / total
    confidence = (
        float(np.clip(band.mean_score, 0, 1)) * trusted_fraction * (1.0 if checks_hold else 0.5)
    )
    return MrzReading(
        mrz_type=band.mrz_type,
        lines=tuple(text_lines),
        fields=fields,
        check_digits=fields.check_digits if fields else dict(band.check_digits),
        valid=checks_hold and not unconfirmed,
        confidence=confidence,
        unconfirmed_positions=unconfirmed,
    )


def _confirm_with_tesseract(
    band: BandReading, unclear: list[tuple[int, int]]
) -> set[tuple[int, int]]:
    """Positions among `unclear` where Tesseract reads the same character we chose."""
    if not tesseract_version():
        return set()
    confirmed = set()
    for line_index in sorted({line for line, _ in unclear}):
        ours = "".join(c.char for c in band.lines[line_index])
        theirs = aligned_characters(ours, read_line(band.patches[line_index]))
        for line, i in unclear:
            if line == line_index and theirs[i] == ours[i]:
                confirmed.add((line, i))
    return confirmed
