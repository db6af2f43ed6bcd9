"""read_mrz: locate, straighten, segment and read the MRZ of a document image."""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import numpy as np

from . import classify, own_print, second_opinion
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
from .parse import (
    FILLER,
    FRENCH_ID,
    FRENCH_ID_START,
    VISA_TYPES,
    MrzFields,
    detect_mrz_type,
    field_trust,
    is_check_digit_valid,
    is_country_code,
    parse_mrz,
    trusted_field_names,
)

ENGINE_NAME = "kyc-mrz"
ENGINE_VERSION = "2.5"
MRZ_TYPE_BY_LENGTH = {44: "TD3", 36: "TD2", 30: "TD1"}
HEIGHT_SCALES = (0.9, 1.0, 1.1)
REFINE_PASSES = 2
# Line lengths whose quick glyph fit comes this close to the best one are read in full too.
LENGTH_CLOSE_CALL = 0.05
# Bands examined per image and locator resolutions tried, cheapest first.
MAX_BANDS = 3
LOCATOR_WIDTHS = (250, 400, 700)
# Cells of one line whose median centre lies this many pitches off another line's: the lines
# do not share one grid (MRZ lines are printed on one grid, left-aligned; on real print the
# lines' cells lie within 0.4 pitch of each other, a line fitted one cell off lies a pitch off).
MAX_LINE_OFFSET = 0.5
# Ink this close to a band's end (in character heights) may continue beyond it.
EDGE_MARGIN = 0.5
# A band read with every check digit holding and this mean score needs no other candidate;
# one read this well is not tried upside down (upside-down bands fit OCR-B glyphs at about
# 0.8), and no finer locator is tried after it.
GOOD_ENOUGH_SCORE = 0.9


@dataclass
class BandReading:
    """The characters decided in one band, before the second opinion."""

    mrz_type: str
    lines: list[list[classify.CharChoice]]
    patches: list[np.ndarray]
    check_digits: dict[str, bool]
    mean_score: float
    gray: np.ndarray | None = None
    geometries: list[LineGeometry] = field(default_factory=list)
    # Image pixels (as loaded, at most locate.MAX_WORKING_SIDE) per band pixel.
    step: float = 1.0
    # Why its cells may not be the MRZ's cells ("cut": a 36-character reading whose lines run
    # to the band's end, maybe the first or last 36 of 44; "misaligned": its lines do not
    # share one grid). Nothing such a reading says is trusted.
    layout_doubt: str | None = None

    @property
    def pitch(self) -> float:
        """Mean character pitch in the loaded image's pixels (0 when no line was fitted)."""
        if not self.geometries:
            return 0.0
        return float(np.mean([g.pitches.mean() for g in self.geometries]) * self.step)

    @property
    def text_lines(self) -> list[str]:
        return _text(self.lines)

    @property
    def digits_hold(self) -> bool:
        """Every check digit holds, read as the MRZ is parsed (long TD1 numbers included)."""
        if all(self.check_digits.values()):
            return True
        try:
            return all(parse_mrz(self.text_lines).check_digits.values())
        except ValueError:
            return False

    @property
    def quality(self) -> tuple[bool, bool, float]:
        # A band whose cells may be off the MRZ's loses to one without doubt: its check digits
        # can hold on the wrong characters (a date and its digit moved into another field).
        # Repairs can make checks pass on garbage (an upside-down band), so the glyph fit decides.
        return (self.layout_doubt is None, self.digits_hold, self.mean_score)


@dataclass
class MrzReading:
    """Result of read_mrz. `trusted_fields`: fields whose check digit holds with every
    character sure, or (no check digit) whose every character is sure: a clear template
    winner the second reader does not contradict, or confirmed by the second reader (or, under
    a holding check digit, a look-alike the document's own print decided: own_print.py; or
    the one character of a country code that only one real code fits).
    `valid`: every field trusted. `unconfirmed_positions`: (line, index) of unsure characters."""

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
    trusted_fields: tuple[str, ...] = ()
    second_lines: tuple[str, ...] = ()

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
            "trusted_fields": list(self.trusted_fields),
            "unsure_positions": [list(position) for position in self.unconfirmed_positions],
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
    best = best_band(image)
    if best is None:
        return MrzReading(error="no machine readable zone found")
    return _finish(best)


