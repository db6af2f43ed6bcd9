"""Screening on submission: the handler, the idempotent run, the review signal, auto-approval."""

import datetime

import pytest
from django.urls import reverse

from review import services as review
from review.models import ReviewDecision
from review.signals import open_signals, signals_for
from screening import services
from screening.models import Screening, ScreeningHit
from tests.factories import staff_user
from tests.review.factories import submitted_case, with_ocr
from verification.approval import approve_automatically
from verification.models import Status

pytestmark = pytest.mark.django_db


def listed_applicant(**fields):
    """A submitted application from someone on the sample list (typed in Latin)."""
    fields = {
        "surname": "PETROV",
        "given_names": "IVAN",
        "date_of_birth": datetime.date(1970, 1, 2),
        "nationality": "RU",
        "sex": "M",
        **fields,
    }
    verification = submitted_case(**fields)
    with_ocr(verification)
    return verification


def screened(verification):
    screening = services.open_submission_screening(verification)
    services.run_screening(screening.pk)
    screening.refresh_from_db()
    return screening


def test_a_listed_applicant_gets_a_hit_with_version_score_and_explanation(sample_watchlist):
    verification = listed_applicant()
    screening = screened(verification)
    assert (screening.state, screening.hit_count) == (Screening.State.DONE, 1)
    assert screening.list_versions == [sample_watchlist.pk]
    hit = verification.screening_hits.get()
    assert (hit.entity_id, hit.list_version, hit.state) == (
        "sample-ivan-petrov", sample_watchlist, ScreeningHit.State.OPEN,
    )  # fmt: skip
    assert hit.score >= 0.9 and hit.topics == ["sanction"]
    assert hit.explanation["birth_date"] == "same" and hit.explanation["matched"]


def test_the_name_read_from_the_mrz_is_screened_too(sample_watchlist):
    verification = submitted_case(
        surname="DOE", given_names="JOHN", date_of_birth=datetime.date(1965, 3, 12), sex="M"
    )
    with_ocr(verification, surname="WANG", names="JIANGUO")  # typed differs from the document
    screened(verification)
    assert [h.entity_id for h in verification.screening_hits.all()] == ["sample-wang-jianguo"]


def test_a_han_name_as_typed_hits_the_pinyin_listing(sample_watchlist):
    verification = submitted_case(
        surname="王", given_names="建国", date_of_birth=datetime.date(1965, 3, 12), nationality="CN"
    )
    screened(verification)
    assert [h.entity_id for h in verification.screening_hits.all()] == ["sample-wang-jianguo"]


def test_a_clean_applicant_has_no_hit_and_no_signal(sample_watchlist):
    verification = submitted_case()  # Jane Doe
    with_ocr(verification)
    assert screened(verification).hit_count == 0
    assert not [s for s in signals_for(verification) if s.kind.startswith("screening")]


def test_a_second_delivery_changes_nothing(sample_watchlist):
    verification = listed_applicant()
    screening = screened(verification)
    assert services.run_screening(screening.pk) is None
    assert verification.screening_hits.count() == 1


def test_submitting_opens_a_screening_that_runs_after_the_commit(
    customer, customer_client, sample_watchlist, django_capture_on_commit_callbacks
):
    from tests.verification.test_submission import _submit, complete_passport_draft

    verification = complete_passport_draft(customer)
    verification.surname, verification.given_names = "SMIRNOVA", "OLGA"
    verification.date_of_birth = datetime.date(1975, 9, 30)
    verification.save()
    with django_capture_on_commit_callbacks(execute=True):
        _submit(customer_client, "manual_verification")
    screening = verification.screenings.get()
    assert screening.state == Screening.State.DONE
    assert [h.entity_id for h in verification.screening_hits.all()] == ["sample-olga-smirnova"]
    # The customer is never told: their status page says nothing about screening.
    page = customer_client.get(reverse("verification:status")).content.decode()
    assert "Smirnova" not in page and "screening" not in page.lower()


