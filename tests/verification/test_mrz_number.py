"""The number-only read (verification.mrz.read.document_number): the face match's question
"which document is this?" answered from the number's own cells, never with a repair."""

import random

import pytest
from PIL import Image

from benchmarks.mrz.generate import GeneratedDocument, generate_dataset, render_document
from verification.mrz import compute_check_digit
from verification.mrz.classify import CharChoice
from verification.mrz.locate import UnreadableImageError
from verification.mrz.read import _settled_number, document_number, read_mrz

SUBSET = {"clean": 6, "mild": 6, "hard": 4}


@pytest.fixture(scope="module")
def generated(tmp_path_factory):
    """The MRZ reader tests' subset (passports and cards), with ground truth."""
    root = tmp_path_factory.mktemp("mrz-number-images")
    rows = []
    for level, count in SUBSET.items():
        for row in generate_dataset(root / level, count, seed=11, levels=(level,)):
            rows.append({**row, "path": str(root / level / row["file"])})
    return rows


def test_the_number_is_read_on_passports_and_cards_and_is_read_mrzs_own(generated):
    numbers = [(row, document_number(row["path"])) for row in generated]
    assert {row["mrz_type"] for row, _ in numbers} == {"TD1", "TD3"}
    assert [row["file"] for row, number in numbers if number not in (row["number"], None)] == []
    # Clean scans and ordinary photos are read; a hard photo may be "not legible" instead.
    unread = [row["file"] for row, number in numbers if number is None]
    assert [name for name in unread if not name.startswith("hard")] == []
    assert len(unread) <= 1
    for row, number in numbers[:4]:
        assert read_mrz(row["path"]).fields.number == number


def test_an_upside_down_page_is_read(generated):
    upright = Image.open(generated[0]["path"])
    assert document_number(upright.rotate(180, expand=True)) == generated[0]["number"]


def _render(lines: tuple[str, ...], mrz_type: str) -> Image.Image:
    document = GeneratedDocument(mrz_type, lines, "Eriksson", "Anna Maria", "UTO")
    return render_document(document, random.Random(1), 11.0)


def test_the_icao_specimen_number():
    lines = ("P<UTOERIKSSON<<ANNA<MARIA" + "<" * 19, "L898902C36UTO7408122F1204159ZE184226B<<<<<10")
    assert document_number(_render(lines, "TD3")) == "L898902C3"


def test_a_card_number_continued_in_the_optional_data_is_refused():
    # ICAO 9303 part 5's long number: 12 characters, its check digit after the overflow.
    number, overflow = "D23145890", "734"
    check = compute_check_digit(number + overflow)
    line1 = f"I<UTO{number}<{overflow}{check}".ljust(30, "<")
    line2 = "7408122F1204159UTO<<<<<<<<<<<"
    composite = line1[5:30] + line2[0:7] + line2[8:15] + line2[18:29]
    lines = (line1, line2 + compute_check_digit(composite), "ERIKSSON<<ANNA<MARIA".ljust(30, "<"))
    image = _render(lines, "TD1")
    assert read_mrz(image).fields.number == number + overflow  # the full reader knows it
    assert document_number(image) is None  # the number-only read does not guess


def test_no_mrz_and_no_image():
    assert document_number(Image.new("L", (900, 600), 240)) is None
    with pytest.raises(UnreadableImageError):
        document_number(b"not an image")


# --- the decision over the cells read (TD3: number, check digit, nationality) -------------------


def _cells(text: str, near: dict[int, tuple[str, float]] | None = None) -> list[CharChoice]:
    """Clear choices for `text`; at `near` positions a runner-up this close behind."""
    cells = []
    for i, char in enumerate(text):
        other, gap = (near or {}).get(i, ("Q", 0.35))
        cells.append(CharChoice(char, 0.95, gap, alternatives=[(char, 0.95), (other, 0.95 - gap)]))
    return cells


def test_a_clear_number_with_its_check_digit_holding_is_the_number():
    assert _settled_number("TD3", _cells("L898902C36UTO"), 0) == "L898902C3"
    assert _settled_number("TD3", _cells("TNMTZ49<<9NGA"), 0) == "TNMTZ49"


def test_a_failing_check_digit_is_not_repaired_even_from_a_close_runner_up():
    # The 8 read as 3, the 8 a close second: read_mrz's repair would choose it; this read refuses.
    assert _settled_number("TD3", _cells("L893902C36UTO", near={3: ("8", 0.03)}), 0) is None


def test_a_grid_one_cell_off_is_refused_by_the_country_code():
    # A line read one cell short (as held pages in photos were: the first character lost, the
    # rest shifted), its digit holding: the code beside it is no country's.
    number = "NMTZ49<<9"
    assert _settled_number("TD3", _cells(number + compute_check_digit(number) + "GAO"), 0) is None


def test_a_near_tie_is_the_templates_winner_as_read_mrz_decides_it():
    # G and 6 differ by 10 in the check-digit sum: the digit holds either way, so it cannot
    # decide; the templates' winner stands, as in read_mrz (which no check digit corrects).
    assert _settled_number("TD3", _cells("FGB3SF91K0JPN", near={1: ("6", 0.05)}), 0) == "FGB3SF91K"


def test_a_french_1994_cards_number_is_read_beside_no_country_code():
    import datetime

    from benchmarks.mrz.generate import french_identity_card

    birth = datetime.date(1965, 12, 6)
    card = french_identity_card("Berthier", "Corinne", "940992310285", birth, "F")
    image = render_document(card, random.Random(1), 11.0)
    assert document_number(image) == "940992310285" == read_mrz(image).fields.number


@pytest.mark.slow
@pytest.mark.parametrize(
    "name",
    [
        "image-js-mrz-detection/id1.jpg",
        "google-document-ai-samples/National-ID-France-1994-recto.jpg",
    ],
)
def test_the_real_french_cards_number(name):
    from tests.verification.conftest import ocr_dev_images

    assert document_number(str(ocr_dev_images() / name)) == "940992310285"
