import json

from django.core.management import call_command

from benchmarks.mrz.generate import generate_dataset


def _json_lines(output: str) -> list[dict]:
    return [json.loads(line) for line in output.splitlines() if line.strip()]


def test_command_prints_one_json_object_per_image(tmp_path, capsys):
    rows = generate_dataset(tmp_path, 1, seed=3, levels=("clean",))
    image = str(tmp_path / rows[0]["file"])
    broken = tmp_path / "broken.jpg"
    broken.write_bytes(b"definitely not a jpeg")

    call_command("read_mrz", image, str(broken), "--json")

    read, unreadable = _json_lines(capsys.readouterr().out)
    assert read["path"] == image
    assert read["valid"] is True
    assert "surname" in read["trusted_fields"] and "number" in read["trusted_fields"]
    assert read["unsure_positions"] == []
    assert read["number"] == rows[0]["number"]
    assert read["date_of_birth"] == rows[0]["date_of_birth"]
    assert unreadable["path"] == str(broken)
    assert unreadable["mrz_type"] is None
    assert unreadable["error"]
    assert unreadable["valid"] is False
    assert unreadable["trusted_fields"] == []


def test_a_french_1994_card_prints_a_null_expiry(tmp_path, capsys):
    import datetime
    import random

    from benchmarks.mrz.generate import french_identity_card, render_document

    birth = datetime.date(1965, 12, 6)
    card = french_identity_card("Berthier", "Corinne", "940992310285", birth, "F")
    image = tmp_path / "card.png"
    render_document(card, random.Random(5), 11.0).save(image)

    call_command("read_mrz", str(image), "--json")

    [read] = _json_lines(capsys.readouterr().out)
    assert (read["mrz_type"], read["valid"], read["expiration_date"]) == ("FR-ID", True, None)
    assert (read["number"], read["date_of_birth"]) == ("940992310285", "1965-12-06")
