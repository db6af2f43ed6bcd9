import io
import json

import numpy as np
import pytest
from PIL import Image

from benchmarks.mrz.generate import generate_dataset
from verification.mrz.parse import TRUSTABLE_FIELDS
from verification.mrz.read import MrzReading, read_mrz

FIELDS = ("mrz_type", "country", "number", "date_of_birth", "expiration_date", "nationality", "sex")
SUBSET = {"clean": 6, "mild": 6, "hard": 4}


@pytest.fixture(scope="module")
def generated(tmp_path_factory):
    """A small deterministic subset of the benchmark images, with ground truth."""
    root = tmp_path_factory.mktemp("mrz-images")
    rows = []
    for level, count in SUBSET.items():
        for row in generate_dataset(root / level, count, seed=11, levels=(level,)):
            rows.append({**row, "path": str(root / level / row["file"])})
    return rows


def _is_full_read(result: dict, truth: dict) -> bool:
    same_fields = all(result[name] == truth[name] for name in FIELDS)
    same_names = (result["surname"], result["names"]) == (truth["surname"], truth["names"])
    return same_fields and same_names and result["raw_text"] == truth["raw_text"]


def test_generated_images_are_read_in_full_and_never_valid_but_wrong(generated):
    results = [(row, read_mrz(row["path"]).to_dict()) for row in generated]
    valid_but_wrong = [
        row["file"] for row, result in results if result["valid"] and not _is_full_read(result, row)
    ]
    assert valid_but_wrong == []
    misread = [row["file"] for row, result in results if not _is_full_read(result, row)]
    # The quick subset must be read completely at every level.
    assert misread == []


def test_valid_reads_carry_engine_timing_and_check_digits(generated):
    reading = read_mrz(generated[0]["path"])
    assert isinstance(reading, MrzReading)
    assert reading.valid
    assert reading.confidence > 0.8
    assert reading.seconds > 0
    assert all(reading.check_digits.values())
    assert reading.engine == "kyc-mrz"


def test_bytes_and_pil_images_are_accepted(generated):
    path = generated[1]["path"]
    with open(path, "rb") as handle:
        data = handle.read()
    from_bytes = read_mrz(data)
    from_pil = read_mrz(Image.open(io.BytesIO(data)))
    assert from_bytes.raw_text == from_pil.raw_text == generated[1]["raw_text"]


def test_upside_down_document_is_read(generated):
    upright = Image.open(generated[0]["path"])
    reading = read_mrz(upright.rotate(180, expand=True))
    assert reading.raw_text == generated[0]["raw_text"]
    assert reading.valid


@pytest.mark.parametrize("seed", [0, 3], ids=["card", "passport"])
def test_a_red_ring_drawn_round_the_mrz_does_not_hide_it(seed):
    # A customer or a sample's author rings the MRZ in red pen: it crosses the lines' ends,
    # and in plain luminance its stroke is as dark as print and joins the lines into one blob.
    import datetime
    import random

    from PIL import ImageDraw

    from benchmarks.mrz.generate import (
        MRZ_LINE_SPACING_MM,
        MRZ_PITCH_MM,
        random_document,
        render_document,
    )

    rng = random.Random(seed)
    document = random_document(rng, "TD1" if seed % 2 == 0 else "TD3", datetime.date(2026, 12, 3))
    px_per_mm = 12.0
    page = render_document(document, rng, px_per_mm)
    width, height = page.size
    mrz_width = len(document.lines[0]) * MRZ_PITCH_MM * px_per_mm
    mrz_height = len(document.lines) * MRZ_LINE_SPACING_MM * px_per_mm
    left, top = (width - mrz_width) / 2, height - 5.5 * px_per_mm - mrz_height
    ring = (left - 2 * px_per_mm, top, left + mrz_width, height - 1.5 * px_per_mm)
    ImageDraw.Draw(page).ellipse(ring, outline=(225, 35, 40), width=round(0.7 * px_per_mm))

    reading = read_mrz(page)

    assert reading.lines == tuple(document.lines)
    assert reading.check_digits and all(reading.check_digits.values())


