"""France's 1994-2021 identity card (FR-ID): a 2x36 MRZ that is not ICAO TD2, without expiry."""

import datetime
import json
import random

import pytest

from benchmarks.mrz.generate import french_identity_card, render_document
from tests.verification.conftest import ocr_dev_images
from verification.mrz import compare_typed
from verification.mrz.classify import CHECKS, LAYOUTS, checked_positions
from verification.mrz.parse import (
    FIELD_SPANS,
    absent_fields,
    detect_mrz_type,
    field_positions,
    field_trust,
    parse_mrz,
)
from verification.mrz.read import read_mrz

TODAY = datetime.date(2026, 1, 1)
# The specimen (Mme BERTHIER): every check digit holds.
SPECIMEN = ["IDFRABERTHIER<<<<<<<<<<<<<<<<<<<<<<<", "9409923102854CORINNE<<<<<<<6512068F4"]
REAL_IMAGES = (
    "image-js-mrz-detection/id1.jpg",
    "google-document-ai-samples/National-ID-France-1994-recto.jpg",
)


def untrusted(lines, unsure=()) -> list[str]:
    trust = field_trust(parse_mrz(lines, today=TODAY), set(unsure))
    return [name for name, ok in trust.items() if not ok]


def _with(line: str, position: int, char: str) -> str:
    return line[:position] + char + line[position + 1 :]


def test_the_specimen_parses_into_the_cards_fields_without_an_expiry():
    fields = parse_mrz(SPECIMEN, today=TODAY)
    assert fields.mrz_type == "FR-ID" and fields.valid
    assert fields.check_digits == {"number": True, "date_of_birth": True, "composite": True}
    assert (fields.document_type, fields.country, fields.nationality) == ("ID", "FRA", "FRA")
    assert (fields.surname, fields.names, fields.sex) == ("BERTHIER", "CORINNE", "F")
    assert fields.number == "940992310285"
    assert fields.date_of_birth == datetime.date(1965, 12, 6)
    assert fields.expiration_date is None and fields.optional_data == ""
    assert untrusted(SPECIMEN) == []


def test_issuing_office_and_several_given_names():
    birth = datetime.date(1980, 2, 29)
    card = french_identity_card(
        "Dupont de la Tour", "Jean Pierre", "190475012345", birth, "M", "750123"
    )
    assert card.lines[1][13:27] == "JEAN<<PIERRE<<"
    fields = parse_mrz(list(card.lines), today=TODAY)
    assert fields.valid and fields.optional_data == "750123"
    assert (fields.surname, fields.names) == ("DUPONT DE LA TOUR", "JEAN PIERRE")


def test_a_wrong_digit_untrusts_its_field_and_what_only_the_composite_covers():
    line1, line2 = SPECIMEN
    # The number's digit fails, and so does the composite over it: the issuing office, which
    # only the composite covers, loses its trust too; names, birth date and sex keep theirs.
    assert untrusted([line1, _with(line2, 5, "8")]) == ["number", "optional_data"]
    assert untrusted([line1, _with(line2, 30, "1")]) == ["date_of_birth", "optional_data"]
    assert untrusted([line1, _with(line2, 35, "5")]) == ["optional_data"]


def test_an_unsure_character_untrusts_its_own_field():
    # The given names are a field of their own: a doubt in the surname does not reach them.
    assert untrusted(SPECIMEN, [(0, 8)]) == ["surname"]
    assert untrusted(SPECIMEN, [(1, 15)]) == ["names"]
    assert untrusted(SPECIMEN, [(1, 3)]) == ["number"]
    # The nationality is the issuing state's code: a doubt there takes both, and the names.
    assert untrusted(SPECIMEN, [(0, 3)]) == ["country", "surname", "names", "nationality"]


def test_the_expiry_it_lacks_is_never_compared():
    assert absent_fields("FR-ID") == {"expiration_date", "optional_data_2"}
    assert absent_fields("TD3") == {"optional_data_2"}
    fields = parse_mrz(SPECIMEN, today=TODAY)
    typed = {
        "surname": "Berthier",
        "given_names": "Corinne",
        "sex": "F",
        "date_of_birth": "1965-12-06",
        "document_number": "940992310285",
        "nationality": "FRA",
        "expiry_date": "2031-01-01",
    }
    assert compare_typed(typed, fields) == []
    assert compare_typed(typed, fields, field_trust(fields)) == []
    mistyped = {**typed, "document_number": "940992310286"}
    assert [d.field for d in compare_typed(mistyped, fields)] == ["document_number"]


def test_an_icao_td2_that_starts_idfra_stays_a_td2_when_only_its_digits_hold():
    td2 = ["IDFRAERIKSSON<<ANNA<MARIA<<<<<<<<<<<", "D231458907UTO7408122F1204159<<<<<<<6"]
    assert detect_mrz_type(td2) == "TD2" and parse_mrz(td2).valid
    # Garbled lines whose digits hold in neither layout are the French card's.
    assert detect_mrz_type([SPECIMEN[0], _with(SPECIMEN[1], 2, "7")]) == "FR-ID"


def test_layout_tables_agree_with_each_other_and_the_specimen():
    for line, allowed in zip(SPECIMEN, LAYOUTS["FR-ID"], strict=True):
        assert len(allowed) == 36
        assert all(char in options for char, options in zip(line, allowed, strict=True))
    # Every character but the composite's own digit is under the composite.
    assert len(checked_positions("FR-ID")) == 72
    assert set(CHECKS["FR-ID"]) == {"number", "date_of_birth", "composite"}
    positions = field_positions(parse_mrz(SPECIMEN))
    assert positions["number"] == [(1, i) for i in range(13)]
    assert positions["expiration_date"] == [] and "expiration_date" not in FIELD_SPANS["FR-ID"]


@pytest.mark.slow
def test_a_rendered_card_is_read_in_full():
    card = french_identity_card(
        "Lefèvre", "Hélène Marie", "0312069A1234", datetime.date(1971, 7, 30), "F", "069123"
    )
    reading = read_mrz(render_document(card, random.Random(3), 11.0))
    assert reading.mrz_type == "FR-ID" and reading.lines == card.lines
    assert reading.valid and reading.fields.number == "0312069A1234"
    summary = reading.to_dict()
    assert summary["expiration_date"] is None and summary["nationality"] == "FRA"
    assert json.loads(json.dumps(summary))["mrz_type"] == "FR-ID"


@pytest.mark.slow
@pytest.mark.parametrize("name", REAL_IMAGES)
def test_the_real_cards_are_read_in_full(name):
    image = ocr_dev_images() / name
    truth = json.loads(image.with_name(image.name + ".json").read_text())["mrz"]
    reading = read_mrz(str(image))
    assert reading.mrz_type == "FR-ID" and list(reading.lines) == truth
    assert reading.valid and {"number", "date_of_birth", "surname"} <= set(reading.trusted_fields)


@pytest.mark.slow
def test_a_rendered_icao_td2_that_starts_idfra_is_read_as_a_td2():
    from benchmarks.mrz.generate import GeneratedDocument

    lines = ("IDFRAERIKSSON<<ANNA<MARIA<<<<<<<<<<<", "D231458907UTO7408122F1204159<<<<<<<6")
    document = GeneratedDocument("TD2", lines, "Eriksson", "Anna Maria", "FRA")
    reading = read_mrz(render_document(document, random.Random(2), 11.0))
    assert reading.mrz_type == "TD2" and reading.lines == lines and reading.valid
