"""Look-alike ties (O/0 ...) settled by the document's own print, and only when it is clear."""

import numpy as np
import pytest
from scipy import ndimage

from verification.mrz.classify import CHECKS, LAYOUTS, CharChoice
from verification.mrz.glyphs import SEARCH_MARGIN, TEMPLATE_COLS, TEMPLATE_ROWS
from verification.mrz.own_print import ink_height, settle_lookalikes
from verification.mrz.parse import compute_check_digit
from verification.mrz.read import BandReading, _finish

# A number whose two 0s stand at weights 3 and 7: read as O at both, its digit still holds
# (24 * 3 + 24 * 7 = 240), so the check digit alone can never tell O from 0 there.
NUMBER = "L8980902C"
TIED = [(1, 4), (1, 6)]


def _td3(surname: str, country: str = "UTO") -> list[str]:
    line1 = f"P<{country}{surname}<<ANNA<MARIA".ljust(44, "<")
    number = NUMBER + compute_check_digit(NUMBER)
    birth, expiry = "7408122", "3404159"
    optional = "ZE184226B<<<<<"
    optional += compute_check_digit(optional)
    composite = compute_check_digit(number + birth + expiry + optional)
    return [line1, f"{number}{country}{birth}F{expiry}{optional}{composite}"]


def _patterns(seed: int = 14) -> dict[str, np.ndarray]:
    """This document's own cut: one smooth ink pattern per character."""
    rng = np.random.default_rng(seed)
    shape = (TEMPLATE_ROWS + 2 * SEARCH_MARGIN, TEMPLATE_COLS + 2 * SEARCH_MARGIN)
    return {
        char: ndimage.gaussian_filter(rng.random(shape), 1.5)
        for char in "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789<"
    }


def _standing(pattern: np.ndarray, top: int) -> np.ndarray:
    """`pattern` as ink from row `top` of the cell down."""
    cell = pattern.copy()
    cell[:top] = 0.0
    return cell


def _print(digit_top: int = 10, letter_top: int = 10) -> dict[str, np.ndarray]:
    """The patterns, digits standing from row `digit_top`, the rest from `letter_top` (by
    default as tall as each other)."""
    return {
        char: _standing(pattern, digit_top if char.isdigit() else letter_top)
        for char, pattern in _patterns().items()
    }


def _band(
    lines: list[str], tied_cell: np.ndarray | None = None, glyphs: dict | None = None
) -> BandReading:
    """The font templates read every character clearly except TIED, where they prefer O."""
    glyphs = glyphs or _print()
    noise = np.random.default_rng(3)
    choices, patches = [], []
    for line_index, text in enumerate(lines):
        line, cells = [], []
        for i, char in enumerate(text):
            cell = glyphs[char]
            if (line_index, i) in TIED:
                line.append(CharChoice("O", 0.9, 0.02, alternatives=[("O", 0.9), ("0", 0.88)]))
                cell = glyphs["0"] if tied_cell is None else tied_cell
            else:
                line.append(CharChoice(char, 0.95, 0.3, alternatives=[(char, 0.95), ("<", 0.6)]))
            cells.append(cell + noise.normal(0, 0.01, cell.shape))
        choices.append(line)
        patches.append(np.array(cells))
    settle_lookalikes(choices, LAYOUTS["TD3"], CHECKS["TD3"], patches)
    return BandReading("TD3", choices, patches, {}, 0.9)


def test_two_o_ties_that_keep_the_digit_holding_are_untrusted_without_own_print_evidence():
    lines = _td3("OLOFSSON")
    misread = [lines[0], lines[1][:4] + "O9O" + lines[1][7:]]
    choices = [
        [CharChoice(c, 0.95, 0.3, alternatives=[(c, 0.95)]) for c in text] for text in misread
    ]
    for line_index, i in TIED:
        choices[line_index][i] = CharChoice("O", 0.9, 0.02, alternatives=[("O", 0.9), ("0", 0.88)])
    reading = _finish(BandReading("TD3", choices, [], {}, 0.9))
    assert reading.check_digits["number"]  # the swaps cancel out in the digit
    assert "number" not in reading.trusted_fields
    assert set(TIED) <= set(reading.unconfirmed_positions)


