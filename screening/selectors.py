"""Read-only questions about screening for the review pages and signals (no review imports)."""

from django.db.models import Exists, OuterRef

from .models import Screening, ScreeningHit


def submission_screening(verification) -> Screening | None:
    """The screening of the application's current evidence, if one was opened."""
    return (
        Screening.objects.filter(
            verification_id=verification.pk,
            reason=Screening.Reason.SUBMISSION,
            evidence_version=verification.evidence_version,
        )
        .order_by("-pk")
        .first()
    )


def hits_of(verification) -> list[ScreeningHit]:
    """Every hit of the application, unresolved first, best score first."""
    hits = ScreeningHit.objects.filter(verification_id=verification.pk).select_related(
        "list_version__watchlist", "resolved_by", "confirmed_by"
    )
    return sorted(hits, key=lambda h: (not h.is_unresolved, -h.score, h.pk))


def unresolved_hits(verification) -> list[ScreeningHit]:
    return [hit for hit in hits_of(verification) if hit.is_unresolved]


def has_unresolved_hit():
    """An annotation: the application has a hit nobody resolved yet (the queue's mark)."""
    return Exists(
        ScreeningHit.objects.filter(verification=OuterRef("pk"), state__in=ScreeningHit.UNRESOLVED)
    )


def open_hit_applications():
    """Applications with an unresolved hit, whatever their status (monitoring finds passed
    customers), oldest hit first: the "Screening hits" list."""
    from verification.models import Verification

    return (
        Verification.objects.filter(screening_hits__state__in=ScreeningHit.UNRESOLVED)
        .distinct()
        .select_related("user", "assigned_to")
        .order_by("pk")
    )


HITS_PAGE = 200


def unresolved_hits_by_application(applications) -> list[tuple]:
    """(application, its unresolved hits) for the "Screening hits" list, in one query."""
    by_application = {application.pk: [] for application in applications}
    hits = ScreeningHit.objects.filter(
        verification_id__in=by_application, state__in=ScreeningHit.UNRESOLVED
    ).order_by("-score", "pk")
    for hit in hits:
        by_application[hit.verification_id].append(hit)
    return [(application, by_application[application.pk]) for application in applications]
