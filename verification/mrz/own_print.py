"""Settling digit / letter look-alike ties (O/0, I/1, B/8, S/5, Z/2, G/6) with the document's
own print.

The glyph templates come from one OCR-B font file; real documents use other cuts, and on some
the font's `O` fits the print's `0` better than the font's `0` does. But every MRZ also prints
characters whose class its layout fixes: only digits stand in dates and check digits, only
letters in names and country codes. A clear winner there is an example of how this very
document prints that character. Where a cell that may hold either member of a look-alike pair
is a near tie for the font templates, the mean of this document's own examples of both members
decides, when it decides clearly. The caller trusts such a character only where a check digit
over it holds (two O/0 swaps at weights 7 and 3 cancel out, so the digit alone never could).
"""

from __future__ import annotations

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from .glyphs import TEMPLATE_COLS, TEMPLATE_ROWS, glyph_templates, normalise_windows
from .parse import MRZ_ALPHABET, is_check_digit_valid

DIGITS = "0123456789"
LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
# Digit / letter pairs that OCR-B cuts draw alike, so a font template can prefer the wrong one.
LOOKALIKE_PAIRS = ("0O", "1I", "8B", "5S", "2Z", "6G")
# The document's own examples must prefer one member by this much (normalised correlation).
# On the real development set the true member of a pair never trailed by more than 0.004 and
# led O/0 ties by 0.022 or more, so this leaves a wide gap on the side of refusing.
OWN_PRINT_MARGIN = 0.025
# ... and the cell must look this much like the winner's own examples: a cell that matches
# neither well (a D, a Q, a stain) is not decided by which of two poor fits is less poor.
OWN_PRINT_MIN_SCORE = 0.9
_INDEX = {c: i for i, c in enumerate(MRZ_ALPHABET)}


def _windows(patch: np.ndarray) -> np.ndarray:
    """Every template-sized window of a cell patch (one per shift), normalised."""
    windows = sliding_window_view(patch, (TEMPLATE_ROWS, TEMPLATE_COLS))
    return normalise_windows(windows.reshape(-1, TEMPLATE_ROWS * TEMPLATE_COLS))


def _aligned(patch: np.ndarray, char: str) -> np.ndarray:
    """The window of `patch` where the font's `char` matches best."""
    windows = _windows(patch)
    fits = (windows @ glyph_templates()[:, _INDEX[char]].T).max(axis=1)
    return windows[int(fits.argmax())]


def forced_examples(
    lines, layouts, checks: dict, patches: list[np.ndarray], wanted=frozenset(DIGITS + LETTERS)
) -> dict[str, np.ndarray]:
    """Own-print template (normalised mean window) per character, from clear winners at
    positions whose layout fixes the class: digits where only digits (or fillers) may stand,
    unless a check digit over them fails as read (their own field's digit holding outweighs
    a failing composite); letters where no digit may. Only the `wanted` characters."""
    held, failing = set(), set()
    for name, (spans, (check_line, check_pos)) in checks.items():
        text = "".join(c.char for ln, start, end in spans for c in lines[ln][start:end])
        positions = {(ln, i) for ln, start, end in spans for i in range(start, end)}
        positions.add((check_line, check_pos))
        if not is_check_digit_valid(text, lines[check_line][check_pos].char):
            failing |= positions
        elif name != "composite":
            held |= positions  # its own field's digit holds: a failing composite is elsewhere
    examples: dict[str, list[np.ndarray]] = {}
    for line_index, line in enumerate(lines):
        for i, choice in enumerate(line):
            allowed = set(layouts[line_index][i])
            if not choice.clear or choice.char not in wanted:
                continue
            doubtful = (line_index, i) in failing and (line_index, i) not in held
            if choice.char in DIGITS and (allowed & set(LETTERS) or doubtful):
                continue
            if choice.char in LETTERS and allowed & set(DIGITS):
                continue
            window = _aligned(patches[line_index][i], choice.char)
            examples.setdefault(choice.char, []).append(window)
    return {
        char: normalise_windows(np.mean(windows, axis=0)[None])[0]
        for char, windows in examples.items()
    }


def settle_lookalikes(lines, layouts, checks: dict, patches: list[np.ndarray]) -> set:
    """Decide unclear look-alike cells by the document's own print; returns their positions.

    A cell is decided when it is not a clear font winner, its font winner belongs to a pair
    whose both members the layout allows there, the document shows clear examples of both
    members where the layout fixes the class, and its best-shift correlation with one
    member's examples beats the other's by OWN_PRINT_MARGIN and reaches OWN_PRINT_MIN_SCORE.
    The decided character replaces the font's, with no alternatives left for a repair to
    swap in.
    """
    partners = {a: b for pair in LOOKALIKE_PAIRS for a, b in (pair, pair[::-1])}
    candidates = [
        (line_index, i)
        for line_index, line in enumerate(lines)
        for i, choice in enumerate(line)
        if not choice.clear
        and choice.char in partners
        and partners[choice.char] in layouts[line_index][i]
    ]
    if not candidates:
        return set()
    pairs = {(lines[line][i].char, partners[lines[line][i].char]) for line, i in candidates}
    wanted = {char for pair in pairs for char in pair}
    own = forced_examples(lines, layouts, checks, patches, wanted)
    decided = set()
    for line_index, i in candidates:
        choice = lines[line_index][i]
        pair = (choice.char, partners[choice.char])
        if not all(char in own for char in pair):
            continue
        windows = _windows(patches[line_index][i])
        scores = [float((windows @ own[char]).max()) for char in pair]
        best = int(np.argmax(scores))
        if scores[best] < OWN_PRINT_MIN_SCORE or scores[best] - scores[1 - best] < OWN_PRINT_MARGIN:
            continue
        choice.char = pair[best]
        choice.alternatives = [(pair[best], choice.score)]
        choice.own_print = True
        decided.add((line_index, i))
    return decided
