"""Rules that keep a reading's cells on the MRZ's cells: one grid for all lines, and no trust
for a 36-character reading of a band that may have cut a 44-character MRZ."""

import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageFont

from verification.mrz import read
from verification.mrz.glyphs import find_ocrb_font
from verification.mrz.locate import _ink_from_gray
from verification.mrz.read import BandReading, _finish, read_band

TD1 = [
    "I<UTOD231458907<<<<<<<<<<<<<<<",
    "7408122F1204159UTO<<<<<<<<<<<6",
    "ERIKSSON<<ANNA<MARIA<<<<<<<<<<",
]
TD3 = [
    "P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<",
    "L898902C36UTO7408122F1204159ZE184226B<<<<<10",
]
SIZE = 36  # font size in pixels: a pitch of about 26 px


def _band(lines: list[str], left_cells: float = 2.0, width_cells: float | None = None, stray=False):
    """An upright band of `lines` in OCR-B, starting `left_cells` pitches from its left end
    (negative: cut off), optionally with a character-sized blot a pitch before line 1."""
    font = ImageFont.truetype(find_ocrb_font(), SIZE)
    pitch = font.getlength("A")
    width_cells = width_cells if width_cells is not None else len(lines[0]) + 2 * left_cells
    line_gap = 1.66 * SIZE
    canvas = Image.new("L", (round(width_cells * pitch), round(line_gap * (len(lines) + 1))), 255)
    draw = ImageDraw.Draw(canvas)
    for k, line in enumerate(lines):
        draw.text((left_cells * pitch, line_gap * (k + 1)), line, font=font, fill=0, anchor="ls")
    if stray:
        x = (left_cells - 1) * pitch
        draw.rectangle((x + 0.2 * pitch, line_gap - 0.7 * SIZE, x + 0.6 * pitch, line_gap), fill=0)
    gray = np.asarray(canvas, np.float32) / 255
    return _ink_from_gray(gray), gray


def test_a_stray_blot_before_one_line_does_not_shift_that_line_by_a_cell():
    ink, gray = _band(TD1, stray=True)
    reading = read_band(ink, gray)
    assert reading.text_lines == TD1
    assert reading.layout_doubt is None
    assert read._line_offset(reading.geometries) < 0.2


def test_without_one_shared_grid_the_blot_would_shift_the_line(monkeypatch):
    # The failure the rule prevents: the line is fitted from the blot on, one cell early.
    monkeypatch.setattr(read, "MAX_LINE_OFFSET", 99.0)
    ink, gray = _band(TD1, stray=True)
    reading = read_band(ink, gray)
    assert reading.text_lines[0] != TD1[0]
    assert reading.text_lines[1:] == TD1[1:]


def test_lines_that_stay_a_cell_apart_leave_the_reading_untrusted():
    line = [read.classify.CharChoice(c, 0.95, 0.3, alternatives=[(c, 0.95)]) for c in TD3[0]]
    band = BandReading("TD3", [line, list(line)], [], {}, 0.95, layout_doubt="misaligned")
    reading = _finish(band)
    assert reading.trusted_fields == () and not reading.valid
    assert len(reading.unconfirmed_positions) == 88


@pytest.mark.parametrize("cut_cells", [8, 0])
def test_a_passport_band_cut_to_36_characters_is_read_but_trusted_for_nothing(cut_cells):
    # The locator hugged only part of a 2x44 MRZ: 36 cells fit what is left of each line,
    # and a date with its check digit moved into another field can hold there.
    ink, gray = _band(TD3, left_cells=-cut_cells, width_cells=36.3)
    reading = read_band(ink, gray)
    assert reading is not None and reading.mrz_type in ("TD2", "MRV-B")
    assert reading.layout_doubt == "cut"
    assert _finish(reading).trusted_fields == ()


def test_a_whole_two_line_mrz_of_36_with_margins_is_not_in_doubt():
    td2 = ["I<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<", "D231458907UTO7408122F1204159<<<<<<<6"]
    ink, gray = _band(td2)
    reading = read_band(ink, gray)
    assert reading.text_lines == td2 and reading.layout_doubt is None


def test_a_band_in_doubt_loses_to_one_without_doubt_even_with_failing_digits():
    doubtful = BandReading("TD2", [], [], {"number": True}, 0.97, layout_doubt="cut")
    plain = BandReading("TD3", [], [], {"number": False}, 0.91)
    assert plain.quality > doubtful.quality
    assert not read._good_enough(doubtful)
