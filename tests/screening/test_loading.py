"""load_watchlist: versions in one transaction, clear errors for broken files, the sample list."""

import gzip
import json
import threading

import pytest
from django.core.management import CommandError, call_command
from django.db import close_old_connections, connection

from screening import matching, search
from screening.demo import SAMPLE_LIST, ensure_sample_watchlist
from screening.keys import KEY_SCHEME
from screening.loading import ListFileError, load_watchlist
from screening.models import (
    MonitoringRun,
    Watchlist,
    WatchlistEntity,
    WatchlistKey,
    WatchlistVersion,
)

pytestmark = pytest.mark.django_db


def person(entity_id, name, **properties):
    props = {
        "name": [name],
        **{k: v if isinstance(v, list) else [v] for k, v in properties.items()},
    }
    return {"id": entity_id, "schema": "Person", "properties": props}


def write_lines(path, entities, tail=""):
    path.write_text("".join(json.dumps(e, ensure_ascii=False) + "\n" for e in entities) + tail)
    return path


def active(dataset="sample"):
    return Watchlist.objects.get(name=dataset).active_version


def test_the_sample_list_loads_persons_and_organisations_and_prints_the_count_and_version(
    capsys,
):
    call_command("load_watchlist", str(SAMPLE_LIST), "--dataset", "sample")
    out = capsys.readouterr().out
    version = active()
    assert version.entity_count == 20 and version.skipped_count == 1  # the Sanction entity
    assert f"Loaded 20 entities into sample as version {version.label}" in out
    assert WatchlistEntity.objects.filter(version=version).count() == 20
    organisations = WatchlistEntity.objects.filter(version=version).exclude(schema="Person")
    assert sorted(organisations.values_list("schema", flat=True)) == [
        "Company", "Company", "Organization", "PublicBody",
    ]  # fmt: skip
    testbank = organisations.get(entity_id="sample-org-testbank")
    assert testbank.data["countries"] == ["de"]
    assert testbank.data["registrations"] == ["HRB 000000 FAKE"]
    assert WatchlistKey.objects.filter(version=version).count() > 16 * 5
    assert MonitoringRun.objects.filter(list_version=version).exists()


def test_a_reload_switches_to_the_new_version_and_keeps_the_previous_rows(tmp_path):
    first = load_watchlist(SAMPLE_LIST, "sample").version
    changed = tmp_path / "changed.jsonl"
    lines = SAMPLE_LIST.read_text().splitlines()
    write_lines(changed, [json.loads(line) for line in lines] + [person("new-1", "Newly Listed")])
    second = load_watchlist(changed, "sample").version
    assert active() == second and second.entity_count == 21 and second.label != first.label
    assert WatchlistEntity.objects.filter(version=first).count() == 20  # kept for a while
    third = load_watchlist(changed, "sample").version
    first.refresh_from_db()
    assert first.pruned_at is not None and not WatchlistEntity.objects.filter(version=first)
    assert WatchlistEntity.objects.filter(version=second).count() == 21
    assert active() == third


def test_a_load_records_the_key_scheme_it_indexed_under():
    assert load_watchlist(SAMPLE_LIST, "sample").version.key_scheme == KEY_SCHEME


def test_the_sample_list_is_loaded_once_and_again_when_its_keys_are_outdated(tmp_path):
    first = ensure_sample_watchlist().version
    assert ensure_sample_watchlist() is None  # current: nothing to do
    WatchlistVersion.objects.filter(pk=first.pk).update(key_scheme=KEY_SCHEME - 1)
    again = ensure_sample_watchlist().version
    assert active() == again and again.key_scheme == KEY_SCHEME and again != first
    # An operator's own list is never replaced by the sample, however old its keys.
    Watchlist.objects.filter(name="sample").delete()
    real = load_watchlist(write_lines(tmp_path / "real.jsonl", [person("r-1", "Real Listed")]))
    WatchlistVersion.objects.filter(pk=real.version.pk).update(key_scheme=KEY_SCHEME - 1)
    assert ensure_sample_watchlist() is None
    assert list(Watchlist.objects.values_list("name", flat=True)) == ["default"]


def test_screening_a_list_indexed_under_older_keys_says_it_needs_loading_again(caplog):
    version = load_watchlist(SAMPLE_LIST, "sample").version
    WatchlistVersion.objects.filter(pk=version.pk).update(key_scheme=KEY_SCHEME - 1)
    with caplog.at_level("WARNING", logger="screening.search"):
        search.screen(matching.Subject(("Quentin Exampleton",)))
    assert f"version {version.pk} was indexed under key scheme {KEY_SCHEME - 1}" in caplog.text
    assert "load_watchlist" in caplog.text


