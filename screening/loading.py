"""Loading a list file as a new version of a watchlist, in one transaction.

Screening keeps reading the active version while a load runs (its rows are not committed
yet); the switch to the new version is part of the same commit, so readers see the old list
or the new one, never a mix. A broken file rolls everything back: the current version stays.
On PostgreSQL rows go in with COPY and the keys are sorted into their index at the end;
elsewhere with batched inserts.
"""

import gzip
import hashlib
import io
import json
import os
import re
from collections.abc import Callable
from pathlib import Path

from django.db import connection, transaction
from django.utils import timezone

from .keys import entity_keys
from .listdata import ListedRecord, ListFileError, is_organisation, read_ftm_lines
from .models import (
    MonitoringRun,
    Watchlist,
    WatchlistEntity,
    WatchlistKey,
    WatchlistKeyCount,
    WatchlistVersion,
)

BATCH = 5_000
# A new version this much smaller than the current one is more likely a cut-off download
# than a shorter list: it is refused unless the operator says it is meant.
SHRINK_LIMIT = 0.5
DATASET = re.compile(r"^[a-z0-9][a-z0-9_-]{0,79}$")
# Keys shared by this many entities or more are counted (WatchlistKeyCount); rarer ones,
# the great majority, are not, which keeps that table small.
COMMON_KEY = 20

Progress = Callable[[int, int], None]  # (bytes read, total bytes)

__all__ = ["ListFileError", "LoadResult", "load_watchlist"]


class LoadResult:
    def __init__(self, version: WatchlistVersion, previous: WatchlistVersion | None):
        self.version = version
        self.previous = previous


class _CountingReader(io.RawIOBase):
    """Hashes and counts the bytes of the file as they are read (for the progress bar)."""

    def __init__(self, raw, progress: Progress | None, total: int):
        self.raw, self.progress, self.total = raw, progress, total
        self.sha256 = hashlib.sha256()
        self.done = 0

    def readable(self):
        return True

    def readinto(self, buffer):
        count = self.raw.readinto(buffer)
        if count:
            self.sha256.update(memoryview(buffer)[:count])
            self.done += count
            if self.progress is not None:
                self.progress(self.done, self.total)
        return count


def detect_format(path: Path) -> str:
    """ "un_xml" for an XML file (the UN consolidated list), "ftm" for JSON lines."""
    with _open(path) as handle:
        head = handle.read(512).lstrip()
    if head.startswith(b"<"):
        return WatchlistVersion.Format.UN_XML
    return WatchlistVersion.Format.FTM


def _open(path: Path):
    handle = open(path, "rb")  # noqa: SIM115 - closed by the caller's with
    if handle.read(2) == b"\x1f\x8b":
        handle.seek(0)
        return gzip.GzipFile(fileobj=handle)
    handle.seek(0)
    return handle


def load_watchlist(
    path,
    dataset: str = "default",
    *,
    progress: Progress | None = None,
    allow_shrink: bool = False,
) -> LoadResult:
    """Loads `path` (FtM JSON lines or UN XML, optionally gzipped) as the new active version
    of `dataset`. Raises ListFileError (nothing changed then) for a broken, truncated or empty
    file, or one much smaller than the current version unless `allow_shrink`.
    """
    path = Path(path)
    if not DATASET.match(dataset):
        raise ListFileError(
            "the dataset name must be lower-case letters, digits, - and _ (e.g. sanctions)"
        )
    if not path.is_file():
        raise ListFileError(f"no such file: {path}")
    source_format = detect_format(path)
    total = os.path.getsize(path)
    with open(path, "rb") as raw:
        reader = _CountingReader(raw, progress, total)
        stream = io.BufferedReader(reader, buffer_size=1 << 20)
        if raw.read(2) == b"\x1f\x8b":
            raw.seek(0)
            stream = io.BufferedReader(gzip.GzipFile(fileobj=stream), buffer_size=1 << 20)
        else:
            raw.seek(0)
        if source_format == WatchlistVersion.Format.UN_XML:
            from .unlist import read_un_xml

            records = read_un_xml(stream)
        else:
            records = read_ftm_lines(stream)
        result = _load(records, dataset, source_format, path.name, reader, allow_shrink)
    prune_old_versions(result.version.watchlist)
    if connection.vendor == "postgresql" and not connection.in_atomic_block:
        # Marks the new rows visible to all, so key lookups read the index alone (no table).
        with connection.cursor() as cursor:
            cursor.execute(f"VACUUM (ANALYZE) {WatchlistKey._meta.db_table}")
    return result


