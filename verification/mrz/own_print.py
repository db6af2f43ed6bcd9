"""Settling digit / letter look-alike ties (O/0, I/1, B/8, S/5, Z/2, G/6) with the document's
own print.

The glyph templates come from one OCR-B font file; real documents use other cuts, and on some
the font's `O` fits the print's `0` better than the font's `0` does. But every MRZ also prints
characters whose class its layout fixes: only digits stand in dates and check digits, only
letters in names and country codes. A winner there is an example of how this very
document prints that character. Where a cell that may hold either member of a look-alike pair
is a near tie for the font templates, the mean of this document's own examples of both members
decides, when it decides clearly; for O/0, so does the height the cell stands (digits stand
taller than capitals in OCR-B). The caller trusts such a character only where a check digit
over it holds (two O/0 swaps at weights 7 and 3 cancel out, so the digit alone never could).
"""

from __future__ import annotations

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from .classify import CLEAR_MIN_SCORE
from .glyphs import SEARCH_MARGIN, TEMPLATE_COLS, TEMPLATE_ROWS, glyph_templates, normalise_windows
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
# An example need not be a clear winner (CLEAR_MARGIN): at phone-photo size (12-14 px a
# character) few cells are, yet a winner this far ahead of the other characters its class
# allows is still that character. On phone-photo and blurred copies of real pages, such
# examples of both O and 0 stood beside 291 of 650 O/0 ties (clear winners: beside 57), and
# decided 268 of them, all right.
OWN_EXAMPLE_MARGIN = 0.02
_INDEX = {c: i for i, c in enumerate(MRZ_ALPHABET)}
_PARTNERS = {a: b for pair in LOOKALIKE_PAIRS for a, b in (pair, pair[::-1])}


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
    """Own-print template (normalised mean window) per character, from winners (ahead by
    OWN_EXAMPLE_MARGIN, never repaired) at positions whose layout fixes the class: digits
    where only digits (or fillers) may stand, unless a check digit over them fails as read
    (their own field's digit holding outweighs a failing composite); letters where no digit
    may. Only the `wanted` characters."""
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
            if not _example(choice) or choice.char not in wanted:
                continue
            if not _class_fixed(choice.char, layouts[line_index][i]):
                continue
            doubtful = (line_index, i) in failing and (line_index, i) not in held
            if choice.char in DIGITS and doubtful:
                continue
            window = _aligned(patches[line_index][i], choice.char)
            examples.setdefault(choice.char, []).append(window)
    return {
        char: normalise_windows(np.mean(windows, axis=0)[None])[0]
        for char, windows in examples.items()
    }


def _class_fixed(char: str, allowed: str) -> bool:
    """The layout allows no character of the other class (letter for a digit, digit for a
    letter) where `char` stands."""
    other = LETTERS if char in DIGITS else DIGITS
    return not set(allowed) & set(other)


def _example(choice) -> bool:
    return (
        not choice.repaired
        and choice.score >= CLEAR_MIN_SCORE
        and choice.margin >= OWN_EXAMPLE_MARGIN
    )


def settle_lookalikes(lines, layouts, checks: dict, patches: list[np.ndarray]) -> set:
    """Decide unclear look-alike cells by the document's own print; returns their positions.

    A cell is a candidate when it is not a clear font winner and its font winner belongs to a
    pair whose both members the layout allows there. Two kinds of evidence can decide it:

    - *shape*: the document shows examples of both members where the layout fixes the class
      (winners by OWN_EXAMPLE_MARGIN), and the cell's best-shift correlation with one
      member's examples beats the other's by OWN_PRINT_MARGIN and reaches
      OWN_PRINT_MIN_SCORE;
    - *height* (O/0 only, `by_height`): whether the cell stands as tall as the digits or as
      the letters of its own line. It only ever decides a 0: print loses ink (glare, thin
      ink, a worn laminate make a 0 shorter) far more often than it gains any, and two 0s
      taken for O at weights 7 and 3 would keep the digit holding (measured by the top of
      the ink alone, a phone-photo copy of a real page lost its first two cells' tops so).

    A cell is decided when one of them decides and the other does not say otherwise. The
    decided character replaces the font's, with no alternatives left for a repair to swap in.
    """
    partners = _PARTNERS
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
    heights = by_height(lines, layouts, patches, candidates)
    decided = set()
    for line_index, i in candidates:
        choice = lines[line_index][i]
        pair = (choice.char, partners[choice.char])
        by_shape = _by_shape(patches[line_index][i], pair, own)
        as_tall_as = heights.get((line_index, i))
        if by_shape and as_tall_as and by_shape != as_tall_as:
            continue
        char = by_shape or (as_tall_as if as_tall_as == "0" else None)
        if char is None:
            continue
        choice.char = char
        choice.alternatives = [(char, choice.score)]
        choice.own_print = True
        decided.add((line_index, i))
    return decided


