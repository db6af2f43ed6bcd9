import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from audit.models import AuditEvent
from tests.bidi import RLO, texts_with
from tests.factories import DocumentFactory, UserFactory

from .conftest import DATE_OF_BIRTH, DOCUMENT_NUMBER, REVIEW_NOTE, REVIEW_REASON, apply_for

pytestmark = pytest.mark.django_db

LIST = reverse("sales:customer_list")


def detail_url(customer):
    return reverse("sales:customer_detail", args=[customer.pk])


def test_list_shows_own_group_customers_with_their_progress(inquiry_client, sales_group):
    due = timezone.now() + datetime.timedelta(days=1)
    passed = UserFactory(sales_group=sales_group, email="passed@example.com")
    apply_for(passed, "passed", given_names="ANNA", surname="LI", account_type="individual")
    waiting = UserFactory(sales_group=sales_group, email="waiting@example.com")
    apply_for(waiting, "under_review", sla_due_at=due, account_type="organization")
    UserFactory(sales_group=sales_group, email="fresh@example.com")

    response = inquiry_client.get(LIST)

    assert response.status_code == 200
    rows = {row.email: row for row in response.context["rows"]}
    assert set(rows) == {"passed@example.com", "waiting@example.com", "fresh@example.com"}
    assert rows["passed@example.com"].name == "ANNA LI"
    assert str(rows["passed@example.com"].label) == "Passed"
    assert str(rows["waiting@example.com"].label) == "Under review"
    assert str(rows["waiting@example.com"].account_type_label) == "Organization"
    assert rows["waiting@example.com"].expected_completion == due
    assert str(rows["fresh@example.com"].label) == "Not set"
    page = response.content.decode()
    assert "ANNA LI" in page and "Organization" in page
    assert timezone.localtime(due).strftime("%Y-%m-%d %H:%M") in page


def test_list_never_shows_another_groups_customers_or_staff(
    inquiry_client, inquiry, other_group_customer, group_customer
):
    response = inquiry_client.get(LIST)

    emails = {row.email for row in response.context["rows"]}
    assert emails == {group_customer.email}
    assert other_group_customer.email not in response.content.decode()


@pytest.mark.parametrize(
    ("status", "label"),
    [
        ("provided", "Provided"),
        ("under_review", "Under review"),
        ("passed", "Passed"),
        ("rejected", "Rejected"),
        ("lapsed", "Re-verification required"),
    ],
)
def test_status_is_shown_with_the_customers_label(inquiry_client, group_customer, status, label):
    apply_for(group_customer, status)

    response = inquiry_client.get(LIST)

    assert f">{label}</span>" in response.content.decode()


def test_a_supplement_request_reads_under_review_with_action_required(
    inquiry_client, group_customer
):
    apply_for(group_customer, "supplement_requested")

    page = inquiry_client.get(LIST).content.decode()

    assert ">Under review</span>" in page and ">Action required</span>" in page


def test_the_latest_application_is_the_one_shown(inquiry_client, group_customer):
    old = apply_for(group_customer, "rejected")
    old.created_at = timezone.now() - datetime.timedelta(days=30)
    old.save(update_fields=["created_at"])
    apply_for(group_customer, "provided")

    (row,) = inquiry_client.get(LIST).context["rows"]

    assert row.status == "provided"


def test_search_by_part_of_the_email(inquiry_client, sales_group):
    UserFactory(sales_group=sales_group, email="alice.wong@example.com")
    UserFactory(sales_group=sales_group, email="bob@example.com")

    response = inquiry_client.get(LIST, {"q": "WONG"})

    assert [row.email for row in response.context["rows"]] == ["alice.wong@example.com"]


