"""The MRZ reader on real document images (the shared development set, never copied here)."""

import json

import pytest

from tests.verification.conftest import ocr_dev_images
from verification.mrz.parse import field_positions, parse_mrz
from verification.mrz.read import read_mrz

# A spread of real print: scans, a small low-resolution page, a hand-held photo, ID cards.
SAMPLES = (
    "google-document-ai-samples/USA-Passport-2006.jpg",
    "mlis-wikimedia-specimens/Greece_Passport_Specimen_Data.jpg",
    "docsaid-mrzscanner/test_mrz.jpg",
    "mlis-wikimedia-specimens/Belgian_ID_2021_back.png",
    "mlis-wikimedia-specimens/Italy_Passport_Specimen.jpg",
    "yushulx-cmake-cpp-barcode-qrcode-mrz/passport-sample.jpg",
    # A low-resolution card whose 0s the font's O fits better: settled by its own print.
    "azure-document-intelligence-samples/id-italian-idcard.png",
)


@pytest.mark.slow
@pytest.mark.parametrize("name", SAMPLES)
def test_no_trusted_field_of_a_real_image_is_wrong(name):
    image = ocr_dev_images() / name
    truth = parse_mrz(json.loads(image.with_name(image.name + ".json").read_text())["mrz"])
    reading = read_mrz(str(image))
    assert reading.fields is not None and reading.fields.mrz_type == truth.mrz_type
    positions = field_positions(reading.fields)
    for field in reading.trusted_fields:
        read = [reading.lines[line][i] for line, i in positions[field]]
        printed = [truth.lines[line][i] for line, i in positions[field]]
        assert read == printed, field
    # Check-digit fields are trusted whenever the reader found the MRZ on these pages.
    assert {"number", "date_of_birth", "expiration_date"} <= set(reading.trusted_fields)


@pytest.mark.slow
def test_a_real_passport_scan_is_fully_trusted_and_an_overprinted_name_is_not():
    folder = ocr_dev_images()
    clean = read_mrz(str(folder / SAMPLES[0]))
    assert clean.valid and clean.lines[0] == "P<USATRAVELER<<HAPPY" + "<" * 24
    # "FACSIMILE" crosses the name's fillers on the Italian specimen: the reader doubts them.
    stamped = read_mrz(str(folder / SAMPLES[4]))
    assert not stamped.valid and "names" not in stamped.trusted_fields
    assert {"number", "date_of_birth", "expiration_date", "surname"} <= set(stamped.trusted_fields)
