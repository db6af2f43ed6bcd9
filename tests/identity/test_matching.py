"""The face match task and its bookkeeping, run inline (a real worker is in test_worker.py)."""

import datetime

import pytest
from django.utils import timezone

from identity import matching, tasks
from identity.models import FaceEmbedding, FaceMatch
from kyc_portal import jobs
from tests.factories import VerificationFactory, png_bytes

from .conftest import attach, customer_page, evidence

pytestmark = pytest.mark.django_db
SEND = tasks.match_faces.apply_async
PAGE = "passport_page"
HOLDING = "holding_photo"


def _application(case="customer holding own page", **kwargs):
    from benchmarks.faces import scenes

    verification = VerificationFactory(**kwargs)
    attach(verification, PAGE, scenes.png(customer_page()[0]), "page.png")
    attach(verification, HOLDING, evidence(case))
    return verification


def test_a_match_is_recorded_beside_the_application_bound_to_its_two_files():
    verification = _application()
    match = matching.start_match(verification.pk, send=SEND)
    match.refresh_from_db()
    portrait, holding = matching.current_pair(verification)
    assert (match.portrait_document, match.holding_document) == (portrait, holding)
    assert match.state == FaceMatch.State.DONE
    assert match.verdict == "match" and match.score >= match.threshold
    assert match.document_in_hand == "same"
    assert match.portrait_faces == 1 and match.holding_faces >= 1
    assert len(match.person_box) == 4 and len(match.portrait_box) == 4
    assert match.engine.startswith("dlib ResNet") and match.seconds > 0
    assert not match.is_risky
    kinds = set(FaceEmbedding.objects.filter(face_match=match).values_list("kind", flat=True))
    assert kinds == {"person", "portrait"}


def test_someone_else_holding_the_page_is_recorded_as_no_match():
    verification = _application("someone else holding the customer's page")
    match = matching.start_match(verification.pk, send=SEND)
    match.refresh_from_db()
    assert match.verdict == "no_match" and match.is_risky


def test_a_second_delivery_changes_nothing():
    verification = _application("nobody")
    match = matching.start_match(verification.pk, send=SEND)
    first = FaceMatch.objects.values().get(pk=match.pk)
    tasks.match_faces.delay(match.pk)
    assert matching.start_match(verification.pk, send=SEND).pk == match.pk
    assert FaceMatch.objects.values().get(pk=match.pk) == first
    assert first["verdict"] == "no_face" and first["attempts"] == 1


def test_a_reupload_starts_a_new_match_and_keeps_the_old_as_history():
    verification = _application("someone else holding the customer's page")
    old = matching.start_match(verification.pk, send=SEND)
    old_holding = old.holding_document
    old_holding.superseded_at = timezone.now()
    old_holding.save()
    attach(verification, HOLDING, evidence("customer holding own page"))
    new = matching.start_match(verification.pk, send=SEND)
    old.refresh_from_db()
    new.refresh_from_db()
    assert new.pk != old.pk and new.holding_document != old_holding
    assert (old.verdict, new.verdict) == ("no_match", "match")
    assert old.holding_document == old_holding  # the old result stays bound to its file


def test_a_file_replaced_before_the_match_ran_is_never_given_a_result():
    verification = _application()
    portrait, holding = matching.current_pair(verification)
    match = FaceMatch.objects.create(
        verification=verification, portrait_document=portrait, holding_document=holding
    )
    holding.superseded_at = timezone.now()
    holding.save()
    tasks.match_faces.delay(match.pk)
    match.refresh_from_db()
    assert match.state == FaceMatch.State.FAILED and match.verdict == ""


def test_an_image_the_engine_cannot_read_fails_the_match_without_an_error_page():
    verification = VerificationFactory()
    attach(verification, PAGE, png_bytes(), "page.png")
    attach(verification, HOLDING, b"not an image at all")
    match = matching.start_match(verification.pk, send=SEND)
    match.refresh_from_db()
    assert match.state == FaceMatch.State.FAILED and "readable" in match.error
    assert match.is_risky


def test_nothing_starts_until_both_images_are_there():
    verification = VerificationFactory()
    attach(verification, HOLDING, evidence("nobody"))
    assert matching.start_match(verification.pk, send=SEND) is None
    assert not FaceMatch.objects.exists()


def test_the_sweep_requeues_matches_never_queued_or_whose_worker_died():
    verification = _application("nobody")
    portrait, holding = matching.current_pair(verification)
    never_queued = FaceMatch.objects.create(
        verification=verification, portrait_document=portrait, holding_document=holding
    )
    FaceMatch.objects.filter(pk=never_queued.pk).update(
        created_at=timezone.now() - datetime.timedelta(minutes=1)
    )
    assert matching.sweep_unfinished_matches(send=SEND) == [never_queued.pk]
    never_queued.refresh_from_db()
    assert never_queued.state == FaceMatch.State.DONE


def test_a_match_that_died_too_often_is_failed_by_the_sweep():
    verification = _application("nobody")
    portrait, holding = matching.current_pair(verification)
    dead = FaceMatch.objects.create(
        verification=verification,
        portrait_document=portrait,
        holding_document=holding,
        state=FaceMatch.State.RUNNING,
        attempts=jobs.MAX_ATTEMPTS,
        started_at=timezone.now() - datetime.timedelta(minutes=5),
        lease_until=timezone.now() - datetime.timedelta(minutes=4),
    )
    assert matching.sweep_unfinished_matches(send=SEND) == []
    dead.refresh_from_db()
    assert dead.state == FaceMatch.State.FAILED and "never finished" in dead.error
