"""The OCR task and the sweep, run inline (a real worker is in test_worker.py)."""

import datetime
import io

import pytest
from django.core.files.base import ContentFile
from django.utils import timezone
from PIL import Image, ImageDraw, ImageFont

from kyc_portal import jobs
from tests.factories import DocumentFactory, VerificationFactory, png_bytes
from verification import reading, services, tasks
from verification.models import OcrResult

from .conftest import generated_passport

pytestmark = pytest.mark.django_db
# How the sweep task queues a reading (inline here: no broker).
SEND = tasks.extract_document.apply_async


def _document(kind="passport_page", content=None, **kwargs):
    document = DocumentFactory(kind=kind, **kwargs)
    if content is not None:
        document.file.save("x.png", ContentFile(content))
    OcrResult.objects.create(document=document)
    return document


def test_passport_page_is_read_and_recorded_beside_the_document():
    image, truth = generated_passport()
    document = _document(content=image)
    result = tasks.extract_document.delay(document.pk)
    assert result.get() is None  # tasks return nothing (Celery logs return values)
    ocr = OcrResult.objects.get(document=document)
    assert ocr.state == OcrResult.State.DONE and ocr.valid
    assert ocr.mrz_type == "TD3" and ocr.raw_text == truth["raw_text"]
    assert ocr.fields["number"] == truth["number"]
    assert ocr.fields["surname"] == truth["surname"]
    assert all(ocr.check_digits.values()) and ocr.confidence > 0
    assert ocr.engine.startswith("kyc-mrz") and ocr.seconds > 0 and ocr.attempts == 1


def test_second_delivery_changes_nothing():
    document = _document(content=png_bytes())
    tasks.extract_document.delay(document.pk)
    first = OcrResult.objects.values().get(document=document)
    tasks.extract_document.delay(document.pk)
    assert OcrResult.objects.values().get(document=document) == first


def test_unreadable_passport_page_fails_with_a_reason_and_goes_to_manual_review(customer):
    from .test_submission import complete_passport_draft

    verification = complete_passport_draft(customer, read=False)
    page = verification.documents.get(kind="passport_page")
    OcrResult.objects.create(document=page)
    tasks.extract_document.delay(page.pk)
    ocr = OcrResult.objects.get(document=page)
    assert ocr.state == OcrResult.State.FAILED and ocr.error
    outcome = services.submit(verification, actor=customer, declared=True)
    assert outcome.submitted and outcome.verification.ocr_matched is None


def _id_card_front() -> bytes:
    from benchmarks.mrz.generate import TEXT_FONT_NAMES, find_font

    image = Image.new("RGB", (1400, 900), (235, 235, 228))
    draw = ImageDraw.Draw(image)
    font = ImageFont.truetype(find_font(TEXT_FONT_NAMES), 64)
    for row, text in enumerate(["REPUBLIC OF TESTLAND", "IDENTITY CARD", "SURNAME EXAMPLE"]):
        draw.text((80, 120 + row * 160), text, font=font, fill=(20, 20, 30))
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return buffer.getvalue()


def test_others_document_without_mrz_keeps_its_text_for_the_reviewer():
    verification = VerificationFactory(document_type="national_id")
    document = _document(kind="id_front", content=_id_card_front(), verification=verification)
    tasks.extract_document.delay(document.pk)
    ocr = OcrResult.objects.get(document=document)
    assert ocr.state == OcrResult.State.DONE and not ocr.valid and not ocr.mrz_type
    assert ocr.engine.startswith("tesseract")
    assert "IDENTITY CARD" in ocr.raw_text and "TESTLAND" in ocr.raw_text


def test_replaced_document_is_not_read():
    document = _document(content=png_bytes(), superseded_at=timezone.now())
    tasks.extract_document.delay(document.pk)
    ocr = OcrResult.objects.get(document=document)
    assert ocr.state == OcrResult.State.FAILED and "replaced" in ocr.error


