"""A supplement request and its answer: every requested item replaced, one status story."""

import pytest
from django.urls import reverse

from notifications.models import Kind, Notification
from review import selectors, services
from tests.factories import png_bytes
from tests.verification.conftest import upload
from verification import services as wizard
from verification.models import Status, StatusChange, Verification

from .factories import submitted_case

pytestmark = pytest.mark.django_db


@pytest.fixture
def reviewer_client(client, reviewer):
    client.force_login(reviewer)
    return client


def _requested(reviewer, items, **fields):
    case = services.claim(submitted_case(**fields).pk, reviewer)
    services.record_decision(
        case.pk,
        "supplement",
        reviewer=reviewer,
        evidence_version=case.evidence_version,
        requested_items=items,
    )
    return Verification.objects.get(pk=case.pk)


def test_resubmission_is_refused_until_every_requested_item_is_replaced(reviewer):
    case = _requested(reviewer, ["document:holding_photo", "field:surname"])
    customer = case.user
    assert set(case.requested_baseline) == {"document:holding_photo", "field:surname"}
    assert "DOE" not in str(case.requested_baseline)  # fingerprints, not values

    with pytest.raises(wizard.IncompleteApplication) as refused:
        wizard.submit(case, actor=customer, declared=True)
    assert refused.value.problems == [
        "Upload a new picture of the photo holding the document, as the reviewers asked.",
        "Correct the surname: the reviewers asked for it and it has not changed yet.",
    ]
    wizard.add_document(
        case, "holding_photo", upload(png_bytes(colour=(180, 190, 200))), actor=customer
    )
    with pytest.raises(wizard.IncompleteApplication) as refused:
        wizard.submit(case, actor=customer, declared=True)
    assert refused.value.problems == [
        "Correct the surname: the reviewers asked for it and it has not changed yet."
    ]
    # Saving the same value again is not a correction.
    wizard.save_details(case, {"surname": "DOE"}, actor=customer)
    with pytest.raises(wizard.IncompleteApplication):
        wizard.submit(case, actor=customer, declared=True)
    assert Verification.objects.get(pk=case.pk).status == Status.SUPPLEMENT_REQUESTED

    wizard.save_details(case, {"surname": "DOE-SMITH"}, actor=customer)
    outcome = wizard.submit(case, actor=customer, declared=True, confirm_mismatch=True)
    assert outcome.submitted
    case.refresh_from_db()
    assert case.status == Status.UNDER_REVIEW and case.requested_baseline == {}


def test_the_status_story_after_a_re_upload(reviewer, client):
    case = _requested(reviewer, ["document:holding_photo"])
    customer = case.user
    wizard.add_document(
        case, "holding_photo", upload(png_bytes(colour=(180, 190, 200))), actor=customer
    )
    wizard.submit(case, actor=customer, declared=True)
    case.refresh_from_db()

    # Review history: Provided once, never again.
    history = list(StatusChange.objects.filter(verification=case).values_list("old", "new"))
    assert history == [
        (Status.PROVIDED, Status.UNDER_REVIEW),
        (Status.UNDER_REVIEW, Status.SUPPLEMENT_REQUESTED),
        (Status.SUPPLEMENT_REQUESTED, Status.UNDER_REVIEW),
    ]
    # The email/inbox message says it stays Under review, and so does the status page.
    received = Notification.objects.get(verification=case, kind=Kind.RECEIVED)
    assert received.data == {"resubmission": True}
    client.force_login(customer)
    inbox = client.get(reverse("notifications:detail", args=[received.pk])).content.decode()
    assert "its status stays “Under review”" in inbox
    status_page = client.get(reverse("verification:status")).content.decode()
    assert 'class="badge' in status_page and "Under review" in status_page
    assert "Status: Under review." in status_page  # the timeline's "Supplement sent"
    # The factory's case has no first-submission row: any "Provided" would be the return's.
    assert "Status: Provided." not in status_page

    # Back in the queue, first in line, for any reviewer to claim.
    assert case.assigned_to is None and case.supplement_returned
    submitted_case(due_in_hours=-5)  # overdue, but not a returned supplement
    assert selectors.available_cases(reviewer).first() == case
    services.claim(case.pk, reviewer)
    case.refresh_from_db()
    assert case.assigned_to == reviewer and case.status == Status.UNDER_REVIEW


def test_the_case_page_marks_what_is_new_since_the_request(reviewer, reviewer_client):
    case = _requested(reviewer, ["document:holding_photo", "field:surname"])
    customer = case.user
    new_photo = wizard.add_document(
        case, "holding_photo", upload(png_bytes(colour=(180, 190, 200))), actor=customer
    )
    wizard.save_details(case, {"surname": "DOE-SMITH"}, actor=customer)
    wizard.submit(case, actor=customer, declared=True, confirm_mismatch=True)

    html = reviewer_client.get(reverse("review:detail", args=[case.pk])).content.decode()
    assert 'id="new-since-request"' in html
    assert "Photo holding the document, Surname" in html
    figure = html[html.index(f'id="document-{new_photo.pk}"') :]
    assert "New since the request" in figure[: figure.index("</figcaption>")]
    surname_row = html[html.index('data-field="surname"') :]
    assert "re-entered" in surname_row[: surname_row.index("</tr>")]
