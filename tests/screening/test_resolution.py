"""Resolving screening hits: false positive with a reason, true match with four eyes."""

import datetime
import json

import pytest
from django.urls import reverse

from audit.models import AuditEvent
from review import services as review
from review.models import ReviewDecision
from review.selectors import latest_decision
from review.signals import open_signals
from screening import monitoring, resolution, search, services
from screening.loading import load_watchlist
from screening.models import ScreeningHit
from tests.factories import UserFactory, staff_user
from verification.models import Status

from .test_on_submission import listed_applicant, screened

pytestmark = pytest.mark.django_db
State = ScreeningHit.State


@pytest.fixture
def hit(sample_watchlist):
    verification = listed_applicant()
    screened(verification)
    return verification.screening_hits.get()


def hit_events(verification):
    return list(
        AuditEvent.objects.filter(
            verification=verification, action=AuditEvent.Action.SCREENING_HIT_RESOLVED
        ).values_list("detail__resolution", flat=True)
    )


def test_a_false_positive_needs_a_reason_and_then_lets_the_case_pass(hit):
    reviewer = staff_user("Reviewer")
    with pytest.raises(resolution.ResolutionRefused, match="reason"):
        resolution.resolve_hit(hit.pk, resolution.FALSE_POSITIVE, reviewer=reviewer, reason=" ")
    resolution.resolve_hit(
        hit.pk, resolution.FALSE_POSITIVE, reviewer=reviewer, reason="Born in another city"
    )
    hit.refresh_from_db()
    assert (hit.state, hit.resolved_by, hit.resolution_reason) == (
        State.FALSE_POSITIVE, reviewer, "Born in another city",
    )  # fmt: skip
    assert not [s for s in open_signals(hit.verification) if s.kind == "screening_hit"]
    assert hit_events(hit.verification) == ["false_positive"]
    review.claim(hit.verification_id, reviewer)
    review.record_decision(
        hit.verification_id,
        ReviewDecision.Outcome.PASS,
        reviewer=reviewer,
        evidence_version=hit.verification.evidence_version,
        accept_documents=True,
    )
    hit.verification.refresh_from_db()
    assert hit.verification.status == Status.PASSED


def test_a_resolved_false_positive_does_not_come_back_for_the_same_list_content(hit, tmp_path):
    resolution.resolve_hit(
        hit.pk, resolution.FALSE_POSITIVE, reviewer=staff_user("Reviewer"), reason="Other person"
    )
    verification = hit.verification
    # The customer's next application, and a reload of the same list: no new hit.
    type(verification).objects.filter(pk=verification.pk).update(status=Status.REJECTED)
    again = listed_applicant(user=verification.user)
    assert screened(again).hit_count == 0
    again.delete()
    from screening.demo import SAMPLE_LIST

    load_watchlist(SAMPLE_LIST, "sample")
    verification.status = Status.PASSED
    verification.save(update_fields=["status"])
    assert monitoring.screen_passed(verification, search.active_versions()) == []
    # The listing changes (a new alias): the hit is back for a person to look at.
    changed = tmp_path / "changed.jsonl"
    lines = [json.loads(line) for line in SAMPLE_LIST.read_text().splitlines()]
    lines[1]["properties"]["alias"].append("Ivan S. Petrov")
    changed.write_text("".join(json.dumps(e, ensure_ascii=False) + "\n" for e in lines))
    load_watchlist(changed, "sample")
    [new] = monitoring.screen_passed(verification, search.active_versions())
    assert new.entity_id == hit.entity_id and new.content_hash != hit.content_hash


def test_a_true_match_needs_a_second_person_and_ends_in_a_final_rejection(hit):
    verification = hit.verification
    first = staff_user("Review supervisor")
    resolution.resolve_hit(hit.pk, resolution.TRUE_MATCH, reviewer=first, reason="Same person")
    hit.refresh_from_db()
    assert hit.state == State.AWAITING_CONFIRMATION
    with pytest.raises(resolution.ResolutionRefused, match="second person"):
        resolution.confirm_match(hit.pk, supervisor=first, confirmed=True)
    with pytest.raises(resolution.ResolutionRefused, match="supervisors"):
        resolution.confirm_match(hit.pk, supervisor=staff_user("Reviewer"), confirmed=True)
    verification.refresh_from_db()
    assert verification.status == Status.PROVIDED  # nothing happened yet
    second = staff_user("Review supervisor")
    resolution.confirm_match(hit.pk, supervisor=second, confirmed=True, note="Agreed")
    hit.refresh_from_db()
    verification.refresh_from_db()
    assert (hit.state, hit.confirmed_by) == (State.CONFIRMED_MATCH, second)
    assert (verification.status, verification.may_retry) == (Status.REJECTED, False)
    decision = latest_decision(verification)
    assert decision.final and decision.confirmation.supervisor == second
    assert decision.reviewer == first and decision.reason_labels == []
    assert decision.customer_message == "Your application could not be accepted."
    assert hit_events(verification) == ["true_match_confirmed", "true_match"]