def best_band(image) -> BandReading | None:
    """The best-fitting MRZ band of `image` as the glyph templates read it, before the second
    reader is asked about its doubts (which never changes a character or a check digit)."""
    best = _best_band_in(load_grayscale(image))
    if best is None or best.layout_doubt or not best.digits_hold:
        # A coloured mark across the MRZ (a red pen ring, a stamp) is as dark as print in
        # luminance and can hide the band or break its glyphs: the image is looked at once
        # more by its brightest channel, where only black print stays dark. Only then: where
        # luminance reads an MRZ whose digits hold, the other look reads no better (blur, small
        # print) and doubles the time.
        coloured = load_grayscale(image, by_brightest_channel=True)
        other = _best_band_in(coloured) if coloured is not None else None
        if other is not None and (best is None or other.quality > best.quality):
            best = other
    return best


def _best_band_in(gray: np.ndarray) -> BandReading | None:
    best: BandReading | None = None
    for locator_width in LOCATOR_WIDTHS:
        for box, scale in find_band_boxes(gray, locator_width)[:MAX_BANDS]:
            band = cut_band(gray, box, scale)
            for ink, look in ((band.ink, band.gray), (band.ink[::-1, ::-1], band.gray[::-1, ::-1])):
                candidate = read_band(ink, look)
                if candidate:
                    candidate.step = band.step
                if candidate and (best is None or candidate.quality > best.quality):
                    best = candidate
                if candidate and candidate.mean_score >= GOOD_ENOUGH_SCORE:
                    break  # upright glyphs fit this well: the band is not upside down
            if _good_enough(best):
                break
        if best is not None and best.mean_score >= GOOD_ENOUGH_SCORE and not best.layout_doubt:
            # A well-fitted MRZ was found: where its digits fail, the print fails them, and a
            # finer locator would find the same band again.
            break
    return best


def _good_enough(reading: BandReading | None) -> bool:
    return (
        reading is not None
        and reading.layout_doubt is None
        and reading.digits_hold
        and reading.mean_score >= GOOD_ENOUGH_SCORE
    )


def read_band(ink: np.ndarray, gray: np.ndarray | None = None) -> BandReading | None:
    """Best reading of a straightened band, trying each line length the line count allows."""
    lines = select_mrz_lines(group_lines(find_components(ink), ink.shape[1]))
    if len(lines) not in LINE_LENGTHS:
        return None
    fits = {}
    for length in LINE_LENGTHS[len(lines)]:
        geometries = [fit_line_geometry(line, length) for line in lines]
        if all(g is not None for g in geometries):
            fits[length] = geometries
    if len(fits) > 1:
        # A wrong line length puts the cells off the glyphs: a quick look at one scale
        # tells most bands apart, so only close calls are read in full at both lengths.
        rough = {length: _rough_fit(ink, geometries) for length, geometries in fits.items()}
        leader = max(rough.values())
        fits = {k: g for k, g in fits.items() if rough[k] > leader - LENGTH_CLOSE_CALL}
    best = None
    for length, geometries in fits.items():
        scored = _share_one_grid(ink, [_score_line(ink, g) for g in geometries])
        line_scores, line_patches, fitted = zip(*scored, strict=True)
        mean_score = float(np.mean([s.max(axis=1).mean() for s in line_scores]))
        if best is None or mean_score > best[0]:
            best = (mean_score, MRZ_TYPE_BY_LENGTH[length], line_scores, line_patches, fitted)
    if best is None:
        return None
    mean_score, mrz_type, line_scores, line_patches, fitted = best
    doubt = None
    if _line_offset(fitted) > MAX_LINE_OFFSET:
        doubt = "misaligned"
    elif len(fitted[0].centers_x) < max(LINE_LENGTHS[len(lines)]) and _runs_to_edge(
        lines, ink.shape[1]
    ):
        doubt = "cut"
    first = classify.decide_line(line_scores[0], classify.LAYOUTS[mrz_type][0])
    start = "".join(c.char for c in first[: len(FRENCH_ID_START)])
    if first[0].char == "V" and mrz_type in VISA_TYPES:
        mrz_type = VISA_TYPES[mrz_type]
    elif mrz_type == "TD2" and start == FRENCH_ID_START:
        mrz_type = FRENCH_ID
    choices, validity = _characters_in(mrz_type, line_scores, line_patches)
    if mrz_type == FRENCH_ID and not all(validity.values()):
        # An ICAO TD2 could start IDFRA too: taken when, read in its alphabets without any
        # repair, only its check digits hold (as parse.detect_mrz_type decides).
        icao, icao_validity = _characters_in("TD2", line_scores, line_patches)
        unrepaired = not any(cell.repaired for line in icao for cell in line)
        if unrepaired and detect_mrz_type(_text(icao)) == "TD2":
            mrz_type, choices, validity = "TD2", icao, icao_validity
    return BandReading(
        mrz_type,
        choices,
        list(line_patches),
        validity,
        mean_score,
        gray,
        list(fitted),
        layout_doubt=doubt,
    )