@transaction.atomic
def _load(records, dataset, source_format, file_name, reader, allow_shrink) -> LoadResult:
    watchlist, _created = Watchlist.objects.get_or_create(name=dataset)
    # One load of a dataset at a time; readers are not held up by this lock.
    watchlist = Watchlist.objects.select_for_update().get(pk=watchlist.pk)
    previous = watchlist.active_version
    version = WatchlistVersion.objects.create(
        watchlist=watchlist, label="loading", source_format=source_format, file_name=file_name
    )
    writer = PostgresWriter(version) if connection.vendor == "postgresql" else BatchWriter(version)
    skipped = 0
    for record in records:
        if record is None:
            skipped += 1
            continue
        writer.add(record)
    if writer.count == 0:
        raise ListFileError("the file holds no persons or organisations: nothing was loaded")
    if (
        previous is not None
        and not allow_shrink
        and writer.count < previous.entity_count * (1 - SHRINK_LIMIT)
    ):
        raise ListFileError(
            f"the file holds {writer.count} entities, the current version "
            f"{previous.entity_count}: a cut-off download? Load it with --allow-shrink if the "
            "list really shrank."
        )
    writer.finish()
    now = timezone.now()
    version.label = f"{now:%Y%m%d-%H%M%S}-{reader.sha256.hexdigest()[:8]}"
    version.file_sha256 = reader.sha256.hexdigest()
    version.entity_count = writer.count
    version.skipped_count = skipped
    version.save(
        update_fields=["label", "file_sha256", "entity_count", "skipped_count", "loaded_at"]
    )
    watchlist.active_version = version
    watchlist.save(update_fields=["active_version"])
    # Passed customers are screened again against the new version (screening.monitoring).
    MonitoringRun.objects.create(list_version=version)
    return LoadResult(version, previous)


class BatchWriter:
    """Batched ORM inserts: SQLite and any other database."""

    def __init__(self, version: WatchlistVersion):
        self.version = version
        self.count = 0
        self.entities: list[WatchlistEntity] = []
        self.keys: list[WatchlistKey] = []

    def add(self, record: ListedRecord) -> None:
        ordinal = self.count
        self.count += 1
        self.entities.append(
            WatchlistEntity(
                version=self.version,
                ordinal=ordinal,
                entity_id=record.entity_id,
                schema=record.schema,
                caption=record.caption,
                data=record.data,
                content_hash=record.content_hash,
            )
        )
        self.keys.extend(
            WatchlistKey(key=key, version=self.version, ordinal=ordinal)
            for key in entity_keys(record.data["names"], is_organisation(record.schema))
        )
        if len(self.entities) >= BATCH:
            self.flush()

    def flush(self) -> None:
        WatchlistEntity.objects.bulk_create(self.entities, batch_size=1000)
        WatchlistKey.objects.bulk_create(self.keys, batch_size=5000)
        self.entities, self.keys = [], []

    def finish(self) -> None:
        self.flush()
        count_common_keys(self.version)


def count_common_keys(version: WatchlistVersion, source: str | None = None) -> None:
    """Fills WatchlistKeyCount for `version` from its key rows, or from the rows of the
    `source` table (the loader's temporary key table, all of that version)."""
    if source is None:
        source, where, params = WatchlistKey._meta.db_table, "WHERE version_id = %s", [version.pk]
    else:
        where, params = "", []
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {WatchlistKeyCount._meta.db_table} (key, version_id, entities) "  # noqa: S608 - our own names
            f"SELECT key, %s, COUNT(*) FROM {source} {where} GROUP BY key HAVING COUNT(*) >= %s",
            [version.pk, *params, COMMON_KEY],
        )