@pytest.mark.parametrize(
    "tail, message",
    [
        ('{"id": "cut-off", "schema": "Person", "properties": {"name": ["Cut O', "truncated"),
        ("this is not json\n", "line 17: not a JSON object"),
        ('{"id": "x", "schema": "Spaceship", "properties": {}}\n', "unknown schema"),
        ('{"schema": "Person", "properties": {}}\n', "without an id"),
    ],
)
def test_a_broken_file_is_refused_and_the_current_version_stays(tmp_path, tail, message):
    current = load_watchlist(SAMPLE_LIST, "sample").version
    broken = tmp_path / "broken.jsonl"
    entities = [person(f"p-{i}", f"Person Number{i}") for i in range(16)]
    write_lines(broken, entities, tail)
    with pytest.raises(ListFileError, match=message):
        load_watchlist(broken, "sample")
    assert active() == current
    assert Watchlist.objects.get(name="sample").versions.count() == 1  # nothing left behind
    assert not WatchlistEntity.objects.exclude(version=current).exists()


def test_the_command_reports_a_broken_file_clearly(tmp_path):
    broken = write_lines(tmp_path / "b.jsonl", [person("a", "Ann Example")], "{not json\n")
    with pytest.raises(CommandError, match="line 2: .*Nothing was loaded; the current list stays"):
        call_command("load_watchlist", str(broken), "--dataset", "sample")


def test_an_empty_file_or_a_much_smaller_one_is_refused(tmp_path):
    with pytest.raises(ListFileError, match="no persons"):
        load_watchlist(write_lines(tmp_path / "empty.jsonl", []), "sample")
    load_watchlist(SAMPLE_LIST, "sample")
    small = write_lines(tmp_path / "small.jsonl", [person("a", "Ann Example")])
    with pytest.raises(ListFileError, match="cut-off download"):
        load_watchlist(small, "sample")
    assert load_watchlist(small, "sample", allow_shrink=True).version.entity_count == 1


def test_a_gzipped_file_loads(tmp_path):
    packed = tmp_path / "list.jsonl.gz"
    packed.write_bytes(gzip.compress(SAMPLE_LIST.read_bytes()))
    assert load_watchlist(packed, "sample").version.entity_count == 20


def test_a_bad_dataset_name_or_missing_file_is_refused(tmp_path):
    with pytest.raises(ListFileError, match="dataset name"):
        load_watchlist(SAMPLE_LIST, "Bad Name!")
    with pytest.raises(ListFileError, match="no such file"):
        load_watchlist(tmp_path / "missing.jsonl", "sample")


def test_datasets_are_screened_together(tmp_path):
    load_watchlist(SAMPLE_LIST, "sample")
    other = write_lines(tmp_path / "peps.jsonl", [person("pep-1", "Quentin Exampleton")])
    load_watchlist(other, "peps")
    found = {m.person.entity_id for m in search.screen(matching.Subject(("Quentin Exampleton",)))}
    assert found == {"pep-1"}
    assert len(search.active_versions()) == 2


@pytest.mark.django_db(transaction=True)
def test_screening_keeps_using_the_current_version_while_a_new_one_loads(tmp_path):
    if connection.vendor != "postgresql":
        pytest.skip("a load and a screening in two connections need PostgreSQL")
    old = load_watchlist(SAMPLE_LIST, "sample").version
    bigger = tmp_path / "bigger.jsonl"
    filler = [person(f"filler-{i}", f"Filler Person{i:05d}") for i in range(3000)]
    entities = [json.loads(line) for line in SAMPLE_LIST.read_text().splitlines()] + filler
    write_lines(bigger, entities)
    halfway, screened = threading.Event(), threading.Event()

    def progress(done, total):
        if done > total // 2 and not halfway.is_set():
            halfway.set()
            screened.wait(timeout=60)  # the load holds here, uncommitted, while we screen

    result = {}

    def load():
        try:
            result["version"] = load_watchlist(bigger, "sample", progress=progress).version
        finally:
            close_old_connections()
            connection.close()

    loader = threading.Thread(target=load)
    loader.start()
    assert halfway.wait(timeout=60)
    subject = matching.Subject(("Wang Jianguo",), None, "cn")
    during = search.screen(subject)
    versions_during = search.active_versions()
    screened.set()
    loader.join(timeout=120)
    assert [m.person.entity_id for m in during] == ["sample-wang-jianguo"]
    assert versions_during == [old.pk]
    after = search.screen(subject)
    assert [m.person.reference.version_id for m in after] == [result["version"].pk]