def _characters_in(mrz_type: str, line_scores, line_patches) -> tuple[list, dict[str, bool]]:
    """The characters of a band in `mrz_type`'s layout, after its rules and repairs, and
    whether each check digit holds."""
    layouts = classify.LAYOUTS[mrz_type]
    choices = [
        classify.decide_line(s, layout) for s, layout in zip(line_scores, layouts, strict=True)
    ]
    # Before any repair: a repair would otherwise bend another character to fit a wrong O.
    own_print.settle_lookalikes(choices, layouts, classify.CHECKS[mrz_type], line_patches)
    classify.enforce_country_codes(mrz_type, choices)
    classify.enforce_name_tail(mrz_type, choices)
    return choices, classify.repair_check_digits(mrz_type, choices)


def _text(choices: list[list[classify.CharChoice]]) -> list[str]:
    """Each line's characters as a string."""
    return ["".join(c.char for c in line) for line in choices]


def _line_offset(geometries) -> float:
    """The largest median distance, in pitches, between the cells of two lines of a band."""
    pitch = float(np.mean([g.pitches.mean() for g in geometries]))
    return max(
        (
            abs(float(np.median(a.centers_x - b.centers_x))) / pitch
            for i, a in enumerate(geometries)
            for b in geometries[i + 1 :]
        ),
        default=0.0,
    )


def _share_one_grid(ink: np.ndarray, scored: list) -> list:
    """Lines fitted on different grids (a stray blob at one end shifts a line by a cell):
    each line is also read on every other line's cells, at its own baseline, and the
    better-fitting reading of it kept."""
    geometries = [geometry for _, _, geometry in scored]
    if _line_offset(geometries) <= MAX_LINE_OFFSET:
        return scored
    result = []
    for k, (scores, patches, own) in enumerate(scored):
        best = (float(scores.max(axis=1).mean()), (scores, patches, own))
        for moved in _on_other_grids(geometries, k):
            candidate = _score_line(ink, moved)
            quality = float(candidate[0].max(axis=1).mean())
            if quality > best[0]:
                best = (quality, candidate)
        result.append(best[1])
    return result


def _on_other_grids(geometries: list[LineGeometry], k: int) -> list[LineGeometry]:
    """Line k moved onto each other line's cells, at its own baseline."""
    own = geometries[k]
    baseline = np.polyfit(own.centers_x, own.baseline_y, 2)
    return [
        LineGeometry(
            other.centers_x,
            np.polyval(baseline, other.centers_x),
            other.pitches,
            own.height,
            own.slope,
        )  # fmt: skip
        for j, other in enumerate(geometries)
        if j != k
    ]


def _runs_to_edge(lines, band_width: int) -> bool:
    """Some line's ink reaches within EDGE_MARGIN character heights of the band's ends."""
    for line in lines:
        margin = EDGE_MARGIN * float(np.median([c.height for c in line]))
        if min(c.left for c in line) < margin or max(c.right for c in line) > band_width - margin:
            return True
    return False


def _rough_fit(ink: np.ndarray, geometries: list[LineGeometry]) -> float:
    """Mean best glyph score of the cells as fitted, at one character height, no re-centring."""
    scores = [classify.score_cells(sample_cells(ink, g))[0] for g in geometries]
    return float(np.mean([s.max(axis=1).mean() for s in scores]))


def _score_line(
    ink: np.ndarray, geometry: LineGeometry
) -> tuple[np.ndarray, np.ndarray, LineGeometry]:
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
    return scores, patches, geometry


