"""Each status as the customer sees it: the User Center row and the progress timeline."""

import datetime

import pytest
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from review import services as review_services
from verification.models import Status
from verification.status import change_status

from .conftest import claim, decide, submit

pytestmark = pytest.mark.django_db


def timeline_html(verification):
    verification.refresh_from_db()
    return render_to_string("verification/_timeline.html", {"verification": verification})


def to_status(application, reviewer, status):
    """Walks an application through the real transitions up to `status`."""
    if status == Status.DRAFT:
        return
    submit(application)
    if status == Status.PROVIDED:
        return
    claim(application, reviewer)
    if status == Status.UNDER_REVIEW:
        return
    if status == Status.SUPPLEMENT_REQUESTED:
        decide(
            application,
            reviewer,
            "supplement",
            requested_items=["field:surname"],
            customer_message="Check the surname.",
        )
    elif status == Status.REJECTED:
        decide(application, reviewer, "reject", reasons=["expired"], customer_message="Expired.")
    else:
        decide(application, reviewer, "pass")
    if status == Status.LAPSED:
        change_status(application.pk, Status.LAPSED, reason="test")


@pytest.mark.parametrize(
    ("status", "shown", "action_required"),
    [
        (Status.DRAFT, "Not submitted", False),
        (Status.PROVIDED, "Provided", False),
        (Status.UNDER_REVIEW, "Under review", False),
        (Status.SUPPLEMENT_REQUESTED, "Under review", True),
        (Status.PASSED, "Passed", False),
        (Status.REJECTED, "Rejected", False),
        (Status.LAPSED, "Re-verification required", False),
    ],
)
def test_user_center_shows_exactly_one_status(
    application, reviewer, customer_client, status, shown, action_required
):
    to_status(application, reviewer, status)

    page = customer_client.get(reverse("accounts:user_center")).content.decode()

    row = page[page.index('id="real-name-authentication"') :].split("</tr>")[0]
    assert f">{shown}</span>" in row
    labels = [
        "Not submitted",
        "Provided",
        "Under review",
        "Passed",
        "Rejected",
        "Re-verification required",
    ]
    assert sum(f">{label}</span>" in row for label in labels) == 1
    assert ("Action required" in row) is action_required


def test_user_center_before_any_application(customer_client):
    page = customer_client.get(reverse("accounts:user_center")).content.decode()
    row = page[page.index('id="real-name-authentication"') :].split("</tr>")[0]
    assert ">Not set</span>" in row


def test_timeline_while_provided_shows_the_expected_completion_date(application):
    submit(application, due=timezone.make_aware(datetime.datetime(2031, 3, 4, 9, 0)))

    html = timeline_html(application)

    assert "Expected completion: <strong>4 Mar 2031</strong>" in html
    assert "Application started" in html and "Application submitted" in html
    assert "What was verified" not in html


def test_timeline_of_the_supplement_loop_keeps_the_history(application, reviewer):
    submit(application)
    claim(application, reviewer)
    decide(
        application,
        reviewer,
        "supplement",
        requested_items=["document:passport_page"],
        customer_message="The page is cut off.",
    )

    html = timeline_html(application)
    assert 'href="/kyc/documents/#slot-passport_page"' in html
    assert "Action required" in html and "The page is cut off." in html
    assert "Expected completion" not in html  # the customer has to act first

    # The resubmission keeps it "Under review" (verification.services.submit): no second
    # "Provided", no second "Review started".
    change_status(
        application.pk, Status.UNDER_REVIEW, actor=application.user, supplement_returned=True
    )
    claim(application, reviewer)
    html = timeline_html(application)
    assert "Status: Under review." in html and "Status: Provided." in html
    assert html.count("Status: Provided.") == 1
    decide(application, reviewer, "pass")
    html = timeline_html(application)

    titles = [
        "Application started",
        "Application submitted",
        "Review started",
        "Supplement requested",
        "Supplement sent",
        "Passed",
    ]
    assert html.count("<strong>Review started</strong>") == 1
    positions = []
    start = 0
    for title in titles:
        start = html.index(f"<strong>{title}</strong>", start)
        positions.append(start)
    assert positions == sorted(positions)
    # The old request is history now: listed, no longer a link to change anything.
    assert "Re-upload: Passport data page" in html
    assert 'href="/kyc/documents/#slot-passport_page"' not in html


def test_passed_customer_sees_what_was_verified_and_until_when(application, reviewer):
    application.expiry_date = datetime.date(timezone.localdate().year + 1, 8, 31)
    application.nationality = "DE"
    application.save()
    to_status(application, reviewer, Status.PASSED)

    html = timeline_html(application)

    assert "What was verified" in html
    assert "JANE DOE" in html and "Passport" in html and "Germany" in html
    assert f"Valid until</dt><dd>31 Aug {application.expiry_date.year}</dd>" in html
    assert "Change name or nationality" in html
    assert "Expected completion" not in html


def test_rejected_customer_sees_reasons_message_and_try_again(application, reviewer):
    to_status(application, reviewer, Status.REJECTED)

    html = timeline_html(application)

    assert "Document expired" in html and "Expired." in html
    assert reverse("notifications:start_retry") in html


def test_finally_rejected_customer_is_told_it_is_final(application, reviewer):
    submit(application)
    claim(application, reviewer)
    decide(application, reviewer, "reject", reasons=["risk"], final=True, customer_message="No.")

    html = timeline_html(application)

    assert "This decision is final" in html
    assert reverse("notifications:start_retry") not in html


def test_lapsed_customer_is_asked_to_verify_again(application, reviewer):
    to_status(application, reviewer, Status.LAPSED)

    html = timeline_html(application)

    assert "Re-verification required" in html and "Was valid until" in html
    assert reverse("notifications:start_reverification") in html


def test_a_released_claim_is_not_in_the_customers_timeline(application, reviewer):
    submit(application)
    claim(application, reviewer)
    review_services.release(application.pk, reviewer)

    html = timeline_html(application)

    assert html.count("<strong>Review started</strong>") == 1
    assert "claim expired" not in html


@pytest.mark.parametrize(
    ("status", "shown", "timeline_last"),
    [
        (Status.PROVIDED, "Provided", "Application submitted"),
        (Status.UNDER_REVIEW, "Under review", "Review started"),
        (Status.SUPPLEMENT_REQUESTED, "Under review", "Supplement requested"),
        (Status.PASSED, "Passed", "Passed"),
        (Status.REJECTED, "Rejected", "Rejected"),
        (Status.LAPSED, "Re-verification required", "Re-verification required"),
    ],
)
def test_status_page_shows_the_status_and_the_timeline(
    application,
    reviewer,
    customer_client,
    django_assert_max_num_queries,
    status,
    shown,
    timeline_last,
):
    to_status(application, reviewer, status)

    with django_assert_max_num_queries(20):
        response = customer_client.get(reverse("verification:status"))

    page = response.content.decode()
    assert response.status_code == 200
    assert f'status-{status}">{shown}</span>' in page
    timeline = page[page.index('id="timeline"') :]
    entries = timeline.split("<strong>")[1:]
    assert entries[-1].startswith(f"{timeline_last}</strong>")
