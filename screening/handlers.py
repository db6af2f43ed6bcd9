"""Screening hears of submissions through verification.status (registered in apps.py)."""

from functools import partial

from django.db import transaction

from verification.models import Status

from . import queueing, services


def screen_on_submission(change) -> None:
    """A submission, or a supplement handed back, is screened (after the commit, in a worker).

    Runs inside change_status's transaction: the pending Screening it opens is what keeps
    auto-approval from passing the case before the lists were checked.
    """
    submitted = change.new == Status.PROVIDED or (
        change.old == Status.SUPPLEMENT_REQUESTED and change.new == Status.UNDER_REVIEW
    )
    if not submitted:
        return
    screening = services.open_submission_screening(change.verification)
    transaction.on_commit(partial(queueing.queue_screening, screening.pk))