def _copy_text(value) -> str:
    """A value in PostgreSQL's COPY text format."""
    if value is None:
        return r"\N"
    text = str(value)
    return text.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")


class PostgresWriter(BatchWriter):
    """COPY into the entity table and into a temporary key table; the keys go into their
    index sorted, in one statement, at the end (much faster than a random-order insert)."""

    def __init__(self, version: WatchlistVersion):
        super().__init__(version)
        self.entity_rows = io.StringIO()
        self.key_rows = io.StringIO()
        self.pending = 0
        with connection.cursor() as cursor:
            cursor.execute(
                "CREATE TEMPORARY TABLE screening_new_keys (key bigint, ordinal integer) "
                "ON COMMIT DROP"
            )

    def add(self, record: ListedRecord) -> None:
        ordinal = self.count
        self.count += 1
        data = json.dumps(record.data, ensure_ascii=False, separators=(",", ":"))
        fields = (
            self.version.pk, ordinal, record.entity_id, record.schema, record.caption, data,
            record.content_hash,
        )  # fmt: skip
        self.entity_rows.write("\t".join(_copy_text(f) for f in fields) + "\n")
        for key in entity_keys(record.data["names"], is_organisation(record.schema)):
            self.key_rows.write(f"{key}\t{ordinal}\n")
        self.pending += 1
        if self.pending >= BATCH:
            self.flush()

    def flush(self) -> None:
        if not self.pending:
            return
        table = WatchlistEntity._meta.db_table
        columns = "version_id, ordinal, entity_id, schema, caption, data, content_hash"
        with connection.cursor() as cursor:
            raw = cursor.cursor
            self.entity_rows.seek(0)
            raw.copy_expert(f"COPY {table} ({columns}) FROM STDIN", self.entity_rows)
            self.key_rows.seek(0)
            raw.copy_expert("COPY screening_new_keys (key, ordinal) FROM STDIN", self.key_rows)
        self.entity_rows, self.key_rows, self.pending = io.StringIO(), io.StringIO(), 0

    def finish(self) -> None:
        self.flush()
        table = WatchlistKey._meta.db_table
        with connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {table} (key, version_id, ordinal) "  # noqa: S608 - our own names
                "SELECT key, %s, ordinal FROM screening_new_keys ORDER BY key, ordinal",
                [self.version.pk],
            )
        count_common_keys(self.version, "screening_new_keys")
        with connection.cursor() as cursor:
            cursor.execute("DROP TABLE screening_new_keys")
            cursor.execute(f"ANALYZE {table}")


def prune_old_versions(watchlist: Watchlist, keep: int = 2) -> int:
    """Deletes the entity and key rows of all but the `keep` newest versions of a watchlist.

    The version just replaced stays, so a screening that started before the switch still
    finds the rows it looked up. Versions themselves stay (hits name them). Returns how many
    versions were pruned.
    """
    versions = list(
        WatchlistVersion.objects.filter(watchlist=watchlist, pruned_at__isnull=True)
        .exclude(pk=watchlist.active_version_id)
        .order_by("-loaded_at", "-pk")
        .values_list("pk", flat=True)
    )[keep - 1 :]
    for pk in versions:
        with transaction.atomic():
            WatchlistKey.objects.filter(version_id=pk)._raw_delete(WatchlistKey.objects.db)
            WatchlistKeyCount.objects.filter(version_id=pk)._raw_delete(WatchlistKey.objects.db)
            WatchlistEntity.objects.filter(version_id=pk)._raw_delete(WatchlistEntity.objects.db)
            WatchlistVersion.objects.filter(pk=pk).update(pruned_at=timezone.now())
    return len(versions)