@pytest.mark.parametrize(
    ("status_filter", "expected"),
    [
        ("provided", {"provided@example.com"}),
        ("under_review", {"review@example.com", "supplement@example.com"}),
        ("action_required", {"supplement@example.com"}),
        ("passed", {"passed@example.com"}),
        ("rejected", {"rejected@example.com"}),
        ("not_submitted", {"draft@example.com", "none@example.com"}),
        ("", None),
    ],
)
def test_filter_by_status(inquiry_client, sales_group, status_filter, expected):
    for status in ("provided", "passed", "rejected", "draft"):
        apply_for(UserFactory(sales_group=sales_group, email=f"{status}@example.com"), status)
    apply_for(UserFactory(sales_group=sales_group, email="review@example.com"), "under_review")
    apply_for(
        UserFactory(sales_group=sales_group, email="supplement@example.com"),
        "supplement_requested",
    )
    UserFactory(sales_group=sales_group, email="none@example.com")

    response = inquiry_client.get(LIST, {"status": status_filter})

    emails = {row.email for row in response.context["rows"]}
    assert emails == (
        expected
        or {
            f"{s}@example.com"
            for s in ("provided", "passed", "rejected", "draft", "review", "supplement", "none")
        }
    )


def test_an_unknown_status_filter_says_so_and_lists_everyone(inquiry_client, group_customer):
    response = inquiry_client.get(LIST, {"status": "hacked"})

    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert [row.email for row in response.context["rows"]] == [group_customer.email]


def test_detail_shows_progress_history_without_reasons(inquiry_client, group_customer):
    verification = apply_for(
        group_customer,
        "supplement_requested",
        history=["provided", "under_review", "supplement_requested"],
    )
    verification.status_changes.update(reason=REVIEW_NOTE)

    response = inquiry_client.get(detail_url(group_customer))

    assert response.status_code == 200
    assert [entry.status for entry in response.context["history"]] == [
        "provided",
        "under_review",
        "supplement_requested",
    ]
    assert REVIEW_NOTE not in response.content.decode()


def test_another_groups_customer_is_a_404_and_is_not_recorded(inquiry_client, other_group_customer):
    apply_for(other_group_customer, "provided")

    response = inquiry_client.get(detail_url(other_group_customer))

    assert response.status_code == 404
    assert other_group_customer.email not in response.content.decode()
    assert not AuditEvent.objects.filter(subject=other_group_customer).exists()


def test_list_lookup_is_recorded_with_ids_only(inquiry_client, inquiry, sales_group):
    alice = UserFactory(sales_group=sales_group, email="alice@example.com")

    inquiry_client.get(LIST, {"q": "alice", "status": "not_submitted"})

    event = AuditEvent.objects.get(action=AuditEvent.Action.INQUIRY_LOOKUP)
    assert event.actor == inquiry
    assert event.detail == {
        "sales_group_id": sales_group.pk,
        "searched": True,
        "status_filter": "not_submitted",
        "page": 1,
        "customer_ids": [alice.pk],
    }
    assert "alice" not in str(event.detail)


def test_detail_lookup_is_recorded_against_the_customer(inquiry_client, inquiry, group_customer):
    verification = apply_for(group_customer, "provided")

    inquiry_client.get(detail_url(group_customer))

    event = AuditEvent.objects.get(action=AuditEvent.Action.INQUIRY_LOOKUP)
    assert (event.actor, event.subject, event.verification) == (
        inquiry,
        group_customer,
        verification,
    )


def test_identity_details_notes_and_images_never_reach_inquiry_pages(
    inquiry_client, group_customer
):
    verification = apply_for(
        group_customer,
        "supplement_requested",
        history=["provided", "under_review", "supplement_requested"],
        date_of_birth=DATE_OF_BIRTH,
        document_number=DOCUMENT_NUMBER,
        address="12 Secret Lane",
    )
    verification.status_changes.update(reason=REVIEW_NOTE)
    document = DocumentFactory(verification=verification, review_reason=REVIEW_REASON)

    pages = [
        inquiry_client.get(LIST).content.decode(),
        inquiry_client.get(detail_url(group_customer)).content.decode(),
        inquiry_client.get(reverse("sales:export_csv")).content.decode("utf-8-sig"),
    ]

    forbidden = [
        DOCUMENT_NUMBER,
        DATE_OF_BIRTH.isoformat(),
        DATE_OF_BIRTH.strftime("%d/%m/%Y"),
        "1979",
        "12 Secret Lane",
        REVIEW_NOTE,
        REVIEW_REASON,
        document.file.name,
        "/kyc/document",
        "<img",
    ]
    for page in pages:
        assert group_customer.email in page
        for value in forbidden:
            assert value not in page


