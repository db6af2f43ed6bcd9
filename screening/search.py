"""Finding and scoring the list entries that may be an applicant: the screening itself.

Candidates come from the key index (screening.keys) of the active list versions: each key
the subject's names make counts for the entries indexed under it by how rare it is (the
counts of common keys are kept at load, WatchlistKeyCount), the most common keys are left out
when rarer ones already read enough rows, and the CANDIDATES entries with the most weight are
scored (screening.matching); those at or above the threshold are hits, best first.
"""

import math

from django.conf import settings
from django.db.models import Case, FloatField, Sum, Value, When

from . import matching
from .keys import query_keys, token_sets
from .listdata import is_organisation
from .loading import COMMON_KEY
from .models import Watchlist, WatchlistEntity, WatchlistKey, WatchlistKeyCount, WatchlistVersion

CANDIDATES = 40
# Key rows one lookup may read: keys are taken rarest first until the next would pass this.
ROW_BUDGET = 6_000


def active_versions() -> list[int]:
    """The versions screening reads now: the active one of each watchlist."""
    return list(
        Watchlist.objects.filter(active_version__isnull=False).values_list(
            "active_version_id", flat=True
        )
    )


def key_weights(keys: set[int], versions: list[int]) -> dict[int, float]:
    """The keys worth looking up, each with how much sharing it says (its inverse document
    frequency): rarest first, until the rows they index would pass ROW_BUDGET."""
    counts = dict(
        WatchlistKeyCount.objects.filter(key__in=keys, version_id__in=versions)
        .values("key")
        .annotate(entities=Sum("entities"))
        .values_list("key", "entities")
    )
    total = sum(
        WatchlistVersion.objects.filter(pk__in=versions).values_list("entity_count", flat=True)
    )
    weights, rows = {}, 0
    for key in sorted(keys, key=lambda k: (counts.get(k, 0), k)):
        entities = counts.get(key, COMMON_KEY / 2)  # an uncounted key is rarer than COMMON_KEY
        if weights and rows + entities > ROW_BUDGET:
            break
        weights[key] = round(math.log(1 + total / entities), 3)
        rows += entities
    return weights


def candidates(subject: matching.Subject, versions: list[int]) -> list[matching.ListedPerson]:
    """List entries sharing blocking keys with the subject's names, most weight first."""
    keys = query_keys(subject.names, subject.is_organisation)
    if not keys or not versions:
        return []
    weights = key_weights(keys, versions)
    weight = Sum(
        Case(*(When(key=key, then=Value(w)) for key, w in weights.items()), default=Value(0.0)),
        output_field=FloatField(),
    )
    places = list(
        WatchlistKey.objects.filter(key__in=weights, version_id__in=versions)
        .values("version_id", "ordinal")
        .annotate(weight=weight)
        .order_by("-weight", "version_id", "ordinal")
        .values_list("version_id", "ordinal")[:CANDIDATES]
    )
    if not places:
        return []
    wanted = set(places)
    rows = WatchlistEntity.objects.filter(
        version_id__in={v for v, _o in wanted}, ordinal__in={o for _v, o in wanted}
    ).only("version_id", "ordinal", "entity_id", "caption", "data", "content_hash", "schema")
    return [
        _listed(row)
        for row in rows
        if (row.version_id, row.ordinal) in wanted
        and is_organisation(row.schema) == subject.is_organisation
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
        for person in candidates(subject, versions):
            if not matching.plausible(subject_sets, person):
                continue
            match = matching.score(subject, person, query=query)
            if match.score < threshold():
                continue
            current = best.get(person.entity_id)
            if current is None or match.score > current.score:
                best[person.entity_id] = match
    return sorted(best.values(), key=lambda m: (-m.score, m.person.entity_id))
