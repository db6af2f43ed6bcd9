"""Finding and scoring the list entries that may be an applicant: the screening itself.

Candidates come from the key index (screening.keys) of the active list versions, at most
CANDIDATES of them, those sharing most keys first; each is scored (screening.matching) and
those at or above the threshold are hits, best first.
"""

from django.conf import settings
from django.db.models import Count

from . import matching
from .keys import query_keys, token_sets
from .models import Watchlist, WatchlistEntity, WatchlistKey

CANDIDATES = 60


def active_versions() -> list[int]:
    """The versions screening reads now: the active one of each watchlist."""
    return list(
        Watchlist.objects.filter(active_version__isnull=False).values_list(
            "active_version_id", flat=True
        )
    )


def candidates(subject: matching.Subject, versions: list[int]) -> list[matching.ListedPerson]:
    """List entries sharing blocking keys with the subject's names, most shared first."""
    keys = query_keys(subject.names)
    if not keys or not versions:
        return []
    places = list(
        WatchlistKey.objects.filter(key__in=keys, version_id__in=versions)
        .values_list("version_id", "ordinal")
        .annotate(shared=Count("key"))
        .order_by("-shared", "version_id", "ordinal")[:CANDIDATES]
    )
    if not places:
        return []
    wanted = {(version, ordinal) for version, ordinal, _shared in places}
    rows = WatchlistEntity.objects.filter(
        version_id__in={v for v, _o in wanted}, ordinal__in={o for _v, o in wanted}
    ).only("version_id", "ordinal", "entity_id", "caption", "data", "content_hash", "schema")
    return [_listed(row) for row in rows if (row.version_id, row.ordinal) in wanted]


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
    )


def threshold() -> float:
    return settings.KYC_SCREENING_THRESHOLD


def screen(subject: matching.Subject, versions: list[int] | None = None) -> list[matching.Match]:
    """The hits for `subject`: matches at or above the threshold, best first, one per entity."""
    matching.warm_up()
    versions = active_versions() if versions is None else versions
    query = matching.subject_entity(subject)
    subject_sets = token_sets(subject.names)
    best: dict[str, matching.Match] = {}
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
