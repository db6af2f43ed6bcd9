"""A running read holds a lease: a second delivery cannot run it at the same time, a read
whose worker died is taken over once the lease ran out, and only the holder may record it.
Run inline; the same with a real worker killed mid-read is in test_worker.py."""

import datetime
import time

import pytest
from django.core.files.base import ContentFile
from django.utils import timezone

from kyc_portal import jobs
from tests.factories import DocumentFactory, png_bytes
from verification import reading, tasks
from verification.models import Document, OcrResult

from .conftest import generated_passport

pytestmark = pytest.mark.django_db
# How the sweep task queues a reading (inline here: no broker).
SEND = tasks.extract_document.apply_async

State = OcrResult.State


def _document(content=None):
    document = DocumentFactory(kind="passport_page")
    document.file.save("x.png", ContentFile(content or png_bytes()))
    OcrResult.objects.create(document=document)
    return document


def _ocr(document) -> OcrResult:
    return OcrResult.objects.get(document=document)


def _taken_by_a_worker_that_died(document, lease_left: datetime.timedelta):
    """The state a worker killed mid-read leaves: running, its lease ending in `lease_left`."""
    ocr, token = reading._claim_reading(document.pk)
    OcrResult.objects.filter(pk=ocr.pk).update(lease_until=timezone.now() + lease_left)
    return token


def test_second_delivery_while_the_lease_is_live_does_not_run_the_read():
    document = _document()
    _taken_by_a_worker_that_died(document, datetime.timedelta(seconds=30))
    before = OcrResult.objects.values().get(document=document)
    with pytest.raises(reading.ReadingBusy) as busy:
        reading.extract_document(document.pk)
    assert 25 < busy.value.seconds_left <= 30
    tasks.extract_document.delay(document.pk)  # inline: gives up quietly, the sweep is there
    assert OcrResult.objects.values().get(document=document) == before
    assert reading.sweep_unfinished_readings(send=SEND) == []


def test_read_is_taken_over_once_its_lease_ran_out_and_the_old_holder_cannot_record():
    image, truth = generated_passport()
    document = _document(image)
    dead_token = _taken_by_a_worker_that_died(document, datetime.timedelta(seconds=-1))
    assert reading.sweep_unfinished_readings(send=SEND) == [document.pk]  # inline: read at once
    ocr = _ocr(document)
    assert ocr.state == State.DONE and ocr.attempts == 2 and ocr.lease_until is None
    assert ocr.fields["number"] == truth["number"]
    # The first worker was not dead after all, only late: its result is refused.
    assert reading.record_reading(ocr.pk, dead_token, state=State.FAILED, error="late") is False
    assert _ocr(document).state == State.DONE


def test_sweep_queues_an_unqueued_read_at_once_and_a_queued_one_only_if_its_message_was_lost():
    now = timezone.now()
    never_queued = _document()
    just_uploaded = _document()
    queued = _document()
    lost = _document()
    OcrResult.objects.filter(document=queued).update(queued_at=now)
    second = datetime.timedelta(seconds=1)
    OcrResult.objects.filter(document=lost).update(queued_at=now - jobs.LOST_MESSAGE - second)
    Document.objects.filter(pk__in=[never_queued.pk, queued.pk, lost.pk]).update(
        created_at=now - jobs.UNQUEUED_GRACE - second
    )
    assert sorted(reading.sweep_unfinished_readings(now, send=SEND)) == sorted(
        [never_queued.pk, lost.pk]
    )
    assert _ocr(just_uploaded).state == State.PENDING  # its own queueing may be on its way
    assert _ocr(queued).state == State.PENDING


def test_read_that_fails_for_a_passing_reason_is_released_for_its_retry():
    document = _document()

    def storage_hiccup():
        raise reading.TransientReadError("storage: TimeoutError")

    with pytest.raises(reading.TransientReadError):
        reading.extract_document(document.pk, before_read=storage_hiccup)
    ocr = _ocr(document)
    assert ocr.state == State.PENDING and ocr.lease_until is None and ocr.queued_at
    reading.extract_document(document.pk)  # the retry need not wait for a lease
    assert _ocr(document).state == State.FAILED and _ocr(document).attempts == 2  # no MRZ


@pytest.mark.django_db(transaction=True)
def test_lease_is_renewed_while_the_read_runs(settings):
    settings.KYC_OCR_LEASE_SECONDS = 2  # renewed every 2/3 s
    document = _document()
    seen = {}

    def slow_read():
        first = _ocr(document).lease_until
        time.sleep(3)  # longer than the lease it started with
        seen["renewed"] = _ocr(document).lease_until > first
        try:
            reading.extract_document(document.pk)
        except reading.ReadingBusy:
            seen["busy"] = True

    reading.extract_document(document.pk, before_read=slow_read, time_limit=60)
    assert seen == {"renewed": True, "busy": True}
    assert _ocr(document).attempts == 1 and _ocr(document).state == State.FAILED  # no MRZ


@pytest.mark.django_db(transaction=True)
def test_read_running_past_its_time_limit_loses_the_lease_and_its_late_result(settings):
    settings.KYC_OCR_LEASE_SECONDS = 1
    image, truth = generated_passport()
    document = _document(image)
    events = []

    def hung_read():
        time.sleep(2.5)  # past time_limit: renewal stopped there
        reading.extract_document(document.pk)  # another worker takes it over and finishes
        events.append(_ocr(document).state)

    reading.extract_document(document.pk, before_read=hung_read, time_limit=1)
    ocr = _ocr(document)
    assert events == [State.DONE]
    assert ocr.attempts == 2 and ocr.state == State.DONE and ocr.fields["number"] == truth["number"]
