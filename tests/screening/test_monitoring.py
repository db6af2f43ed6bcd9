"""Ongoing monitoring: a loaded list version re-screens every passed customer, in batches."""

import datetime
import json

import pytest

from notifications.models import Notification
from screening import monitoring, tasks
from screening.demo import SAMPLE_DATASET, SAMPLE_LIST
from screening.loading import load_watchlist
from screening.models import MonitoringRun, ScreeningHit
from tests.review.factories import submitted_case
from verification.models import Status

from .test_on_submission import listed_applicant

pytestmark = pytest.mark.django_db


def passed_customers(clean=4):
    listed = listed_applicant(status=Status.PASSED)
    others = [submitted_case(status=Status.PASSED) for _ in range(clean)]
    waiting = listed_applicant(
        status=Status.PROVIDED, surname="SMIRNOVA", given_names="OLGA", sex="F",
        date_of_birth=datetime.date(1975, 9, 30),
    )  # fmt: skip
    return listed, others, waiting


def test_a_new_list_version_rescreens_every_passed_customer_and_opens_a_case_for_a_hit():
    listed, others, waiting = passed_customers()
    notified = Notification.objects.count()
    version = load_watchlist(SAMPLE_LIST, SAMPLE_DATASET).version
    tasks.rescreen_passed_customers.apply()  # what beat runs every minute
    run = MonitoringRun.objects.get(list_version=version)
    assert run.finished_at is not None and (run.screened, run.new_hits) == (5, 1)
    [hit] = ScreeningHit.objects.all()
    assert (hit.verification, hit.state, hit.screening.reason) == (listed, "open", "monitoring")
    listed.refresh_from_db()
    assert listed.status == Status.PASSED  # the customer is not told: nothing changed for them
    assert Notification.objects.count() == notified
    assert not waiting.screening_hits.exists()  # not passed: screened on submission instead


def test_monitoring_resumes_where_it_stopped_and_never_repeats_a_hit():
    listed, others, _waiting = passed_customers()
    version = load_watchlist(SAMPLE_LIST, SAMPLE_DATASET).version
    assert monitoring._next_batch(batch_size=2) == 2  # then the worker stops
    run = MonitoringRun.objects.get(list_version=version)
    assert run.finished_at is None and run.screened == 2
    assert run.cursor == sorted([listed.pk, *(o.pk for o in others)])[1]
    monitoring.rescreen_passed_customers(batch_size=2)
    run.refresh_from_db()
    assert run.finished_at is not None and run.screened == 5
    assert ScreeningHit.objects.count() == 1
    # The same list again: a new run, and the known hit is not recorded twice.
    load_watchlist(SAMPLE_LIST, SAMPLE_DATASET)
    monitoring.rescreen_passed_customers()
    assert ScreeningHit.objects.count() == 1


def test_a_run_for_a_replaced_version_ends_and_the_newer_one_screens(tmp_path):
    listed, _others, _waiting = passed_customers(clean=0)
    first = load_watchlist(SAMPLE_LIST, SAMPLE_DATASET).version
    lines = [json.loads(line) for line in SAMPLE_LIST.read_text().splitlines()]
    newer = tmp_path / "newer.jsonl"
    newer.write_text("".join(json.dumps(e, ensure_ascii=False) + "\n" for e in lines))
    second = load_watchlist(newer, SAMPLE_DATASET, allow_shrink=True).version
    monitoring.rescreen_passed_customers()
    runs = {run.list_version_id: run for run in MonitoringRun.objects.all()}
    assert runs[first.pk].screened == 0 and runs[first.pk].finished_at is not None
    assert runs[second.pk].screened == 1
    assert listed.screening_hits.get().list_version == second
