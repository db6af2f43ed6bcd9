"""manage.py screen: hits as JSON lines, best first; nothing when there is none."""

import json

import pytest
from django.core.management import CommandError, call_command

pytestmark = pytest.mark.django_db


def screen(*args):
    from io import StringIO

    out = StringIO()
    call_command("screen", *args, stdout=out)
    return [json.loads(line) for line in out.getvalue().splitlines()]


def test_hits_are_json_lines_with_id_caption_score_topics_and_explanation(sample_watchlist):
    lines = screen("王建国", "--birth-date", "1965-03-12", "--nationality", "CN", "--json")
    assert len(lines) == 1
    hit = lines[0]
    assert set(hit) == {"id", "caption", "score", "topics", "explanation"}
    assert (hit["id"], hit["caption"], hit["score"], hit["topics"]) == (
        "sample-wang-jianguo", "Wang Jianguo", 1.0, ["sanction"],
    )  # fmt: skip
    assert hit["explanation"]["birth_date"] == "same"


def test_best_hit_comes_first(sample_watchlist, tmp_path):
    from screening.loading import load_watchlist

    close = tmp_path / "close.jsonl"
    close.write_text(
        json.dumps({"id": "close-1", "schema": "Person", "properties": {"name": ["Ivan Petrob"]}})
        + "\n"
    )
    load_watchlist(close, "other")
    lines = screen("Ivan", "Petrov", "--json")
    assert [line["id"] for line in lines] == ["sample-ivan-petrov", "close-1"]
    assert lines[0]["score"] >= lines[1]["score"]


def test_no_hit_prints_nothing(sample_watchlist):
    assert screen("Jane", "Doe", "--json") == []
    assert screen("John Smith", "--birth-date", "1980-05-06", "--json") == []


def test_bad_arguments_and_no_list_are_clear_errors(db):
    with pytest.raises(CommandError, match="No watchlist is loaded"):
        screen("Ivan Petrov", "--json")
    with pytest.raises(CommandError, match="YYYY-MM-DD"):
        screen("Ivan Petrov", "--birth-date", "02/01/1970")
    with pytest.raises(CommandError, match="two-letter"):
        screen("Ivan Petrov", "--nationality", "Russia")


def test_an_organisation_is_screened_against_the_lists_organisations(sample_watchlist):
    lines = screen("Fictional Trading Limited", "--nationality", "GB", "--organization", "--json")
    assert [line["id"] for line in lines] == ["sample-org-fictional-trading"]
    assert screen("Fictional Trading Limited", "--nationality", "GB", "--json") == []
    assert screen("Ivan Petrov", "--organization", "--json") == []