def test_sweep_requeues_a_reading_that_was_never_queued():
    image, _truth = generated_passport()
    document = _document(content=image)
    document.__class__.objects.filter(pk=document.pk).update(
        created_at=timezone.now() - datetime.timedelta(minutes=10)
    )
    fresh = _document(content=png_bytes())  # just uploaded: its task may still be on its way
    assert reading.sweep_unfinished_readings(send=SEND) == [document.pk]
    assert OcrResult.objects.get(document=document).state == OcrResult.State.DONE
    assert OcrResult.objects.get(document=fresh).state == OcrResult.State.PENDING


def test_sweep_gives_up_on_a_reading_whose_worker_kept_dying():
    document = _document(content=png_bytes())
    OcrResult.objects.filter(document=document).update(
        state=OcrResult.State.RUNNING,
        attempts=jobs.MAX_ATTEMPTS,
        started_at=timezone.now() - datetime.timedelta(hours=1),
    )
    tasks.sweep_unfinished_readings.delay()
    ocr = OcrResult.objects.get(document=document)
    assert ocr.state == OcrResult.State.FAILED
    assert "never finished after 3 attempts" in ocr.error


def test_stale_running_reading_is_requeued_and_finished():
    document = _document(content=png_bytes())
    OcrResult.objects.filter(document=document).update(
        state=OcrResult.State.RUNNING,
        attempts=1,
        started_at=timezone.now() - datetime.timedelta(hours=1),
    )
    reading.sweep_unfinished_readings(send=SEND)
    ocr = OcrResult.objects.get(document=document)
    assert ocr.state == OcrResult.State.FAILED and ocr.attempts == 2  # read again: no MRZ there


def test_upload_while_the_broker_is_down_is_kept_and_read_by_the_sweep(
    customer, django_capture_on_commit_callbacks
):
    from kyc_portal.celery import app

    from .conftest import upload

    verification = VerificationFactory(user=customer)
    app.conf.task_always_eager = False
    # Celery caches connections in two pools: both must forget the working broker.
    saved = (app.conf.broker_url, app.conf.broker_write_url), app.__dict__.get("_pool")
    saved += (app.amqp._producer_pool,)
    app.conf.broker_url = app.conf.broker_write_url = "redis://127.0.0.1:1/0"  # nobody there
    app._pool = app.amqp._producer_pool = None
    try:
        with django_capture_on_commit_callbacks(execute=True):
            document = services.add_document(
                verification, "passport_page", upload(png_bytes()), actor=customer
            )
    finally:
        app.conf.broker_url, app.conf.broker_write_url = saved[0]
        app._pool, app.amqp._producer_pool = saved[1], saved[2]
        app.conf.task_always_eager = True
    ocr = OcrResult.objects.get(document=document)
    assert ocr.state == OcrResult.State.PENDING  # the upload itself succeeded
    assert ocr.queued_at is None  # so the next sweep queues it without waiting
    document.__class__.objects.filter(pk=document.pk).update(
        created_at=timezone.now() - jobs.UNQUEUED_GRACE
    )
    assert reading.sweep_unfinished_readings(send=SEND) == [document.pk]
    assert OcrResult.objects.get(document=document).state == OcrResult.State.FAILED  # plain image


def test_prefill_only_from_trusted_fields(customer):
    from .test_submission import complete_passport_draft

    verification = complete_passport_draft(customer)
    verification.surname = verification.document_number = ""
    assert services.prefill_from_document(verification) == {
        "surname": "DOE",
        "document_number": verification.__class__.objects.get().document_number,
    }
    # The reader was unsure of the surname: the customer types it; the number is still offered.
    OcrResult.objects.filter(document__verification=verification).update(
        valid=False, trusted_fields=["names", "number", "date_of_birth", "expiration_date"]
    )
    assert list(services.prefill_from_document(verification)) == ["document_number"]
    OcrResult.objects.filter(document__verification=verification).update(trusted_fields=[])
    assert services.prefill_from_document(verification) == {}