@pytest.mark.parametrize("mode", ["RGBA", "P"])
def test_the_brightest_channel_look_reads_transparent_pixels_as_paper(mode):
    from verification.mrz.locate import load_grayscale

    image = Image.new("RGBA", (120, 80), (0, 0, 0, 0))  # transparent black
    image.paste((20, 20, 20, 255), (10, 10, 60, 40))  # print
    image.paste((225, 35, 40, 255), (70, 10, 110, 40))  # red pen
    if mode == "P":
        image = image.convert("P")
        image.info["transparency"] = image.getpixel((0, 0))

    gray = load_grayscale(image, by_brightest_channel=True)

    assert gray[0, 0] == 1.0 and gray[70, 100] == 1.0  # paper
    assert gray[20, 20] < 0.15  # black print stays dark
    assert gray[20, 90] > 0.85  # the red turns light


def test_a_grey_image_has_no_brightest_channel_look():
    from verification.mrz.locate import load_grayscale

    assert load_grayscale(Image.new("L", (60, 40), 200), by_brightest_channel=True) is None
    assert load_grayscale(Image.new("L", (60, 40), 200)).shape == (40, 60)


def test_to_dict_is_json_ready_with_iso_dates(generated):
    result = read_mrz(generated[0]["path"]).to_dict()
    json.dumps(result)
    assert result["date_of_birth"] == generated[0]["date_of_birth"]
    expected = {
        "path", "mrz_type", "document_type", "country", "number", "date_of_birth",
        "expiration_date", "nationality", "sex", "surname", "names", "valid", "raw_text",
        "seconds", "confidence", "check_digits", "error",
    }  # fmt: skip
    assert expected <= set(result)


def test_random_noise_gives_an_error_and_not_valid():
    noise = np.random.default_rng(0).integers(0, 255, (600, 800), dtype=np.uint8)
    reading = read_mrz(Image.fromarray(noise))
    assert not reading.valid
    assert reading.error
    assert reading.mrz_type is None


def test_a_text_file_is_unreadable_not_a_crash(tmp_path):
    path = tmp_path / "notes.txt"
    path.write_text("not an image at all")
    reading = read_mrz(str(path))
    assert reading.error
    assert not reading.valid
    assert reading.to_dict()["mrz_type"] is None


def test_a_missing_file_is_reported_as_unreadable(tmp_path):
    reading = read_mrz(str(tmp_path / "missing.jpg"))
    assert reading.error and not reading.valid


def test_blank_page_has_no_mrz():
    reading = read_mrz(Image.new("L", (900, 600), 240))
    assert reading.error == "no machine readable zone found"
    assert not reading.valid


def _choices(text: str, ties: dict[int, tuple[str, float]] | None = None):
    """Clear CharChoices for `text`, with optional near-tie runner-ups at some positions."""
    from verification.mrz.classify import CharChoice

    choices = []
    for i, char in enumerate(text):
        if ties and i in ties:
            other, gap = ties[i]
            alternatives = [(char, 0.95), (other, 0.95 - gap), ("Q", 0.5)]
            choices.append(CharChoice(char, 0.95, gap, alternatives=alternatives))
        else:
            choices.append(CharChoice(char, 0.95, 0.3, alternatives=[(char, 0.95), ("Q", 0.6)]))
    return choices


TD3_LINES = (
    "P<SWEERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<",
    "L898902C36SWE7408122F1204159ZE184226B<<<<<10",
)


def test_failed_check_digit_is_repaired_from_the_runner_up_and_left_unconfirmed():
    from verification.mrz.classify import repair_check_digits

    misread = TD3_LINES[1][:16] + "3" + TD3_LINES[1][17:]  # the 8 of 740812 read as 3
    lines = [_choices(TD3_LINES[0]), _choices(misread, ties={16: ("8", 0.05)})]
    validity = repair_check_digits("TD3", lines)
    assert all(validity.values())
    assert lines[1][16].char == "8"
    assert not lines[1][16].clear  # a repair needs a second opinion before it is trusted