def _finish(band: BandReading) -> MrzReading:
    if band.layout_doubt or detect_mrz_type(band.text_lines) != band.mrz_type:
        # Cells that may be off the MRZ's, or characters decided in one layout's alphabets
        # that parse as another's (IDFRA lines the rules made hold only as a TD2).
        return _untrusted(band)
    return _judge(band, _second_reading(band))


def _judge(band: BandReading, second: SecondReading) -> MrzReading:
    """Which of the band's characters are sure, given the second reader's reading."""
    layouts = classify.LAYOUTS[band.mrz_type]
    checked = classify.checked_positions(band.mrz_type)
    sure, disputed = set(), set()
    for line_index, line in enumerate(band.lines):
        for i, choice in enumerate(line):
            position = (line_index, i)
            allowed = layouts[line_index][i]
            if second.contradicts(line_index, i, choice.char):
                disputed.add(position)
            undisputed = position not in disputed or choice.margin >= VERY_CLEAR
            if second.confirms(line_index, i, choice.char, allowed, position in checked) or (
                choice.clear and undisputed
            ):
                sure.add(position)
    # A look-alike decided by the document's own print counts once a check digit over it holds.
    decided_by_print = {
        (line_index, i)
        for line_index, line in enumerate(band.lines)
        for i, choice in enumerate(line)
        if choice.own_print
    }
    sure |= classify.held_by_check_digits(band.mrz_type, band.lines, decided_by_print) - disputed
    # Where the field's digit picks one reading of what the templates saw, and the second reader
    # read exactly that one, its characters are taken.
    adopted = classify.settled_by_second_reading(band.mrz_type, band.lines, second.char_at, sure)
    for (line_index, i), char in adopted.items():
        if band.lines[line_index][i].char != char:
            classify.replace_choice(band.lines[line_index][i], char)
    sure |= set(adopted)
    settled = classify.confirm_by_rules(band.mrz_type, band.lines, sure, disputed, second.rules_out)
    settled |= classify.settled_by_country_codes(
        band.mrz_type, band.lines, sure, disputed, second.rules_out
    )
    unsure = tuple(
        (line_index, i)
        for line_index, line in enumerate(band.lines)
        for i in range(len(line))
        if (line_index, i) not in sure and (line_index, i) not in settled
    )
    return _reading(band, unsure, second.lines)


def _untrusted(band: BandReading) -> MrzReading:
    """A reading whose cells may not be the MRZ's: every character unsure, no field trusted."""
    unsure = tuple((k, i) for k, line in enumerate(band.lines) for i in range(len(line)))
    return _reading(band, unsure)


def _reading(band: BandReading, unsure: tuple, second_lines: tuple[str, ...] = ()) -> MrzReading:
    """The band's characters parsed, each field trusted unless a character in it is unsure."""
    text_lines = band.text_lines
    try:
        fields = parse_mrz(text_lines)
    except ValueError:
        fields = None
    trust = field_trust(fields, set(unsure)) if fields else {}
    return MrzReading(
        mrz_type=fields.mrz_type if fields else band.mrz_type,
        lines=tuple(text_lines),
        fields=fields,
        check_digits=fields.check_digits if fields else dict(band.check_digits),
        valid=fields is not None and fields.valid and all(trust.values()),
        confidence=_confidence(band, fields, trust, unsure),
        unconfirmed_positions=unsure,
        trusted_fields=trusted_field_names(fields, trust) if fields else (),
        second_lines=second_lines,
    )


def _confidence(band: BandReading, fields, trust: dict, unsure) -> float:
    """1.0 for a fully trusted reading; below, the share of sure characters and fields."""
    if fields is not None and trust and all(trust.values()) and fields.valid:
        return 1.0
    total = sum(len(line) for line in band.lines)
    sure_share = 1 - len(unsure) / total
    trusted_share = sum(trust.values()) / len(trust) if trust else 0.0
    return float(np.clip(band.mean_score, 0, 1)) * sure_share * trusted_share * 0.99


