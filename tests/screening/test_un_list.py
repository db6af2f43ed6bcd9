"""The UN Security Council consolidated list XML, converted to FtM persons on load."""

from pathlib import Path

import pytest
from django.core.management import call_command

from screening import matching, search
from screening.loading import ListFileError, load_watchlist
from screening.models import Watchlist, WatchlistEntity, WatchlistVersion

pytestmark = pytest.mark.django_db
UN_SAMPLE = Path(__file__).parent / "data" / "un_consolidated_sample.xml"


def test_the_un_list_loads_as_ftm_persons_and_organisations(capsys):
    call_command("load_watchlist", str(UN_SAMPLE), "--dataset", "un_sc")
    version = Watchlist.objects.get(name="un_sc").active_version
    assert (version.source_format, version.entity_count, version.skipped_count) == (
        WatchlistVersion.Format.UN_XML, 3, 0,
    )  # fmt: skip
    assert "Loaded 3 entities into un_sc" in capsys.readouterr().out
    shipping = WatchlistEntity.objects.get(version=version, entity_id="un-sc-XXe.001")
    assert (shipping.schema, shipping.data["names"]) == ("Organization", ["FICTIONAL SHIPPING CO"])
    korvan = WatchlistEntity.objects.get(version=version, entity_id="un-sc-XXi.001")
    assert korvan.caption == "KORVAN TESTOVICH FAKELOV"
    assert set(korvan.data["names"]) == {
        "KORVAN TESTOVICH FAKELOV",
        "Корван Тестович Фейкелов",
        "Korvan Fakelov",
    }  # fmt: skip  (the low-quality alias is left out)
    assert korvan.data["birth_dates"] == ["1961-04-12"]
    assert korvan.data["countries"] == ["ru"] and korvan.data["topics"] == ["sanction"]
    mei = WatchlistEntity.objects.get(version=version, entity_id="un-sc-XXi.002")
    assert mei.data["birth_dates"] == ["1970", "1971", "1972"] and mei.data["countries"] == ["cn"]


def test_un_listed_people_are_found_in_any_script():
    load_watchlist(UN_SAMPLE, "un_sc")
    for name in ("Korvan Fakelov", "Корван Фейкелов", "Fakelov Korvan Testovich"):
        assert [m.person.entity_id for m in search.screen(matching.Subject((name,)))] == [
            "un-sc-XXi.001"
        ]


@pytest.mark.parametrize(
    "content, message",
    [
        ("<CONSOLIDATED_LIST><INDIVIDUALS><INDIVIDUAL><DATAID>1</DATA", "broken or cut off"),
        ("<html><body>Service unavailable</body></html>", "not the UN consolidated list"),
    ],
)
def test_a_broken_or_wrong_xml_file_is_refused(tmp_path, content, message):
    current = load_watchlist(UN_SAMPLE, "un_sc").version
    broken = tmp_path / "broken.xml"
    broken.write_text(content)
    with pytest.raises(ListFileError, match=message):
        load_watchlist(broken, "un_sc", allow_shrink=True)
    assert Watchlist.objects.get(name="un_sc").active_version == current
