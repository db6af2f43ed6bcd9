"""`manage.py match_faces PORTRAIT HOLDING... --json`: one line per holding photo, never a crash."""

import io
import json

from django.core.management import call_command

from .conftest import evidence


def run(*paths) -> list[dict]:
    out = io.StringIO()
    call_command("match_faces", *map(str, paths), "--json", stdout=out)
    return [json.loads(line) for line in out.getvalue().splitlines()]


def test_one_line_per_holding_photo_in_order_with_errors_in_place(tmp_path, page_png):
    portrait = tmp_path / "page.png"
    portrait.write_bytes(page_png)
    own = tmp_path / "own.jpg"
    own.write_bytes(evidence("customer holding own page"))
    broken = tmp_path / "broken.jpg"
    broken.write_bytes(b"\xff\xd8 not really a jpeg")
    stranger = tmp_path / "stranger.jpg"
    stranger.write_bytes(evidence("someone else holding the customer's page"))

    lines = run(portrait, own, broken, tmp_path / "missing.jpg", stranger)

    assert [line["image"] for line in lines] == [
        str(own), str(broken), str(tmp_path / "missing.jpg"), str(stranger)
    ]  # fmt: skip
    first, bad, missing, last = lines
    assert set(first) >= {
        "portrait_faces", "holding_faces", "score", "threshold", "verdict", "document_in_hand",
        "seconds",
    }  # fmt: skip
    assert first["verdict"] == "match" and first["document_in_hand"] == "same"
    assert 0 <= first["score"] <= 1 and first["portrait_faces"] == 1
    assert "error" in bad and "error" in missing and "verdict" not in bad
    assert last["verdict"] == "no_match"


def test_an_unreadable_portrait_gives_an_error_line_for_each_photo(tmp_path):
    portrait = tmp_path / "page.png"
    portrait.write_text("not an image")
    photo = tmp_path / "photo.jpg"
    photo.write_bytes(evidence("nobody"))
    lines = run(portrait, photo, photo)
    assert len(lines) == 2 and all("error" in line for line in lines)


def test_without_json_each_photo_is_one_readable_line(tmp_path, page_png):
    portrait = tmp_path / "page.png"
    portrait.write_bytes(page_png)
    photo = tmp_path / "nobody.jpg"
    photo.write_bytes(evidence("nobody"))
    out = io.StringIO()
    call_command("match_faces", str(portrait), str(photo), stdout=out)
    assert out.getvalue().strip().endswith("s") and "no_face" in out.getvalue()