@dataclass
class SecondReading:
    """Another engine's characters, aligned to our positions (None where it has none)."""

    lines: tuple[str, ...] = ()
    aligned: list[list[str | None]] = field(default_factory=list)

    def char_at(self, line: int, i: int) -> str | None:
        """The other engine's character at our (line, i), None where it has none."""
        if line >= len(self.aligned):
            return None
        return self.aligned[line][i]

    def confirms(
        self, line: int, i: int, char: str, allowed: str = "", checked: bool = False
    ) -> bool:
        """The other engine read this character here. Where the layout allows both of a
        look-alike pair it confuses (O/0, I/1 ...), only a check digit over the position
        makes that agreement count; where the layout allows letters only, its 1, 5, 8, 2
        or 6 stands for I, S, B, Z or G (not its 0: that is O, D or Q)."""
        theirs = self.char_at(line, i)
        if theirs == char:
            partner = DIGIT_LETTER_LOOKALIKES.get(char)
            return checked or partner is None or partner not in allowed
        return (
            theirs in DIGIT_STANDS_FOR_LETTER
            and theirs not in allowed
            and DIGIT_STANDS_FOR_LETTER[theirs] == char
        )

    def rules_out(self, line: int, i: int, char: str) -> bool:
        """The other engine read something here that is neither `char` nor its look-alike."""
        theirs = self.char_at(line, i)
        return theirs is not None and theirs != char and LOOKALIKES.get(theirs) != char

    def contradicts(self, line: int, i: int, char: str) -> bool:
        """The other engine read a different character here, even after the usual digit /
        letter look-alikes (O/0, I/1 ... which it confuses where we cannot) are allowed for."""
        theirs = self.char_at(line, i)
        if theirs is None or theirs == char:
            return False
        return LOOKALIKES.get(theirs) != char


# A clear winner this far ahead of its runner-up stands even when the second reader says
# otherwise (on real print no such winner was wrong; the second reader sometimes strays
# into the neighbouring line).
VERY_CLEAR = 0.2
# Cells of context the second reader gets either side of the stretch it is asked about.
CONTEXT_CELLS = 3
# Clear fillers in a run this long need no second reading (name tails, empty optional data).
FILLER_RUN = 3
# A second reading this unlike ours (difflib ratio) read something else: it is ignored.
MIN_LINE_SIMILARITY = 0.7
# Pairs the general-purpose recogniser confuses because it does not know the MRZ layout.
DIGIT_LETTER_LOOKALIKES = {"0": "O", "O": "0", "1": "I", "I": "1", "8": "B", "B": "8"}
DIGIT_LETTER_LOOKALIKES |= {"5": "S", "S": "5", "2": "Z", "Z": "2", "6": "G", "G": "6"}
DIGIT_STANDS_FOR_LETTER = {"1": "I", "5": "S", "8": "B", "2": "Z", "6": "G"}
# What it reads -> what that usually is in an MRZ (fillers come out as K now and then).
LOOKALIKES = DIGIT_LETTER_LOOKALIKES | {"D": "0", "Q": "0", "K": FILLER}


def _second_reading(band: BandReading) -> SecondReading:
    """RapidOCR's reading of our located lines, aligned character by character.

    It only reads the stretches of each line that hold a character it could still decide
    (short of VERY_CLEAR, not a clear filler of a filler run, not a clear character a
    holding check digit vouches for), each with CONTEXT_CELLS
    either side: elsewhere nothing it could say would change a decision, and its time grows
    with the width it reads.
    """
    if band.gray is None or not band.geometries or not second_opinion.available():
        return SecondReading()
    settled = classify.settled_by_check_digits(band.mrz_type, band.lines)
    line_spans, crops = [], []
    for line_index, (line, geometry) in enumerate(zip(band.lines, band.geometries, strict=True)):
        spans = _doubtful_spans(line, {i for ln, i in settled if ln == line_index})
        line_spans.append(spans)
        for start, end in spans:
            crops.append(
                second_opinion.line_crop(
                    band.gray,
                    geometry.centers_x[start:end],
                    geometry.baseline_y[start:end],
                    geometry.pitches[start:end],
                    geometry.height,
                )
            )
    return aligned_reading(band.text_lines, line_spans, second_opinion.read_lines(crops))


def aligned_reading(
    text_lines: list[str], line_spans: list[list[tuple[int, int]]], texts: list[str]
) -> SecondReading:
    """The second reader's `texts` (one per span, in order) aligned to our lines. A text is
    compared with our characters with the look-alikes it confuses taken as one (a reading with
    0 for each of our O is a reading of the same line), and ignored when still too unlike."""
    texts = iter(texts)
    lines, aligned = [], []
    for ours, spans in zip(text_lines, line_spans, strict=True):
        aligned_line: list[str | None] = [None] * len(ours)
        read = []
        for start, end in spans:
            theirs = next(texts)
            read.append(theirs)
            part = ours[start:end]
            if second_opinion.similarity(part, theirs) >= MIN_LINE_SIMILARITY:
                aligned_line[start:end] = second_opinion.aligned_characters(part, theirs)
        lines.append(" ".join(read))
        aligned.append(aligned_line)
    return SecondReading(tuple(lines), aligned)