def _by_shape(patch: np.ndarray, pair: tuple[str, str], own: dict) -> str | None:
    """The member of `pair` whose own-print examples the cell matches clearly better."""
    if not all(char in own for char in pair):
        return None
    windows = _windows(patch)
    scores = [float((windows @ own[char]).max()) for char in pair]
    best = int(np.argmax(scores))
    if scores[best] < OWN_PRINT_MIN_SCORE or scores[best] - scores[1 - best] < OWN_PRINT_MARGIN:
        return None
    return pair[best]


# --- O or 0 by height -------------------------------------------------------------------------
# OCR-B's digits stand taller than its capitals (0.77 against 0.71 em in the font), and so do
# real prints': on every page of the development set that prints both, each letter O's ink
# starts below every digit 0's, by 0.6-3 template rows (a row is 0.05 character heights), while
# a page's 0s lie within about 0.4 rows of each other. The ink's height, from where it first to
# where it last reaches half its peak, survives blur and JPEG (blur leaves those crossings in
# place) and, unlike the top alone, a baseline fitted a little off at the end of a line.
HEIGHT_PAIR = "0O"
# Characters whose ink, across the cell's middle, spans the digits' or the capitals' full
# height, measured on the development set's lines against their own 0s: 2, 3, 5 and 8 within
# 0.35 rows of the 0s, these letters within 0.4 rows of the Os (E 0.75 rows taller). Not 1, 4,
# 6, 7, 9, F, P, T, L or J, whose middle holds ink over only part of the height (a flag, a
# point, a hook, a bar), nor I or Z, which stand closer to the digits than the Os do.
DIGIT_HEIGHTS = "02358"
LETTER_HEIGHTS = "BCDEGKORSVX"
# A line's nationality code may hold the only letters of known class on a passport's line 2.
MIN_DIGITS, MIN_LETTERS = 3, 1
# The line's digits must stand at least this many template rows taller than its letters (on
# two pages of the development set, the Malaysian sample and a hand-held photo, they do not).
MIN_HEIGHT_GAP = 0.8
# A cell within this share of the gap of one side's median has that side's height (at 0.3,
# the far 0s of a line seen in perspective went undecided: a line's cells are all sampled at
# one character height, and the far end of the line stands a little shorter).
HEIGHT_SIDE = 0.4
# Columns of a cell patch whose ink is averaged: its middle, clear of the neighbours.
_MIDDLE = slice(SEARCH_MARGIN + 3, -(SEARCH_MARGIN + 3))


def ink_height(patch: np.ndarray) -> float | None:
    """Template rows (with a fraction) between where the mean ink across the cell's middle
    first and last reaches half its peak; None for an empty cell."""
    profile = patch[:, _MIDDLE].mean(axis=1)
    profile = profile - profile.min()
    half = profile.max() / 2
    if half <= 0:
        return None
    bottom = len(profile) - 1 - _crossing(profile[::-1], half)
    return bottom - _crossing(profile, half)


def _crossing(profile: np.ndarray, half: float) -> float:
    """Where `profile` first reaches `half`, interpolated between rows (reversed profiles
    count from the other end)."""
    row = int(np.argmax(profile > half))
    if row == 0:
        return 0.0
    before, at = profile[row - 1], profile[row]
    return row - (at - half) / max(at - before, 1e-6)


def by_height(lines, layouts, patches: list[np.ndarray], candidates) -> dict:
    """{position: "0" or "O"}: which of the pair the O/0 `candidates` stand as tall as. On a
    line with MIN_DIGITS digits and MIN_LETTERS letters of known class (winners where the layout
    fixes the class, or clear winners with no look-alike) whose median heights lie
    MIN_HEIGHT_GAP apart, a cell within HEIGHT_SIDE of the gap of one median. Only a line's own
    characters are compared: each line's cells are scaled to its own character height."""
    heights = {}
    for line_index, line in enumerate(lines):
        asked = [i for k, i in candidates if k == line_index and line[i].char in HEIGHT_PAIR]
        if not asked:
            continue
        digit_heights, letter_heights = [], []
        for i, choice in enumerate(line):
            if not _example(choice):
                continue
            known = choice.clear and choice.char not in _PARTNERS
            if not known and not _class_fixed(choice.char, layouts[line_index][i]):
                continue
            if choice.char in DIGIT_HEIGHTS:
                digit_heights.append(ink_height(patches[line_index][i]))
            elif choice.char in LETTER_HEIGHTS:
                letter_heights.append(ink_height(patches[line_index][i]))
        digit_heights = [height for height in digit_heights if height is not None]
        letter_heights = [height for height in letter_heights if height is not None]
        if len(digit_heights) < MIN_DIGITS or len(letter_heights) < MIN_LETTERS:
            continue
        digits, letters = float(np.median(digit_heights)), float(np.median(letter_heights))
        gap = digits - letters
        if gap < MIN_HEIGHT_GAP:
            continue
        for i in asked:
            height = ink_height(patches[line_index][i])
            if height is None:
                continue
            if abs(height - digits) < HEIGHT_SIDE * gap:
                heights[(line_index, i)] = "0"
            elif abs(height - letters) < HEIGHT_SIDE * gap:
                heights[(line_index, i)] = "O"
    return heights
