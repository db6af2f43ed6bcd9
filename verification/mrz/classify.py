"""Character decisions: template scores, field alphabets, country codes, check-digit repair."""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from .glyphs import (
    SEARCH_MARGIN,
    TEMPLATE_COLS,
    TEMPLATE_ROWS,
    glyph_templates,
)
from .parse import COUNTRY_CODES, FIELD_SPANS, FRENCH_ID, MRZ_ALPHABET, is_check_digit_valid

DIGITS = "0123456789"
LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
FILLER = "<"
ALPHABET_INDEX = {c: i for i, c in enumerate(MRZ_ALPHABET)}

# A character is a clear winner when its score beats the runner-up by this much. Calibrated
# on real print: winners 0.08-0.10 ahead were still wrong now and then (F read as P, O as C).
CLEAR_MARGIN = 0.1
CLEAR_MIN_SCORE = 0.55


def score_cells(patches: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Best normalised correlation of each cell with each glyph, shape (cells, len(MRZ_ALPHABET)),
    plus the (down, right) shift in template pixels at which each cell's best glyph matched."""
    windows = sliding_window_view(patches, (TEMPLATE_ROWS, TEMPLATE_COLS), axis=(1, 2))
    cells, shifts_y, shifts_x = windows.shape[:3]
    raw = windows.reshape(cells * shifts_y * shifts_x, -1).astype(np.float32, copy=False)
    templates = glyph_templates()
    variants, glyphs, size = templates.shape
    # The templates are zero-mean, so correlating the raw windows and dividing by each
    # window's centred norm equals correlating normalised windows, without centring copies.
    sums = raw.sum(axis=1, dtype=np.float64)
    squares = np.einsum("ij,ij->i", raw, raw, dtype=np.float64)
    norms = np.sqrt(np.maximum(squares - sums * sums / size, 0.0))
    scores = raw @ templates.reshape(variants * glyphs, size).T
    scores /= np.maximum(norms, 1e-6).astype(np.float32)[:, None]
    scores = scores.reshape(cells, shifts_y * shifts_x, variants, glyphs).max(axis=2)
    best_per_glyph = scores.max(axis=1)
    best_glyph = best_per_glyph.argmax(axis=1)
    best_shift = scores[np.arange(cells), :, best_glyph].argmax(axis=1)
    shift_down = best_shift // shifts_x - SEARCH_MARGIN
    shift_right = best_shift % shifts_x - SEARCH_MARGIN
    return best_per_glyph, shift_down, shift_right


# --- layouts -----------------------------------------------------------------

A = LETTERS + FILLER  # letters and fillers (names, codes)
N = DIGITS  # digits only
X = LETTERS + DIGITS + FILLER  # anything
SEX = "MFX" + FILLER


def _layout(*parts: tuple[str, int]) -> list[str]:
    return [allowed for allowed, count in parts for _ in range(count)]


LAYOUTS = {
    "TD3": [
        _layout((LETTERS, 1), (A, 1), (A, 3), (A, 39)),
        _layout(
            (X, 9),
            (N + FILLER, 1),
            (A, 3),
            (N, 7),
            (SEX, 1),
            (N, 7),
            (X, 14),
            (N + FILLER, 1),
            (N, 1),
        ),
    ],
    "TD2": [
        _layout((LETTERS, 1), (A, 1), (A, 3), (A, 31)),
        _layout((X, 9), (N + FILLER, 1), (A, 3), (N, 7), (SEX, 1), (N, 7), (X, 7), (N, 1)),
    ],
    # Visas: no composite and no optional-data check digit, optional data to the end.
    "MRV-A": [
        _layout((LETTERS, 1), (A, 1), (A, 3), (A, 39)),
        _layout((X, 9), (N + FILLER, 1), (A, 3), (N, 7), (SEX, 1), (N, 7), (X, 16)),
    ],
    "MRV-B": [
        _layout((LETTERS, 1), (A, 1), (A, 3), (A, 31)),
        _layout((X, 9), (N + FILLER, 1), (A, 3), (N, 7), (SEX, 1), (N, 7), (X, 8)),
    ],
    "TD1": [
        _layout((LETTERS, 1), (A, 1), (A, 3), (X, 9), (N + FILLER, 1), (X, 15)),
        _layout((N, 7), (SEX, 1), (N, 7), (A, 3), (X, 11), (N, 1)),
        _layout((A, 30)),
    ],
    # France's 1994 card: ID FRA, surname, issuing office (department and office, or
    # fillers); number (YYMM of issue, then department and sequence), its digit, given
    # names, birth date and its digit, sex, composite.
    FRENCH_ID: [
        _layout((LETTERS, 1), (A, 1), (A, 3), (A, 25), (X, 6)),
        _layout((N, 4), (X, 8), (N, 1), (A, 14), (N, 7), (SEX, 1), (N, 1)),
    ],
}

# (line, start, end) of the data and (line, position) of its check digit; composite last.
CHECKS = {
    "TD3": {
        "number": ([(1, 0, 9)], (1, 9)),
        "date_of_birth": ([(1, 13, 19)], (1, 19)),
        "expiration_date": ([(1, 21, 27)], (1, 27)),
        "optional_data": ([(1, 28, 42)], (1, 42)),
        "composite": ([(1, 0, 10), (1, 13, 20), (1, 21, 43)], (1, 43)),
    },
    "TD2": {
        "number": ([(1, 0, 9)], (1, 9)),
        "date_of_birth": ([(1, 13, 19)], (1, 19)),
        "expiration_date": ([(1, 21, 27)], (1, 27)),
        "composite": ([(1, 0, 10), (1, 13, 20), (1, 21, 35)], (1, 35)),
    },
    "MRV-A": {
        "number": ([(1, 0, 9)], (1, 9)),
        "date_of_birth": ([(1, 13, 19)], (1, 19)),
        "expiration_date": ([(1, 21, 27)], (1, 27)),
    },
    "MRV-B": {
        "number": ([(1, 0, 9)], (1, 9)),
        "date_of_birth": ([(1, 13, 19)], (1, 19)),
        "expiration_date": ([(1, 21, 27)], (1, 27)),
    },
    "TD1": {
        "number": ([(0, 5, 14)], (0, 14)),
        "date_of_birth": ([(1, 0, 6)], (1, 6)),
        "expiration_date": ([(1, 8, 14)], (1, 14)),
        "composite": ([(0, 5, 30), (1, 0, 7), (1, 8, 15), (1, 18, 29)], (1, 29)),
    },
    FRENCH_ID: {
        "number": ([(1, 0, 12)], (1, 12)),
        "date_of_birth": ([(1, 27, 33)], (1, 33)),
        "composite": ([(0, 0, 36), (1, 0, 35)], (1, 35)),
    },
}

COUNTRY_FIELDS = {"TD3": [(0, 2), (1, 10)], "TD2": [(0, 2), (1, 10)], "TD1": [(0, 2), (1, 15)]}
COUNTRY_FIELDS |= {"MRV-A": COUNTRY_FIELDS["TD3"], "MRV-B": COUNTRY_FIELDS["TD2"]}
COUNTRY_FIELDS[FRENCH_ID] = [(0, 2)]  # the nationality is not printed: the state's own
DATE_FIELDS = {
    "TD3": [(1, 13), (1, 21)],
    "TD2": [(1, 13), (1, 21)],
    "MRV-A": [(1, 13), (1, 21)],
    "MRV-B": [(1, 13), (1, 21)],
    "TD1": [(1, 0), (1, 8)],
    FRENCH_ID: [(1, 27)],
}
# (line, start, end) of each name field, which ends in fillers: the ICAO layouts' one name
# field, France's card's surname and given names.
NAME_FIELDS = {
    mrz_type: spans.get("name", spans.get("surname", []) + spans.get("names", []))
    for mrz_type, spans in FIELD_SPANS.items()
}


def checked_positions(mrz_type: str) -> frozenset[tuple[int, int]]:
    """Every position some check digit (the composite too) covers, digits included."""
    return frozenset(
        (line, i)
        for spans, (check_line, check_pos) in CHECKS[mrz_type].values()
        for line, i in [(ln, i) for ln, start, end in spans for i in range(start, end)]
        + [(check_line, check_pos)]
    )


@dataclass
class CharChoice:
    """A decided character: score, margin over the runner-up, whether a rule changed it."""

    char: str
    score: float
    margin: float
    repaired: bool = False
    alternatives: list[tuple[str, float]] = field(default_factory=list)
    # Decided by the document's own print of a look-alike pair (own_print.settle_lookalikes).
    own_print: bool = False

    @property
    def clear(self) -> bool:
        return not self.repaired and self.score >= CLEAR_MIN_SCORE and self.margin >= CLEAR_MARGIN


# Ranked alternatives kept per cell (the best included).
KEPT_ALTERNATIVES = 4


def decide_line(scores: np.ndarray, allowed_per_cell: list[str]) -> list[CharChoice]:
    """Best allowed character per cell, with ranked alternatives."""
    choices = []
    for cell_scores, allowed in zip(scores, allowed_per_cell, strict=True):
        ranked = sorted(
            ((c, float(cell_scores[ALPHABET_INDEX[c]])) for c in allowed), key=lambda t: -t[1]
        )
        best, best_score = ranked[0]
        runner_up = ranked[1][1] if len(ranked) > 1 else -1.0
        choices.append(
            CharChoice(
                best, best_score, best_score - runner_up, alternatives=ranked[:KEPT_ALTERNATIVES]
            )
        )
    return choices


def replace_choice(choice: CharChoice, char: str) -> None:
    """Put another character in a cell, as a rule's choice (never a clear winner)."""
    score = dict(choice.alternatives).get(char, choice.score)
    choice.char, choice.score, choice.repaired = char, score, True


def enforce_country_codes(mrz_type: str, lines: list[list[CharChoice]]) -> None:
    """Make issuing state and nationality real codes using the best-scoring alternatives."""
    for line_index, start in COUNTRY_FIELDS[mrz_type]:
        cells = lines[line_index][start : start + 3]
        current = "".join(c.char for c in cells)
        if current in _padded_codes():
            continue
        options = [[a for a in c.alternatives[:3]] for c in cells]
        best, best_total = None, -np.inf
        for combo in itertools.product(*options):
            code = "".join(ch for ch, _ in combo)
            total = sum(s for _, s in combo)
            if code in _padded_codes() and total > best_total:
                best, best_total = code, total
        if best is not None:
            for cell, char in zip(cells, best, strict=True):
                if cell.char != char:
                    replace_choice(cell, char)


def _padded_codes() -> frozenset[str]:
    return _PADDED_CODES


_PADDED_CODES = frozenset(code.ljust(3, FILLER) for code in COUNTRY_CODES)


def _field_text(lines: list[list[CharChoice]], spans) -> str:
    return "".join(c.char for line, start, end in spans for c in lines[line][start:end])


def _plausible_date(text: str) -> bool:
    return text.isdigit() and 1 <= int(text[2:4]) <= 12 and 1 <= int(text[4:6]) <= 31


def repair_check_digits(mrz_type: str, lines: list[list[CharChoice]]) -> dict[str, bool]:
    """Fix failing checks by the cheapest close single substitution; returns validity per check."""
    validity = {}
    date_starts = set(DATE_FIELDS[mrz_type])
    for name, (spans, (check_line, check_pos)) in CHECKS[mrz_type].items():
        if _check_holds(lines, spans, check_line, check_pos):
            validity[name] = True
            continue
        positions = [(line, i) for line, start, end in spans for i in range(start, end)]
        positions.append((check_line, check_pos))
        if name == "composite":
            # Fields with their own check digit were settled above.
            covered = {
                (line, i)
                for other, (other_spans, other_check) in CHECKS[mrz_type].items()
                if other != "composite"
                for line, start, end in other_spans
                + [(other_check[0], other_check[1], other_check[1] + 1)]
                for i in range(start, end)
            }
            positions = [p for p in positions if p not in covered]
        best = None
        for line, i in positions:
            cell = lines[line][i]
            for char, score in cell.alternatives[1:3]:
                loss = cell.score - score
                if loss > 0.25:
                    continue
                original = cell.char
                cell.char = char
                ok = _check_holds(lines, spans, check_line, check_pos)
                date_start = _date_start_containing(date_starts, line, i)
                if ok and date_start is not None:
                    date_cells = lines[line][date_start : date_start + 6]
                    ok = _plausible_date("".join(c.char for c in date_cells))
                cell.char = original
                if ok and (best is None or loss < best[0]):
                    best = (loss, line, i, char)
        if best is not None:
            _, line, i, char = best
            replace_choice(lines[line][i], char)
            validity[name] = True
        else:
            validity[name] = False
    return validity


def _date_start_containing(date_starts, line: int, position: int) -> int | None:
    for date_line, start in date_starts:
        if date_line == line and start <= position < start + 6:
            return start
    return None


def _check_holds(lines, spans, check_line, check_pos) -> bool:
    return is_check_digit_valid(_field_text(lines, spans), lines[check_line][check_pos].char)


def enforce_name_tail(mrz_type: str, lines: list[list[CharChoice]]) -> None:
    """Once a name field shows three fillers in a row, the rest of it is filler too."""
    for line_index, start, end in NAME_FIELDS[mrz_type]:
        cells = lines[line_index][start:end]
        text = "".join(c.char for c in cells)
        tail = text.find(FILLER * 3)
        if tail < 0:
            continue
        for cell in cells[tail:]:
            if cell.char != FILLER and dict(cell.alternatives).get(FILLER, -1) > cell.score - 0.15:
                replace_choice(cell, FILLER)


# A runner-up this close to the winner could be the true character (a little wider
# than CLEAR_MARGIN, which already trusts winners further ahead).
PLAUSIBLE_ALTERNATIVE_GAP = 0.1


def confirm_by_rules(
    mrz_type: str,
    lines: list[list[CharChoice]],
    sure: set[tuple[int, int]] = frozenset(),
    disputed: set[tuple[int, int]] = frozenset(),
    ruled_out=lambda line, i, char: False,
) -> set[tuple[int, int]]:
    """Unsure positions that a holding check digit settles on its own.

    `sure` holds positions another reading already confirmed; they count as clear. A position
    is settled when it is the only unsure one its check covers and every plausible
    alternative character there would break the check digit or is `ruled_out` by another
    reading. (With several unsure positions, compensating errors can keep a digit holding:
    five O read for 0 did so on a real card.) A character a repair chose to make the digit
    hold, or one another reading contradicts (`disputed`), is never settled by that same
    digit. Country codes, names and sex have no such rule.
    """
    confirmed: set[tuple[int, int]] = set()
    date_starts = set(DATE_FIELDS[mrz_type])
    checks = CHECKS[mrz_type]
    for spans, (check_line, check_pos) in checks.values():
        positions = [(line, i) for line, start, end in spans for i in range(start, end)]
        positions.append((check_line, check_pos))

        def rule_holds(line: int, i: int, spans=spans, check=(check_line, check_pos)) -> bool:
            if not _check_holds(lines, spans, *check):
                return False
            date_start = _date_start_containing(date_starts, line, i)
            if date_start is None:
                return True
            return _plausible_date(
                "".join(c.char for c in lines[line][date_start : date_start + 6])
            )

        unsure = [p for p in positions if not lines[p[0]][p[1]].clear and p not in sure]
        if len(unsure) != 1:
            continue
        line, i = unsure[0]
        if lines[line][i].repaired or (line, i) in disputed:
            continue
        if _settled(lines, line, i, rule_holds, ruled_out):
            confirmed.add((line, i))
    return confirmed


def settled_by_country_codes(
    mrz_type: str,
    lines: list[list[CharChoice]],
    sure: set[tuple[int, int]] = frozenset(),
    disputed: set[tuple[int, int]] = frozenset(),
    ruled_out=lambda line, i, char: False,
) -> set[tuple[int, int]]:
    """Unsure characters of a country code that the list of real codes settles on its own.

    As confirm_by_rules does for a check digit: a code whose other two characters are sure
    settles its third when the code as read is real and no plausible alternative there (within
    PLAUSIBLE_ALTERNATIVE_GAP of the best, not `ruled_out` by another reading) makes another
    real one: `NOR` with its `O` unsure against `D` and `Q` (`NDR`, `NQR` are no codes), not
    `AUT` with its `T` unsure against `S` (`AUS` is one). A character enforce_country_codes
    chose to make the code real, or one another reading contradicts, is never settled so;
    nor is one whose alternatives were cut off while still plausible.
    """
    settled: set[tuple[int, int]] = set()
    for line, start in COUNTRY_FIELDS[mrz_type]:
        cells = lines[line][start : start + 3]
        unsure = [
            i for i in range(start, start + 3) if not lines[line][i].clear and (line, i) not in sure
        ]
        if len(unsure) != 1:
            continue
        i = unsure[0]
        cell = lines[line][i]
        if not cell.alternatives or cell.repaired or (line, i) in disputed:
            continue
        if _alternatives_cut_off(cell):
            continue

        def is_real_code(*_, cells=cells) -> bool:
            return "".join(c.char for c in cells) in _PADDED_CODES

        if _settled(lines, line, i, is_real_code, ruled_out):
            settled.add((line, i))
    return settled


def _alternatives_cut_off(cell: CharChoice) -> bool:
    """More characters were plausible than decide_line kept."""
    best = max(score for _, score in cell.alternatives)
    return (
        len(cell.alternatives) >= KEPT_ALTERNATIVES
        and cell.alternatives[-1][1] >= best - PLAUSIBLE_ALTERNATIVE_GAP
    )


def _settled(lines, line: int, i: int, rule_holds, ruled_out) -> bool:
    cell = lines[line][i]
    if not rule_holds(line, i):
        return False
    original = cell.char
    best_score = max(score for _, score in cell.alternatives)
    try:
        for char, score in cell.alternatives:
            if char == original or score < best_score - PLAUSIBLE_ALTERNATIVE_GAP:
                continue
            if ruled_out(line, i, char):
                continue
            cell.char = char
            if rule_holds(line, i):
                return False
    finally:
        cell.char = original
    return True


def held_by_check_digits(
    mrz_type: str, lines: list[list[CharChoice]], positions: set[tuple[int, int]]
) -> set[tuple[int, int]]:
    """Those of `positions` that some holding check digit (the composite too) covers."""
    held = set()
    for spans, (check_line, check_pos) in CHECKS[mrz_type].values():
        if not _check_holds(lines, spans, check_line, check_pos):
            continue
        covered = {(line, i) for line, start, end in spans for i in range(start, end)}
        held |= positions & covered
    return held


def settled_by_check_digits(mrz_type: str, lines: list[list[CharChoice]]) -> set[tuple[int, int]]:
    """Clear characters that a holding check digit already vouches for.

    A check digit holding over characters that are all clear winners (none repaired) rules
    out any single misread among them unless the misread keeps the digit holding. So a clear
    character is settled when every alternative it had would break a holding check digit
    over it. (Two compensating misreads of clear winners in one field remain possible in
    principle; on real print clear winners were wrong only where the layout forbade the
    printed character.) The second reader need not be asked about these.
    """
    holding = []
    for spans, (check_line, check_pos) in CHECKS[mrz_type].values():
        positions = [(line, i) for line, start, end in spans for i in range(start, end)]
        positions.append((check_line, check_pos))
        if all(lines[line][i].clear for line, i in positions) and _check_holds(
            lines, spans, check_line, check_pos
        ):
            holding.append((spans, (check_line, check_pos), set(positions)))
    settled: set[tuple[int, int]] = set()
    for line_index, line in enumerate(lines):
        for i, cell in enumerate(line):
            covering = [check for check in holding if (line_index, i) in check[2]]
            if not covering:
                continue
            original = cell.char
            try:
                for char, _score in cell.alternatives:
                    if char == original:
                        continue
                    cell.char = char
                    if all(_check_holds(lines, spans, *check) for spans, check, _ in covering):
                        break
                else:
                    settled.add((line_index, i))
            finally:
                cell.char = original
    return settled


# More template combinations than this in one field are not searched: the rule refuses.
MAX_COMBINATIONS = 4096


def settled_by_second_reading(
    mrz_type: str,
    lines: list[list[CharChoice]],
    theirs,
    sure: set[tuple[int, int]],
) -> dict[tuple[int, int], str]:
    """Characters of check-digit fields that the templates, the field's own check digit and
    the second reader decide together; returns {position: character} to adopt.

    `theirs(line, i)` is the second reader's character at a position (None where it has none).
    A field (number, dates, optional data; the composite only vouches for them) is decided
    when, over its positions not yet `sure`: the second reader read every one, each of its
    characters is one the templates found plausible there (an allowed alternative within
    PLAUSIBLE_ALTERNATIVE_GAP of the best), and of every combination of the templates'
    plausible characters at those positions, the second reader's is the only one under which
    the field's digit holds (and a date is a date). So the digit alone picks one reading of
    what the templates saw, and an independent reader read exactly that one. Where the digit
    cannot choose (an O/0 pair at weights 7 and 3, a G for a 6: 16 - 6 = 10 is blind to every
    weight), nothing is decided, however sure the second reader sounds. A composite digit
    that held before must still hold.
    """
    adopted: dict[tuple[int, int], str] = {}
    date_starts = set(DATE_FIELDS[mrz_type])
    checks = CHECKS[mrz_type]
    composite = checks.get("composite")
    for name, (spans, (check_line, check_pos)) in checks.items():
        if name == "composite":
            continue
        positions = [(line, i) for line, start, end in spans for i in range(start, end)]
        positions.append((check_line, check_pos))
        open_positions = [p for p in positions if p not in sure]
        if not open_positions:
            continue
        options, proposal = [], []
        for line, i in open_positions:
            cell = lines[line][i]
            best = max(score for _, score in cell.alternatives)
            plausible = [
                char
                for char, score in cell.alternatives
                if score >= best - PLAUSIBLE_ALTERNATIVE_GAP
            ]
            char = theirs(line, i)
            if char is None or char not in plausible:
                break
            options.append(plausible)
            proposal.append(char)
        else:
            field = (spans, (check_line, check_pos), date_starts, composite)
            if _only_holding_combination(lines, field, open_positions, options, proposal):
                adopted.update(zip(open_positions, proposal, strict=True))
    return adopted


def _only_holding_combination(lines, field, positions, options, proposal) -> bool:
    """`proposal` is the one combination of `options` at `positions` under which the field's
    digit holds and its dates are dates (and a holding composite still holds). `field`:
    (spans, check digit position, date starts, the composite's check or None)."""
    spans, check, date_starts, composite = field
    total = 1
    for chars in options:
        total *= len(chars)
    if total > MAX_COMBINATIONS:
        return False
    cells = [lines[line][i] for line, i in positions]
    originals = [cell.char for cell in cells]
    composite_held = composite is not None and _check_holds(lines, composite[0], *composite[1])
    dates = {_date_start_containing(date_starts, line, i) for line, i in positions} - {None}
    date_line = positions[0][0]

    def holds() -> bool:
        if not _check_holds(lines, spans, *check):
            return False
        return all(
            _plausible_date("".join(c.char for c in lines[date_line][start : start + 6]))
            for start in dates
        )

    holding = []
    try:
        for combination in itertools.product(*options):
            for cell, char in zip(cells, combination, strict=True):
                cell.char = char
            if holds():
                holding.append(list(combination))
                if len(holding) > 1:
                    return False
        if holding != [proposal]:
            return False
        for cell, char in zip(cells, proposal, strict=True):
            cell.char = char
        return not composite_held or _check_holds(lines, composite[0], *composite[1])
    finally:
        for cell, char in zip(cells, originals, strict=True):
            cell.char = char