def _doubtful_spans(
    line: list[classify.CharChoice], settled: set[int] = frozenset()
) -> list[tuple[int, int]]:
    """(start, end) of the stretches the second reader is asked about: the characters it
    could still decide, with CONTEXT_CELLS either side; stretches whose context would
    overlap are read as one. Clear characters `settled` by a check digit and clear fillers
    of a filler run are not asked about."""
    vouched = _clear_filler_runs(line) | set(settled)
    doubtful = [
        i
        for i, choice in enumerate(line)
        if not choice.clear or (choice.margin < VERY_CLEAR and i not in vouched)
    ]
    spans: list[tuple[int, int]] = []
    for i in doubtful:
        start, end = max(0, i - CONTEXT_CELLS), min(len(line), i + 1 + CONTEXT_CELLS)
        if spans and start <= spans[-1][1]:
            spans[-1] = (spans[-1][0], end)
        else:
            spans.append((start, end))
    return spans


def _clear_filler_runs(line: list[classify.CharChoice]) -> set[int]:
    """Positions of clear fillers in runs of at least FILLER_RUN: sure without a second
    reading (on real print no clear filler was ever another character)."""
    positions: set[int] = set()
    run: list[int] = []
    for i, choice in enumerate([*line, None]):
        if choice is not None and choice.char == FILLER and choice.clear:
            run.append(i)
            continue
        if len(run) >= FILLER_RUN:
            positions.update(run)
        run = []
    return positions


# --- the document number alone ----------------------------------------------------------------
# Which document a photo shows needs only its number: 10 cells of a band's 72-90. They are read
# with best_band's own locator, line fit and glyph scores, beside the country code next to them
# (a misplaced grid or a band that is no MRZ rarely shows a real code there), and nothing else.
# Every cell is as the templates decide it: no repair, no country-code rule, no own-print rule.


# The number is read mostly in holding photos, where the held page fills a third to a half of
# the frame: its band is found at 400 px, while best_band's cheapest pass (250 px) finds only
# pages that fill the image. Trying 400 first saved a quarter of the read on holding photos.
NUMBER_LOCATOR_WIDTHS = (400, 250, 700)


def document_number(image) -> str | None:
    """The document number of the MRZ in `image` (path, bytes or PIL image), or None.

    Reads only the number, its check digit and the country code beside them (the nationality
    after a passport's or visa's number, the issuing state before a card's), about a fifth of
    best_band's glyph work, on the number line's own cells and, where the lines do not share
    one grid, on the other lines' cells too (as read_band does). Each character is the
    templates' best allowed one, as read_mrz decides it before its rules; the number is
    returned only when, so read, its check digit holds (a filler there, a number continued in
    the optional data, is refused) and the code is a real country's (on France's 1994 card,
    which has none beside its number, line 1 must start IDFRA). Nothing is repaired: a
    number that needs a repair to hold is a guess (a line read one cell short can be
    "repaired" into another number), so None. Raises UnreadableImageError on what is not an
    image.
    """
    gray = load_grayscale(image)
    for locator_width in NUMBER_LOCATOR_WIDTHS:
        well_fitted = False
        for box, scale in find_band_boxes(gray, locator_width)[:MAX_BANDS]:
            band = cut_band(gray, box, scale)
            for ink in (band.ink, band.ink[::-1, ::-1]):
                number, fit = _number_in_band(ink)
                if number is not None:
                    return number
                if fit >= GOOD_ENOUGH_SCORE:
                    well_fitted = True
                    break  # upright glyphs fit this well: the band is not upside down
        if well_fitted:
            break  # as in best_band: a finer locator would find the same band again
    return None


