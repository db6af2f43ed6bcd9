"""Ongoing monitoring: every passed customer is screened again after a list version loads.

Loading a version opens a MonitoringRun (screening.loading); the beat task works through the
passed applications in id order, a batch per transaction, and keeps its place in the run's
cursor, so a restart resumes where it stopped. A new hit on a passed application does not
change its status (the customer is never told): it puts the application on the reviewers'
"Screening hits" list, where a confirmed true match ends in a final rejection.
"""

import time

from django.db import transaction
from django.utils import timezone

from verification.models import Status, Verification

from . import search, services
from .models import MonitoringRun, Screening

BATCH = 200
TIME_BUDGET_SECONDS = 150  # under the task's soft time limit; beat calls again a minute later


def rescreen_passed_customers(batch_size: int = BATCH, budget: float = TIME_BUDGET_SECONDS) -> int:
    """Screens batches of passed customers for the oldest unfinished run until it is done or
    the time budget is spent; returns how many applications were screened."""
    started = time.monotonic()
    screened = 0
    while time.monotonic() - started < budget:
        done = _next_batch(batch_size)
        if done is None:
            break
        screened += done
    return screened


def _next_batch(batch_size: int) -> int | None:
    """One batch in one transaction (the hits and the cursor commit together); None when no
    run is waiting."""
    with transaction.atomic():
        run = (
            MonitoringRun.objects.select_for_update(skip_locked=True)
            .filter(finished_at__isnull=True)
            .order_by("created_at", "pk")
            .first()
        )
        if run is None:
            return None
        versions = search.active_versions()
        if run.list_version_id not in versions:
            # Replaced before its run ended: the newer version's run screens everyone.
            run.finished_at = timezone.now()
            run.save(update_fields=["finished_at"])
            return 0
        batch = list(
            Verification.objects.filter(status=Status.PASSED, pk__gt=run.cursor).order_by("pk")[
                :batch_size
            ]
        )
        for verification in batch:
            run.new_hits += len(screen_passed(verification, versions))
        if batch:
            run.cursor = batch[-1].pk
            run.screened += len(batch)
        if len(batch) < batch_size:
            run.finished_at = timezone.now()
        run.save(update_fields=["cursor", "screened", "new_hits", "finished_at"])
        return len(batch)


def screen_passed(verification, versions) -> list:
    """Screens one passed application now and records any new hits."""
    now = timezone.now()
    matches = search.screen_all(services.subjects_of(verification), versions)
    screening = Screening.objects.create(
        verification=verification,
        reason=Screening.Reason.MONITORING,
        evidence_version=verification.evidence_version,
        state=Screening.State.DONE,
        list_versions=versions,
        started_at=now,
        attempts=1,
    )
    hits = services.record_hits(verification, screening, matches)
    screening.hit_count = len(hits)
    screening.finished_at = timezone.now()
    screening.save(update_fields=["hit_count", "finished_at"])
    return hits