def test_legacy_customer_text_is_isolated_on_the_inquiry_pages(inquiry_client, sales_group):
    # Stored directly, as before sign-up and the wizard refused invisible characters.
    customer = UserFactory(sales_group=sales_group, email=f"jane@exam{RLO}ple.com")
    apply_for(customer, "under_review", given_names="JANE", surname=f"DOE{RLO}")

    listing = inquiry_client.get(LIST).content.decode()
    isolated, loose = texts_with(listing)
    assert loose == []
    assert sorted(isolated) == sorted([customer.email, f"JANE DOE{RLO}"])

    page = inquiry_client.get(detail_url(customer)).content.decode()
    isolated, loose = texts_with(page)
    assert loose == []
    # The <title> (no markup allowed) between first-strong and pop isolate characters.
    assert f"<title>&#x2068;{customer.email}&#x2069;" in page
    assert len(isolated) == 3  # the title, the heading and the name
    assert {customer.email, f"JANE DOE{RLO}"} <= set(isolated)


def test_inquiry_pages_offer_no_forms_that_post(inquiry_client, group_customer):
    apply_for(group_customer, "provided")

    for url in (LIST, detail_url(group_customer)):
        page = inquiry_client.get(url).content.decode()
        content = page.split('<main class="page">')[1].split("</main>")[0]
        assert 'method="post"' not in content.lower()


def test_list_query_count_does_not_grow_with_customers(
    inquiry_client, sales_group, django_assert_max_num_queries
):
    def count_queries():
        with CaptureQueriesContext(connection) as queries:
            assert inquiry_client.get(LIST).status_code == 200
        return len(queries)

    for _ in range(3):
        apply_for(UserFactory(sales_group=sales_group), "provided", history=["provided"])
    few = count_queries()
    for n in range(60):
        customer = UserFactory(sales_group=sales_group)
        if n % 2:
            apply_for(customer, "under_review")

    assert count_queries() == few
    with django_assert_max_num_queries(12):
        response = inquiry_client.get(LIST)
    assert len(response.context["rows"]) == 50  # a full page


def test_anonymous_visitors_are_sent_to_sign_in(client):
    response = client.get(LIST)

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


@pytest.mark.parametrize("persona", ["customer", "reviewer", "supervisor"])
def test_other_people_cannot_open_the_inquiry_pages(client, request, persona, group_customer):
    client.force_login(request.getfixturevalue(persona))

    for url in (LIST, detail_url(group_customer), reverse("sales:export_csv")):
        assert client.get(url).status_code == 403
    assert not AuditEvent.objects.exists()


def test_inquiry_login_without_two_step_verification_is_sent_to_set_it_up(client, sales_group):
    from accounts import roles
    from tests.factories import staff_user

    client.force_login(staff_user(roles.SALES_INQUIRY, mfa=False, sales_group=sales_group))

    response = client.get(LIST)

    assert response.status_code == 302
    assert response["Location"] == reverse("mfa_activate_totp")
    assert not AuditEvent.objects.exists()


def test_an_inquiry_login_lands_on_its_customer_list_after_signing_in(client, sales_group):
    import time

    from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value

    from accounts import roles
    from tests.factories import PASSWORD, enable_totp, staff_user

    inquiry = staff_user(roles.SALES_INQUIRY, mfa=False, sales_group=sales_group)
    secret = enable_totp(inquiry)
    client.post(reverse("account_login"), {"login": inquiry.email, "password": PASSWORD})
    code = format_hotp_value(hotp_value(secret, int(time.time()) // 30))

    response = client.post(reverse("mfa_authenticate"), {"code": code})

    assert response.status_code == 302
    assert response["Location"] == LIST