def _number_in_band(ink: np.ndarray) -> tuple[str | None, float]:
    """(the number or None, the mean glyph fit of the cells read)."""
    lines = select_mrz_lines(group_lines(find_components(ink), ink.shape[1]))
    if len(lines) not in LINE_LENGTHS:
        return None, 0.0
    # Two lines: TD3, TD2 and visas keep the number and nationality in the same cells.
    mrz_type = "TD1" if len(lines) == 3 else "TD3"
    line_index, first, end = _number_cells(mrz_type)
    layout = classify.LAYOUTS[mrz_type][line_index][first:end]
    fit = 0.0
    for length in LINE_LENGTHS[len(lines)]:
        geometries = [fit_line_geometry(line, length) for line in lines]
        if any(g is None for g in geometries):
            continue
        for cells in _number_grids(geometries, line_index):
            scores, _, _ = _score_line(ink, _cells_between(cells, first, end))
            fit = max(fit, float(scores.max(axis=1).mean()))
            # A grid a cell off reads no real country code beside a holding digit.
            number = _settled_number(mrz_type, classify.decide_line(scores, layout), first)
            if number is not None:
                return number, fit
    if len(lines) == 2:
        number, french_fit = _french_card_number(ink, lines)
        return number, max(fit, french_fit)
    return None, fit


def _french_card_number(ink: np.ndarray, lines) -> tuple[str | None, float]:
    """France's 1994 card (FR-ID) keeps no country code beside its number: its line 1 must
    read IDFRA in its first cells instead, and the number (line 2) hold its digit as read."""
    geometries = [fit_line_geometry(line, 36) for line in lines]
    if any(g is None for g in geometries):
        return None, 0.0
    start_layout = classify.LAYOUTS[FRENCH_ID][0][: len(FRENCH_ID_START)]
    [(line_index, first, end)], (_, check_position) = classify.CHECKS[FRENCH_ID]["number"]
    layout = classify.LAYOUTS[FRENCH_ID][line_index][first : check_position + 1]
    fit = 0.0
    for cells in _number_grids(geometries, 0):
        scores, _, _ = _score_line(ink, _cells_between(cells, 0, len(FRENCH_ID_START)))
        fit = max(fit, float(scores.max(axis=1).mean()))
        start = "".join(c.char for c in classify.decide_line(scores, start_layout))
        if start != FRENCH_ID_START:
            continue
        for number_cells in _number_grids(geometries, line_index):
            cells_read = _cells_between(number_cells, first, check_position + 1)
            scores, _, _ = _score_line(ink, cells_read)
            fit = max(fit, float(scores.max(axis=1).mean()))
            chars = "".join(c.char for c in classify.decide_line(scores, layout))
            number, check = chars[: end - first], chars[check_position - first]
            if is_check_digit_valid(number, check) and number.rstrip(FILLER):
                return number.rstrip(FILLER), fit  # as parse_mrz gives it
    return None, fit


def _number_grids(geometries: list[LineGeometry], line_index: int) -> list[LineGeometry]:
    """The number line's cells as fitted; where the lines do not share one grid (as in
    _share_one_grid), also every other line's cells at the number line's own baseline."""
    own = geometries[line_index]
    if _line_offset(geometries) <= MAX_LINE_OFFSET:
        return [own]
    return [own, *_on_other_grids(geometries, line_index)]


def _number_cells(mrz_type: str) -> tuple[int, int, int]:
    """(line, first cell, end) of the number, its check digit and the country code beside."""
    [(line, start, _)], (_, check_position) = classify.CHECKS[mrz_type]["number"]
    country = next(i for ln, i in classify.COUNTRY_FIELDS[mrz_type] if ln == line)
    return line, min(start, country), max(check_position, country + 2) + 1


def _cells_between(geometry: LineGeometry, first: int, end: int) -> LineGeometry:
    return LineGeometry(
        geometry.centers_x[first:end],
        geometry.baseline_y[first:end],
        geometry.pitches[first:end],
        geometry.height,
        geometry.slope,
    )


def _settled_number(mrz_type: str, cells: list[classify.CharChoice], first: int) -> str | None:
    [(line, start, end)], (_, check_position) = classify.CHECKS[mrz_type]["number"]
    country = next(i for ln, i in classify.COUNTRY_FIELDS[mrz_type] if ln == line) - first
    number = "".join(c.char for c in cells[start - first : end - first])
    check = cells[check_position - first].char
    code = "".join(c.char for c in cells[country : country + 3])
    if check == FILLER or not is_check_digit_valid(number, check) or not is_country_code(code):
        return None
    return number.rstrip(FILLER) or None
