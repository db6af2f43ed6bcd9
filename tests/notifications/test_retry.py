"""A rejected customer tries again; a verified customer changes name or nationality."""

import pytest
from django.urls import reverse

from notifications import reverification
from notifications.models import Kind, Notification
from verification import retry
from verification.models import Status, StatusChange, Verification
from verification.retry import PREFILLED_FIELDS

from .conftest import claim, decide, submit

pytestmark = pytest.mark.django_db


def rejected(application, reviewer, *, final=False):
    submit(application)
    claim(application, reviewer)
    decide(
        application,
        reviewer,
        "reject",
        reasons=["unreadable"],
        final=final,
        customer_message="Blurry.",
    )
    application.refresh_from_db()
    return application


def passed(application, reviewer):
    submit(application)
    claim(application, reviewer)
    decide(application, reviewer, "pass")
    application.refresh_from_db()
    return application


def test_retry_starts_a_draft_prefilled_from_the_rejected_application(
    application, reviewer, customer
):
    old = rejected(application, reviewer)

    draft = retry.start_retry(customer)

    assert draft.pk != old.pk and draft.status == Status.DRAFT and draft.user == customer
    for name in PREFILLED_FIELDS:
        assert getattr(draft, name) == getattr(old, name), name
    assert draft.documents.count() == 0
    assert draft.status_changes.count() == 0
    old.refresh_from_db()
    assert old.status == Status.REJECTED  # the history is kept
    assert old.status_changes.count() == 3


def test_retry_twice_gives_the_same_draft(application, reviewer, customer):
    rejected(application, reviewer)

    first = retry.start_retry(customer)
    second = retry.start_retry(customer)

    assert first.pk == second.pk
    assert Verification.objects.filter(user=customer).count() == 2


def test_final_rejection_cannot_be_retried(application, reviewer, customer):
    rejected(application, reviewer, final=True)

    with pytest.raises(retry.CannotStartAgain, match="This decision is final"):
        retry.start_retry(customer)
    assert Verification.objects.filter(user=customer).count() == 1


def test_retry_without_a_rejection_is_refused(application, customer):
    submit(application)

    with pytest.raises(retry.CannotStartAgain, match="no rejected application"):
        retry.start_retry(customer)
    assert Verification.objects.filter(user=customer).count() == 1


def test_try_again_button_opens_the_wizard_on_the_new_draft(
    application, reviewer, customer, customer_client
):
    rejected(application, reviewer)

    response = customer_client.post(reverse("notifications:start_retry"))

    assert response.status_code == 302 and response.url == reverse("verification:start")
    assert Verification.objects.filter(user=customer, status=Status.DRAFT).count() == 1
    assert customer_client.get(reverse("notifications:start_retry")).status_code == 405


def test_try_again_after_a_final_rejection_shows_why_and_changes_nothing(
    application, reviewer, customer, customer_client
):
    rejected(application, reviewer, final=True)

    response = customer_client.post(reverse("notifications:start_retry"), follow=True)

    assert "This decision is final" in response.content.decode()
    assert Verification.objects.filter(user=customer).count() == 1


def test_anonymous_visitor_cannot_start_anything(client):
    for name in ("notifications:start_retry", "notifications:start_reverification"):
        response = client.post(reverse(name))
        assert response.status_code == 302 and "/accounts/login/" in response.url
    assert Verification.objects.count() == 0


def test_changing_name_or_nationality_lapses_the_pass_and_prefills_a_new_draft(
    application, reviewer, customer, customer_client, django_capture_on_commit_callbacks
):
    old = passed(application, reviewer)

    with django_capture_on_commit_callbacks(execute=True):
        response = customer_client.post(reverse("notifications:start_reverification"))

    assert response.status_code == 302 and response.url == reverse("verification:start")
    old.refresh_from_db()
    assert old.status == Status.LAPSED
    change = StatusChange.objects.get(verification=old, new=Status.LAPSED)
    assert change.actor == customer
    assert change.reason == reverification.LAPSE_REASONS[reverification.DETAILS_CHANGED]
    draft = Verification.objects.get(user=customer, status=Status.DRAFT)
    assert (draft.surname, draft.nationality) == (old.surname, old.nationality)
    notification = Notification.objects.get(kind=Kind.REVERIFICATION_REQUIRED)
    assert notification.data == {"cause": reverification.DETAILS_CHANGED}


def test_reverification_after_a_lapse_keeps_the_lapse_and_starts_once(
    application, reviewer, customer
):
    from verification.status import change_status

    old = passed(application, reviewer)
    change_status(old.pk, Status.LAPSED, reason="x")

    first = retry.start_reverification(customer)
    second = retry.start_reverification(customer)

    assert first.pk == second.pk
    assert StatusChange.objects.filter(verification=old, new=Status.LAPSED).count() == 1


def test_reverification_needs_a_pass(application, customer, customer_client):
    submit(application)

    response = customer_client.post(reverse("notifications:start_reverification"), follow=True)

    assert "Only a passed verification can be renewed." in response.content.decode()
    assert Verification.objects.filter(user=customer).count() == 1
    assert Verification.objects.get(pk=application.pk).status == Status.PROVIDED
