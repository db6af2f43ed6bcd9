"""Look-alike ties (O/0 ...) settled by the document's own print, and only when it is clear."""

import numpy as np
from scipy import ndimage

from verification.mrz.classify import CHECKS, LAYOUTS, CharChoice
from verification.mrz.glyphs import SEARCH_MARGIN, TEMPLATE_COLS, TEMPLATE_ROWS
from verification.mrz.own_print import settle_lookalikes
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


def _print(seed: int = 14) -> dict[str, np.ndarray]:
    """This document's own cut: one smooth ink pattern per character."""
    rng = np.random.default_rng(seed)
    shape = (TEMPLATE_ROWS + 2 * SEARCH_MARGIN, TEMPLATE_COLS + 2 * SEARCH_MARGIN)
    return {
        char: ndimage.gaussian_filter(rng.random(shape), 1.5)
        for char in "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789<"
    }


def _band(lines: list[str], tied_cell: np.ndarray | None = None) -> BandReading:
    """The font templates read every character clearly except TIED, where they prefer O."""
    glyphs = _print()
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
