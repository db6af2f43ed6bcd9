import io
import json

import numpy as np
import pytest
from PIL import Image

from benchmarks.mrz.generate import generate_dataset
from verification.ocr import MrzReading, read_mrz

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