def test_a_tie_settled_by_the_documents_own_print_becomes_trusted():
    # Its 0s in the dates look like the tied cells; its Os in OLOFSSON do not.
    band = _band(_td3("OLOFSSON"))
    assert band.text_lines == _td3("OLOFSSON")
    assert all(band.lines[line][i].own_print for line, i in TIED)
    reading = _finish(band)
    assert reading.fields.number == NUMBER
    assert reading.valid and reading.unconfirmed_positions == ()


def test_a_tie_whose_own_print_evidence_is_ambiguous_stays_untrusted():
    glyphs = _print()
    halfway = (glyphs["0"] + glyphs["O"]) / 2  # as like the document's 0s as its Os
    reading = _finish(_band(_td3("OLOFSSON"), tied_cell=halfway))
    assert "number" not in reading.trusted_fields
    assert set(TIED) <= set(reading.unconfirmed_positions)


def test_without_the_documents_own_letter_o_a_tie_is_not_settled():
    # No O where only letters may stand: nothing shows how this print draws an O.
    reading = _finish(_band(_td3("HANSEN", country="D<<")))
    assert "number" not in reading.trusted_fields
    assert set(TIED) <= set(reading.unconfirmed_positions)


# --- O or 0 by height ---------------------------------------------------------------------------
# As on real print, this document's digits stand two rows taller than its capitals; the tied
# cells' shape is halfway between its 0 and its O, so only their height can tell.
TALL_DIGITS = {"digit_top": 8, "letter_top": 10}


def _tie_standing_from(top: int) -> np.ndarray:
    patterns = _patterns()
    return _standing((patterns["0"] + patterns["O"]) / 2, top)


def test_a_tie_as_tall_as_the_digits_is_a_trusted_0():
    lines = _td3("HANSEN", country="D<<")
    band = _band(lines, tied_cell=_tie_standing_from(8), glyphs=_print(**TALL_DIGITS))
    assert band.text_lines == lines
    reading = _finish(band)
    assert reading.fields.number == NUMBER
    assert "number" in reading.trusted_fields


def test_a_tie_as_short_as_the_letters_is_never_decided_by_height_alone():
    # Print loses ink more often than it gains any: a short 0 is likelier than a tall O.
    band = _band(
        _td3("HANSEN", country="D<<"),
        tied_cell=_tie_standing_from(10),
        glyphs=_print(**TALL_DIGITS),
    )
    assert not any(band.lines[line][i].own_print for line, i in TIED)
    reading = _finish(band)
    assert "number" not in reading.trusted_fields
    assert set(TIED) <= set(reading.unconfirmed_positions)


def test_a_tie_halfway_between_the_two_heights_stays_untrusted():
    band = _band(
        _td3("HANSEN", country="D<<"),
        tied_cell=_tie_standing_from(9),
        glyphs=_print(**TALL_DIGITS),
    )
    reading = _finish(band)
    assert "number" not in reading.trusted_fields
    assert set(TIED) <= set(reading.unconfirmed_positions)


def test_height_and_shape_that_disagree_decide_nothing():
    # The cell has the shape of the print's O (OLOFSSON shows it), but stands as tall as a digit.
    tall_o = _standing(_patterns()["O"], 8)
    band = _band(_td3("OLOFSSON"), tied_cell=tall_o, glyphs=_print(**TALL_DIGITS))
    assert not any(band.lines[line][i].own_print for line, i in TIED)
    reading = _finish(band)
    assert "number" not in reading.trusted_fields


def test_ink_height_runs_between_the_half_peak_crossings_to_a_fraction_of_a_row():
    cell = np.zeros((TEMPLATE_ROWS + 2 * SEARCH_MARGIN, TEMPLATE_COLS + 2 * SEARCH_MARGIN))
    cell[12:30] = 1.0
    cell[11] = 0.75  # the ink reaches half its peak two thirds of the way from row 10 to 11
    assert ink_height(cell) == pytest.approx(29.5 - (10 + 2 / 3), abs=0.01)
    assert ink_height(np.zeros_like(cell)) is None