def test_a_hit_is_a_signal_no_reason_can_acknowledge(sample_watchlist):
    verification = listed_applicant(status=Status.PROVIDED)
    screened(verification)
    reviewer = staff_user("Reviewer")
    review.claim(verification.pk, reviewer)
    hit = verification.screening_hits.get()
    [signal] = [s for s in open_signals(verification) if s.kind == "screening_hit"]
    assert signal.key == f"screening:{hit.pk}" and not signal.acknowledgeable
    with pytest.raises(review.DecisionRefused, match="Signals not acknowledged"):
        review.record_decision(
            verification.pk,
            ReviewDecision.Outcome.PASS,
            reviewer=reviewer,
            evidence_version=verification.evidence_version,
            accept_documents=True,
            acknowledgements={signal.key: "I know him, it is fine"},
        )
    verification.refresh_from_db()
    assert verification.status == Status.UNDER_REVIEW


def test_auto_approval_never_passes_a_screening_hit(sample_watchlist, settings):
    settings.KYC_AUTO_APPROVE = True
    verification = listed_applicant(ocr_matched=True)
    screened(verification)
    assert approve_automatically(verification.pk) is False
    verification.refresh_from_db()
    assert verification.status == Status.PROVIDED


def test_auto_approval_waits_for_a_pending_screening(sample_watchlist, settings):
    settings.KYC_AUTO_APPROVE = True
    verification = submitted_case(ocr_matched=True)
    with_ocr(verification)
    screening = services.open_submission_screening(verification)
    assert approve_automatically(verification.pk) is False
    services.run_screening(screening.pk)  # clean: it passes the case itself
    verification.refresh_from_db()
    assert verification.status == Status.PASSED


def test_a_screening_with_no_list_loaded_is_a_signal_that_stops_auto_approval(client, settings):
    # No list loaded: the screening finishes with nothing to look in, which is not a clean
    # applicant. The reviewer sees it and screens by hand; auto-approval leaves the case.
    settings.KYC_AUTO_APPROVE = True
    verification = submitted_case(ocr_matched=True)
    with_ocr(verification)
    screening = screened(verification)
    assert (screening.state, screening.list_versions, screening.hit_count) == ("done", [], 0)
    verification.refresh_from_db()
    assert verification.status == Status.PROVIDED
    [signal] = open_signals(verification)
    assert signal.key == f"screening-unlisted:{screening.pk}" and signal.acknowledgeable
    assert signal.title.startswith("Not screened: no list loaded")
    client.force_login(staff_user("Reviewer"))
    page = client.get(reverse("review:detail", args=[verification.pk])).content.decode()
    assert "Not screened: no list loaded" in page


def test_the_queue_marks_and_filters_cases_with_a_screening_hit(client, sample_watchlist):
    listed = listed_applicant()
    screened(listed)
    clean = submitted_case()
    reviewer = staff_user("Reviewer")
    client.force_login(reviewer)
    page = client.get(reverse("review:queue")).content.decode()
    assert page.count('class="badge flag-mismatch screening-hit"') == 1
    filtered = client.get(reverse("review:queue"), {"screening_hit": "on"})
    cases = [row[0].pk for row in filtered.context["rows"]]
    assert cases == [listed.pk] and clean.pk not in cases


def test_the_case_page_shows_the_hit_beside_the_applicant(client, sample_watchlist):
    verification = listed_applicant()
    screened(verification)
    client.force_login(staff_user("Reviewer"))
    page = client.get(reverse("review:detail", args=[verification.pk])).content.decode()
    assert 'id="screening"' in page and "Ivan Sergeyevich Petrov" in page
    assert "sample-ivan-petrov" in page and "1970-01-02" in page
    assert reverse("screening:resolve", args=[verification.screening_hits.get().pk]) in page


def test_a_failed_or_unfinished_screening_is_a_signal(sample_watchlist):
    verification = listed_applicant()
    screening = services.open_submission_screening(verification)
    assert [s.kind for s in open_signals(verification)] == ["screening"]
    services.mark_screening_failed(screening.pk, "timed out after 30 s")
    [signal] = open_signals(verification)
    assert signal.key == f"screening-failed:{screening.pk}" and signal.acknowledgeable


def test_the_sweep_requeues_a_screening_the_broker_never_got(sample_watchlist):
    verification = listed_applicant()
    screening = services.open_submission_screening(verification)
    Screening.objects.filter(pk=screening.pk).update(
        created_at=screening.created_at - datetime.timedelta(minutes=1)
    )
    sent = []
    assert services.sweep_unfinished_screenings(send=lambda args, **kw: sent.append(args)) == [
        screening.pk
    ]
    assert sent == [(screening.pk,)]
    screening.refresh_from_db()
    assert screening.queued_at is not None