def test_filler_misread_as_k_in_the_country_code_is_repaired():
    from verification.mrz.classify import enforce_country_codes

    line1 = _choices("P<DK<" + TD3_LINES[0][5:], ties={3: ("<", 0.04)})
    lines = [line1, _choices(TD3_LINES[1])]
    enforce_country_codes("TD3", lines)
    assert "".join(c.char for c in lines[0][2:5]) == "D<<"


def test_lone_zero_or_letter_o_tie_is_settled_by_the_check_digit():
    from verification.mrz.classify import confirm_by_rules

    number_line = "L8989020C9SWE7408122F1204159ZE184226B<<<<<14"
    assert parse_number_check(number_line)
    lines = [_choices(TD3_LINES[0]), _choices(number_line, ties={6: ("O", 0.03)})]
    assert (1, 6) in confirm_by_rules("TD3", lines)


def test_tie_in_a_name_is_not_settled_by_any_rule():
    from verification.mrz.classify import confirm_by_rules

    lines = [_choices(TD3_LINES[0], ties={8: ("O", 0.03)}), _choices(TD3_LINES[1])]
    assert (0, 8) not in confirm_by_rules("TD3", lines)


def test_a_holding_check_digit_vouches_for_clear_characters_it_would_catch_misread():
    from verification.mrz.classify import settled_by_check_digits

    # Birth date 8 (runner-up 3) and document number C (runner-up M): both clear but not
    # very clear. A 3 would break the date's digit; an M (C + 10) would keep the number's.
    lines = [_choices(TD3_LINES[0]), _choices(TD3_LINES[1], ties={16: ("3", 0.15), 7: ("M", 0.15)})]
    settled = settled_by_check_digits("TD3", lines)
    assert (1, 16) in settled and (1, 19) in settled  # the date digit and its check digit
    assert (1, 7) not in settled
    # A repaired character anywhere under a check digit: that digit vouches for nothing.
    lines[1][17].repaired = True
    settled = settled_by_check_digits("TD3", lines)
    assert not {(1, i) for i in range(13, 20)} & settled


def test_the_second_reader_is_asked_only_about_characters_it_could_still_decide():
    from verification.mrz.read import CONTEXT_CELLS, _doubtful_spans

    # Clear but close: a name letter (the M of MARIA) and the name tail's fillers.
    name_line = _choices(TD3_LINES[0], ties={20: ("N", 0.15)})
    for choice in name_line[26:]:
        choice.margin = 0.15
    assert _doubtful_spans(name_line) == [(20 - CONTEXT_CELLS, 21 + CONTEXT_CELLS)]
    # A lone clear filler is not a run: it is asked about.
    lone = _choices("P<UTOERIKSSON<<ANNA<MARIA" + "X" * 19, ties={19: ("K", 0.15)})
    assert _doubtful_spans(lone) == [(19 - CONTEXT_CELLS, 20 + CONTEXT_CELLS)]
    # Characters a check digit settled are not asked about either.
    date_line = _choices(TD3_LINES[1], ties={16: ("3", 0.15)})
    assert _doubtful_spans(date_line) == [(16 - CONTEXT_CELLS, 17 + CONTEXT_CELLS)]
    assert _doubtful_spans(date_line, settled={16}) == []


def parse_number_check(line2: str) -> bool:
    from verification.mrz import is_check_digit_valid

    return is_check_digit_valid(line2[:9], line2[9])


def test_icao_specimen_of_utopia_is_read_and_fully_trusted():
    import random

    from benchmarks.mrz.generate import GeneratedDocument, render_document

    lines = ("P<UTOERIKSSON<<ANNA<MARIA" + "<" * 19, "L898902C36UTO7408122F1204159ZE184226B<<<<<10")
    document = GeneratedDocument("TD3", lines, "Eriksson", "Anna Maria", "UTO")
    reading = read_mrz(render_document(document, random.Random(1), 11.0))
    assert reading.raw_text == "\n".join(lines)
    assert all(reading.check_digits.values())
    # Every field a passport has; the second optional data is a card's.
    passport_fields = [name for name in TRUSTABLE_FIELDS if name != "optional_data_2"]
    assert reading.valid and reading.to_dict()["trusted_fields"] == passport_fields