def test_the_customer_reads_only_that_the_application_could_not_be_accepted(hit, client):
    verification = hit.verification
    verification.user.preferred_language = "zh-hans"
    verification.user.save()
    resolution.resolve_hit(
        hit.pk, resolution.TRUE_MATCH, reviewer=staff_user("Reviewer"), reason="Same person"
    )
    resolution.confirm_match(hit.pk, supervisor=staff_user("Review supervisor"), confirmed=True)
    assert latest_decision(verification).customer_message == "您的申请未能被接受。"
    client.force_login(verification.user)
    page = client.get(reverse("verification:status")).content.decode()
    for secret in ("Petrov", "sanction", "screening", "筛查", "制裁"):
        assert secret not in page


def test_a_declined_true_match_is_open_again(hit):
    resolution.resolve_hit(
        hit.pk, resolution.TRUE_MATCH, reviewer=staff_user("Reviewer"), reason="Looks like him"
    )
    resolution.confirm_match(
        hit.pk, supervisor=staff_user("Review supervisor"), confirmed=False, note="Other DOB"
    )
    hit.refresh_from_db()
    hit.verification.refresh_from_db()
    assert (hit.state, hit.confirmation_note) == (State.OPEN, "Other DOB")
    assert hit.verification.status == Status.PROVIDED
    assert hit_events(hit.verification) == ["true_match_declined", "true_match"]


def test_a_confirmed_match_on_a_passed_customer_rejects_the_pass(sample_watchlist):
    verification = listed_applicant(status=Status.PASSED)
    [hit] = monitoring.screen_passed(verification, search.active_versions())
    resolution.resolve_hit(
        hit.pk, resolution.TRUE_MATCH, reviewer=staff_user("Reviewer"), reason="x"
    )
    resolution.confirm_match(hit.pk, supervisor=staff_user("Review supervisor"), confirmed=True)
    verification.refresh_from_db()
    assert verification.status == Status.REJECTED


def test_nobody_resolves_a_hit_on_their_own_application_or_twice(hit):
    reviewer = hit.verification.user
    with pytest.raises(resolution.ResolutionRefused):
        resolution.resolve_hit(hit.pk, resolution.FALSE_POSITIVE, reviewer=reviewer, reason="me")
    other = staff_user("Reviewer")
    resolution.resolve_hit(hit.pk, resolution.FALSE_POSITIVE, reviewer=other, reason="not him")
    with pytest.raises(resolution.ResolutionRefused, match="already been resolved"):
        resolution.resolve_hit(hit.pk, resolution.TRUE_MATCH, reviewer=other, reason="him")
    with pytest.raises(resolution.ResolutionRefused):
        resolution.resolve_hit(
            hit.pk, resolution.FALSE_POSITIVE, reviewer=UserFactory(), reason="customer"
        )


def test_resolving_through_the_case_page(client, hit):
    reviewer = staff_user("Reviewer")
    client.force_login(reviewer)
    url = reverse("screening:resolve", args=[hit.pk])
    response = client.post(url, {"resolution": "false_positive", "reason": ""})
    assert response.status_code == 302
    hit.refresh_from_db()
    assert hit.state == State.OPEN  # no reason, nothing saved
    response = client.post(url, {"resolution": "true_match", "reason": "Same face"}, follow=True)
    hit.refresh_from_db()
    assert hit.state == State.AWAITING_CONFIRMATION
    assert "True match recorded" in response.content.decode()
    supervisor = staff_user("Review supervisor")
    client.force_login(supervisor)
    page = client.get(reverse("review:detail", args=[hit.verification_id])).content.decode()
    assert reverse("screening:confirm", args=[hit.pk]) in page
    client.post(reverse("screening:confirm", args=[hit.pk]), {"confirmed": "yes", "note": ""})
    hit.verification.refresh_from_db()
    assert hit.verification.status == Status.REJECTED


def test_the_hits_list_shows_passed_customers_too(
    client, sample_watchlist, django_assert_max_num_queries
):
    passed = [listed_applicant(status=Status.PASSED) for _ in range(3)]
    for verification in passed:
        monitoring.screen_passed(verification, search.active_versions())
    client.force_login(staff_user("Reviewer"))
    with django_assert_max_num_queries(12):
        response = client.get(reverse("screening:hits"))
    assert [row[0].pk for row in response.context["rows"]] == [v.pk for v in passed]
    assert response.content.decode().count("Ivan Sergeyevich Petrov") == 3


def test_a_confirmed_match_keeps_its_audit_trail_after_the_list_moves_on(hit):
    resolution.resolve_hit(
        hit.pk, resolution.FALSE_POSITIVE, reviewer=staff_user("Reviewer"), reason="Other man"
    )
    event = AuditEvent.objects.get(action=AuditEvent.Action.SCREENING_HIT_RESOLVED)
    assert event.detail["entity"] == "sample-ivan-petrov"
    assert event.detail["list_version"] == hit.list_version_id
    assert event.created_at <= datetime.datetime.now(tz=datetime.UTC)
    assert services.subject_of(hit.verification).names  # names never go into the audit detail
    assert "IVAN" not in json.dumps(event.detail).upper().replace("SAMPLE-IVAN-PETROV", "")
