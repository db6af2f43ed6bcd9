"""Finding and scoring the list entries that may be an applicant: the screening itself.

Candidates come from the key index (screening.keys) of the active list versions: each key
the subject's names make counts for the entries indexed under it by how rare it is (the
counts of common keys are kept at load, WatchlistKeyCount), the most common keys are left out
when rarer ones already read enough rows, and the CANDIDATES entries with the most weight are
scored (screening.matching); those at or above the threshold are hits, best first.
"""

import logging
import math
from functools import lru_cache

from django.conf import settings
from django.db import connection

from . import matching
from .keys import KEY_SCHEME, key_hash, query_keys, token_sets
from .listdata import is_organisation
from .loading import COMMON_KEY
from .models import Watchlist, WatchlistEntity, WatchlistKey, WatchlistKeyCount, WatchlistVersion

CANDIDATES = 40
# Key rows one lookup may read: keys are taken rarest first until the next would pass this.
ROW_BUDGET = 6_000

logger = logging.getLogger(__name__)


def active_versions() -> list[int]:
    """The versions screening reads now: the active one of each watchlist (plain SQL: the
    ORM took longer to build this query than PostgreSQL to answer it, ~1 ms a screening)."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT active_version_id FROM {Watchlist._meta.db_table} "  # noqa: S608 - our own name
            "WHERE active_version_id IS NOT NULL ORDER BY id"
        )
        return [row[0] for row in cursor.fetchall()]


@lru_cache(maxsize=8)
def _key_counts(version: int) -> tuple[int, dict[int, int]]:
    """A version's entity count and its common keys' counts, read once per process: a loaded
    version never changes (about 50,000 keys for a million entities)."""
    entity_count, scheme = WatchlistVersion.objects.filter(pk=version).values_list(
        "entity_count", "key_scheme"
    ).first() or (0, KEY_SCHEME)
    if scheme < KEY_SCHEME:
        logger.warning(
            "Watchlist version %s was indexed under key scheme %s, screening uses %s: some "
            "one-letter variants of its names are not found until the list is loaded again "
            "(manage.py load_watchlist)",
            version,
            scheme,
            KEY_SCHEME,
        )
    counts = dict(
        WatchlistKeyCount.objects.filter(version_id=version).values_list("key", "entities")
    )
    return entity_count, counts


def key_weights(keys: set[int], versions: list[int]) -> dict[int, float]:
    """The keys worth looking up, each with how much sharing it says (its inverse document
    frequency): rarest first, until the rows they index would pass ROW_BUDGET."""
    total, counts = 0, {}
    for version in versions:
        entity_count, version_counts = _key_counts(version)
        total += entity_count
        for key in keys:
            if key in version_counts:
                counts[key] = counts.get(key, 0) + version_counts[key]
    weights, rows = {}, 0
    for key in sorted(keys, key=lambda k: (counts.get(k, 0), k)):
        entities = counts.get(key, COMMON_KEY / 2)  # an uncounted key is rarer than COMMON_KEY
        if weights and rows + entities > ROW_BUDGET:
            break
        weights[key] = round(math.log(1 + total / entities), 3)
        rows += entities
    return weights


def listed_names(subject_sets: list[list[str]], versions: list[int]) -> frozenset:
    """The subject's name tokens that are names of many on the list (COMMON_KEY entries or
    more, from the counts kept at load): a one-letter difference there is another name."""
    tokens = {token for tokens in subject_sets for token in tokens}
    counted = [_key_counts(version)[1] for version in versions]
    return frozenset(
        token
        for token in tokens
        if sum(counts.get(key_hash(f"t:{token}"), 0) for counts in counted) >= COMMON_KEY
    )


def candidates(subject: matching.Subject, versions: list[int]) -> list[matching.ListedPerson]:
    """List entries sharing blocking keys with the subject's names, most weight first: one
    query ranks the key rows and reads the entities they point to."""
    keys = query_keys(subject.names, subject.is_organisation)
    if not keys or not versions:
        return []
    weights = key_weights(keys, versions)
    cases = " ".join("WHEN %s THEN %s" for _ in weights)
    keys_in = ", ".join("%s" for _ in weights)
    versions_in = ", ".join("%s" for _ in versions)
    entity, key = WatchlistEntity._meta.db_table, WatchlistKey._meta.db_table
    sql = (
        "SELECT e.id, e.version_id, e.ordinal, e.entity_id, e.schema, e.caption, e.data, "  # noqa: S608 - our own names, values as parameters
        f"e.content_hash FROM (SELECT version_id, ordinal, SUM(CASE key {cases} ELSE 0 END) "
        f"AS weight FROM {key} WHERE key IN ({keys_in}) AND version_id IN ({versions_in}) "
        "GROUP BY version_id, ordinal ORDER BY weight DESC, version_id, ordinal LIMIT %s) p "
        f"JOIN {entity} e ON e.version_id = p.version_id AND e.ordinal = p.ordinal "
        "ORDER BY p.weight DESC, e.version_id, e.ordinal"
    )
    params = [value for pair in weights.items() for value in pair]
    params += [*weights, *versions, CANDIDATES]
    return [
        _listed(row)
        for row in WatchlistEntity.objects.raw(sql, params)
        if is_organisation(row.schema) == subject.is_organisation
    ]


def _listed(row: WatchlistEntity) -> matching.ListedPerson:
    data = row.data or {}
    return matching.ListedPerson(
        entity_id=row.entity_id,
        caption=row.caption,
        names=tuple(data.get("names", ())),
        birth_dates=tuple(data.get("birth_dates", ())),
        countries=tuple(data.get("countries", ())),
        gender=tuple(data.get("gender", ())),
        topics=tuple(data.get("topics", ())),
        reference=row,
        schema=row.schema,
        registrations=tuple(data.get("registrations", ())),
    )


def threshold() -> float:
    return settings.KYC_SCREENING_THRESHOLD


def unreachable(subject: matching.Subject, person: matching.ListedPerson) -> bool:
    """Capped below the threshold whatever the names, so not worth scoring: both named in
    Han in other characters (许国 is not 徐国, though both read Xu Guo), or listed with birth
    dates none of which is in the applicant's year (a common name born another year)."""
    ceiling = matching.OTHER_HAN_NAME + matching.BIRTH_DATE_BONUS
    if ceiling < threshold() and matching.other_han_name(subject.names, person.names):
        return True
    if subject.is_organisation:
        return False
    return threshold() > matching.ANOTHER_BIRTH_YEAR and matching.another_birth_year(
        subject, person
    )


def screen(subject: matching.Subject, versions: list[int] | None = None) -> list[matching.Match]:
    """The hits for `subject`: matches at or above the threshold, best first, one per entity."""
    return screen_all([subject], versions)


def screen_all(subjects, versions: list[int] | None = None) -> list[matching.Match]:
    """The hits for several subjects of one application (the applicant, the organisation
    applying), best first, one per entity."""
    matching.warm_up()
    versions = active_versions() if versions is None else versions
    best: dict[str, matching.Match] = {}
    for subject in subjects:
        query = matching.subject_entity(subject)
        subject_sets = token_sets(subject.names, subject.is_organisation)
        names_on_list = listed_names(subject_sets, versions)
        for person in candidates(subject, versions):
            if unreachable(subject, person):
                continue
            if not matching.plausible(subject_sets, person, subject.birth_date):
                continue
            if not matching.may_reach(subject, subject_sets, person, names_on_list):
                continue
            match = matching.score(subject, person, query=query, listed_names=names_on_list)
            if match.score < threshold():
                continue
            current = best.get(person.entity_id)
            if current is None or match.score > current.score:
                best[person.entity_id] = match
    return sorted(best.values(), key=lambda m: (-m.score, m.person.entity_id))
