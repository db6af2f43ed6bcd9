import datetime
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from audit.models import AuditEvent
from review import services
from review.models import ReviewDecision
from tests.bidi import RLO, texts_with
from tests.factories import UserFactory, staff_user
from verification.models import Document, Status, StatusChange, Verification

from .factories import submitted_case, with_ocr

pytestmark = pytest.mark.django_db


@pytest.fixture
def reviewer_client(client, reviewer):
    client.force_login(reviewer)
    return client


# --- access through HTTP ----------------------------------------------------------------------


@pytest.mark.parametrize("name", ["queue", "dashboard"])
def test_customer_gets_no_access(client, customer, name):
    client.force_login(customer)
    response = client.get(reverse(f"review:{name}"))
    assert response.status_code == 403


def test_customer_cannot_open_a_case(client, customer):
    case = submitted_case()
    client.force_login(customer)
    assert client.get(reverse("review:detail", args=[case.pk])).status_code == 403
    response = client.post(reverse("review:claim", args=[case.pk]))
    assert response.status_code == 403
    case.refresh_from_db()
    assert case.status == Status.PROVIDED


def test_inquiry_login_gets_no_access(client, inquiry):
    case = submitted_case()
    client.force_login(inquiry)
    assert client.get(reverse("review:queue")).status_code == 403
    assert client.get(reverse("review:detail", args=[case.pk])).status_code == 403


def test_reviewer_without_two_step_verification_is_sent_to_set_it_up(client):
    reviewer = staff_user("Reviewer", mfa=False)
    client.force_login(reviewer)
    response = client.get(reverse("review:queue"))
    assert response.status_code == 302
    assert response["Location"] == reverse("mfa_activate_totp")


def test_anonymous_is_sent_to_sign_in(client):
    response = client.get(reverse("review:queue"))
    assert response.status_code == 302
    assert reverse("account_login") in response["Location"]


def test_reviewer_cannot_see_dashboard(reviewer_client):
    assert reviewer_client.get(reverse("review:dashboard")).status_code == 403


def test_reviewer_cannot_open_own_application(reviewer_client, reviewer):
    own = submitted_case(user=reviewer)
    assert reviewer_client.get(reverse("review:detail", args=[own.pk])).status_code == 403
    assert reviewer_client.post(reverse("review:claim", args=[own.pk])).status_code == 403
    own.refresh_from_db()
    assert own.status == Status.PROVIDED


# --- the queue ---------------------------------------------------------------------------------


def _queue_ids(response):
    return [case.pk for case, _sla in response.context["rows"]]


def test_queue_lists_provided_and_under_review_by_sla_due_time(reviewer_client):
    late = submitted_case(due_in_hours=20)
    overdue = submitted_case(due_in_hours=-3)
    soon = submitted_case(due_in_hours=1, status=Status.UNDER_REVIEW)
    submitted_case(status=Status.PASSED)
    submitted_case(status=Status.SUPPLEMENT_REQUESTED)
    response = reviewer_client.get(reverse("review:queue"))
    assert response.status_code == 200
    assert _queue_ids(response) == [overdue.pk, soon.pk, late.pk]
    assert "Overdue by" in response.content.decode()
    assert "Due in" in response.content.decode()


@pytest.mark.parametrize(
    "query, matching, other",
    [
        ("status=under_review", {"status": Status.UNDER_REVIEW}, {}),
        ("ocr_mismatch=on", {"ocr_mismatch": True}, {"ocr_matched": True}),
        ("returned=on", {"supplement_returned": True}, {}),
        ("nationality=DE", {"nationality": "DE"}, {"nationality": "GB"}),
        ("document_type=national_id", {"document_type": "national_id"}, {}),
        ("account_type=organization", {"account_type": "organization"}, {}),
    ],
)
def test_queue_filters(reviewer_client, query, matching, other):
    wanted = submitted_case(**matching)
    submitted_case(**other)
    response = reviewer_client.get(reverse("review:queue") + "?" + query)
    assert _queue_ids(response) == [wanted.pk]


def test_queue_filter_assigned_to_me(reviewer_client, reviewer):
    mine = submitted_case()
    services.claim(mine.pk, reviewer)
    submitted_case()
    response = reviewer_client.get(reverse("review:queue") + "?mine=on")
    assert _queue_ids(response) == [mine.pk]


def test_queue_search_by_email_name_and_document_number(reviewer_client):
    wanted = submitted_case(surname="ZHANG", given_names="WEI", document_number="E12345678")
    submitted_case(surname="DOE")
    for query in [wanted.user.email.upper(), "zhang", "E 1234 5678", "e12345678"]:
        response = reviewer_client.get(reverse("review:queue"), {"q": query})
        assert _queue_ids(response) == [wanted.pk], query
    response = reviewer_client.get(reverse("review:queue"), {"q": "E1234567"})
    assert _queue_ids(response) == []  # a partial number cannot match a keyed hash


def test_queue_bad_filter_value_shows_everything(reviewer_client):
    case = submitted_case()
    response = reviewer_client.get(reverse("review:queue") + "?status=bogus")
    assert response.status_code == 200
    assert _queue_ids(response) == [case.pk]


def test_queue_query_count_does_not_grow_with_rows(
    reviewer_client, django_assert_max_num_queries, django_db_blocker
):
    for _ in range(5):
        submitted_case(documents=False)
    with django_assert_max_num_queries(100) as few:
        reviewer_client.get(reverse("review:queue"))
    baseline = len(few.captured_queries)

    from accounts.models import User

    # Bulk-made customers: hashing 495 passwords would only slow the test down.
    users = User.objects.bulk_create(User(email=f"bulk{i}@example.com") for i in range(495))
    now = timezone.now()
    Verification.objects.bulk_create(
        Verification(
            user=user,
            status=Status.PROVIDED,
            account_type="individual",
            document_type="passport",
            nationality="GB",
            surname=f"S{i}",
            submitted_at=now,
            sla_due_at=now + datetime.timedelta(minutes=i),
        )
        for i, user in enumerate(users)
    )
    assert Verification.objects.filter(status=Status.PROVIDED).count() == 500
    with django_assert_max_num_queries(baseline):
        response = reviewer_client.get(reverse("review:queue"))
    assert len(response.context["rows"]) == 100
    assert response.context["page"].paginator.count == 500


# --- the case page -----------------------------------------------------------------------------


def test_opening_from_queue_claims_and_shows_the_case(reviewer_client, reviewer):
    case = submitted_case()
    with_ocr(case)
    response = reviewer_client.post(reverse("review:claim", args=[case.pk]))
    assert response["Location"] == reverse("review:detail", args=[case.pk])
    case.refresh_from_db()
    assert case.status == Status.UNDER_REVIEW and case.assigned_to == reviewer
    page = reviewer_client.get(response["Location"])
    assert page.status_code == 200
    html = page.content.decode()
    assert reverse("verification:document", args=[case.documents.first().pk]) in html
    assert 'id="decide-pass"' in html
    assert AuditEvent.objects.filter(
        verification=case, action=AuditEvent.Action.CASE_OPENED, actor=reviewer
    ).exists()


def test_case_page_highlights_ocr_differences(reviewer_client, reviewer):
    case = submitted_case(surname="SMITH")
    with_ocr(case, surname="SMYTHE")
    services.claim(case.pk, reviewer)
    response = reviewer_client.get(reverse("review:detail", args=[case.pk]))
    rows = {row.name: row for row in response.context["details"]["comparison"]}
    assert rows["surname"].differs is True
    assert rows["surname"].read == "SMYTHE"
    assert rows["document_number"].differs is False
    assert 'class="differs" data-field="surname"' in response.content.decode()


def test_case_page_escapes_customer_text(reviewer_client):
    case = submitted_case(surname="<script>alert(1)</script>", given_names='"><img src=x>')
    response = reviewer_client.get(reverse("review:detail", args=[case.pk]))
    html = response.content.decode()
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<img src=x>" not in html
    queue = reviewer_client.get(reverse("review:queue")).content.decode()
    assert "<script>alert(1)</script>" not in queue
    assert "&lt;script&gt;" in queue


def test_legacy_customer_text_is_isolated_on_queue_and_case_page(reviewer_client):
    # Stored directly, as before the wizard refused invisible characters: the page must still
    # keep the override inside the customer's text, not reverse the header after it.
    from accounts.models import RiskEvent

    user = UserFactory(email=f"jane@exam{RLO}ple.com")
    case = submitted_case(
        user=user,
        account_type="organization",
        organization_name=f"Acme Mining Ltd{RLO}",
        surname=f"DOE{RLO}",
        document_number="X1234567",
    )
    submitted_case(user=UserFactory(email=f"twin@exam{RLO}ple.com"), document_number="X1234567")
    RiskEvent.objects.create(
        kind=RiskEvent.Kind.SIGNUP_RATE_LIMITED, user=user, email_domain=f"exam{RLO}ple.com"
    )

    queue = reviewer_client.get(reverse("review:queue")).content.decode()
    isolated, loose = texts_with(queue)
    assert loose == []
    assert sorted(isolated) == sorted(
        [f"JANE DOE{RLO}", f"Acme Mining Ltd{RLO}", user.email, f"twin@exam{RLO}ple.com"]
    )

    page = reviewer_client.get(reverse("review:detail", args=[case.pk])).content.decode()
    isolated, loose = texts_with(page)
    assert loose == []
    header = re.search(r'<p class="case-meta.*?</p>', page, re.S).group()
    assert f"<bdi>JANE DOE{RLO}</bdi>" in header
    assert f'<bdi class="applicant-email">{user.email}</bdi>' in header
    assert f'<bdi class="organization-name">Acme Mining Ltd{RLO}</bdi>' in header
    assert header.index("Acme Mining Ltd") < header.index("Submitted")
    # The header's three, the typed surname, the twin's email, the risk event's email domain.
    assert len(isolated) == 6


def test_case_page_shows_same_document_number_and_earlier_applications(reviewer_client):
    case = submitted_case(document_number="X1234567")
    earlier = submitted_case(user=case.user, status=Status.REJECTED)
    twin = submitted_case(document_number="X1234567", status=Status.PASSED)
    response = reviewer_client.get(reverse("review:detail", args=[case.pk]))
    details = response.context["details"]
    assert details["same_document_number"] == [twin]
    assert details["earlier_applications"] == [earlier]


def test_case_page_shows_risk_events(reviewer_client):
    from accounts.models import RiskEvent

    case = submitted_case()
    RiskEvent.objects.create(kind=RiskEvent.Kind.SIGNUP_RATE_LIMITED, user=case.user)
    response = reviewer_client.get(reverse("review:detail", args=[case.pk]))
    assert len(response.context["details"]["risk_events"]) == 1
    assert "Too many sign-ups from one address" in response.content.decode()


def test_case_page_query_count_is_bounded(reviewer_client, django_assert_max_num_queries):
    case = submitted_case()
    with_ocr(case)
    with django_assert_max_num_queries(40):
        reviewer_client.get(reverse("review:detail", args=[case.pk]))


# --- decisions through the page ----------------------------------------------------------------


def _claimed(reviewer, **fields):
    case = submitted_case(**fields)
    return services.claim(case.pk, reviewer)


def test_pass_from_the_page(reviewer_client, reviewer):
    case = _claimed(reviewer)
    response = reviewer_client.post(
        reverse("review:decide", args=[case.pk]),
        {"outcome": "pass", "evidence_version": case.evidence_version, "customer_message": "OK"},
    )
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.status == Status.PASSED
    assert StatusChange.objects.filter(verification=case, new=Status.PASSED).exists()
    assert AuditEvent.objects.filter(verification=case, action=AuditEvent.Action.DECISION).exists()


def test_stale_evidence_through_the_page_is_refused_with_a_message(reviewer_client, reviewer):
    case = _claimed(reviewer)
    Verification.objects.filter(pk=case.pk).update(evidence_version=case.evidence_version + 1)
    response = reviewer_client.post(
        reverse("review:decide", args=[case.pk]),
        {"outcome": "pass", "evidence_version": case.evidence_version, "customer_message": "OK"},
    )
    assert response.status_code == 409
    assert "changed this application after you opened it" in response.content.decode()
    case.refresh_from_db()
    assert case.status == Status.UNDER_REVIEW
    assert not ReviewDecision.objects.exists()


def test_rejection_without_reason_is_refused_with_a_message(reviewer_client, reviewer):
    case = _claimed(reviewer)
    response = reviewer_client.post(
        reverse("review:decide", args=[case.pk]),
        {"outcome": "reject", "evidence_version": case.evidence_version, "customer_message": "No"},
    )
    assert response.status_code == 400
    assert "Pick at least one reason" in response.content.decode()
    case.refresh_from_db()
    assert case.status == Status.UNDER_REVIEW


def test_malformed_decision_is_refused(reviewer_client, reviewer):
    case = _claimed(reviewer)
    response = reviewer_client.post(
        reverse("review:decide", args=[case.pk]), {"outcome": "approve-all"}
    )
    assert response.status_code == 400
    case.refresh_from_db()
    assert case.status == Status.UNDER_REVIEW


def test_supplement_from_the_page(reviewer_client, reviewer):
    case = _claimed(reviewer)
    response = reviewer_client.post(
        reverse("review:decide", args=[case.pk]),
        {
            "outcome": "supplement",
            "evidence_version": case.evidence_version,
            "requested_items": ["document:passport_page"],
            "reasons": ["unreadable"],
            # The rejection box pre-filled by a ticked reason never reaches a supplement request.
            "reject_message": "Your real-name authentication was not approved: blurry.",
            "supplement_message": "The photo is blurred.",
            "internal_note": "glare",
        },
    )
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.status == Status.SUPPLEMENT_REQUESTED
    assert ReviewDecision.objects.get().customer_message == "The photo is blurred."
    assert case.requested_items == ["document:passport_page"]
    page = case.documents.get(kind=Document.Kind.PASSPORT_DATA_PAGE)
    assert page.review_state == Document.ReviewState.REUPLOAD_NEEDED


def test_mark_document_from_the_page(reviewer_client, reviewer):
    case = _claimed(reviewer)
    document = case.documents.get(kind=Document.Kind.HOLDING_PHOTO)
    reviewer_client.post(
        reverse("review:mark_document", args=[case.pk, document.pk]),
        {"state": "accepted", "evidence_version": case.evidence_version},
    )
    document.refresh_from_db()
    assert document.review_state == Document.ReviewState.ACCEPTED


def test_next_case_claims_the_most_urgent(reviewer_client, reviewer):
    submitted_case(due_in_hours=10)
    urgent = submitted_case(due_in_hours=-1)
    response = reviewer_client.post(reverse("review:next"))
    assert response["Location"] == reverse("review:detail", args=[urgent.pk])
    urgent.refresh_from_db()
    assert urgent.assigned_to == reviewer


def test_next_case_on_empty_queue_says_so(reviewer_client):
    response = reviewer_client.post(reverse("review:next"), follow=True)
    assert "The queue is empty" in response.content.decode()


def test_supervisor_dashboard(client, supervisor, reviewer):
    submitted_case(due_in_hours=-2)
    case = _claimed(reviewer)
    services.record_decision(
        case.pk,
        "pass",
        reviewer=reviewer,
        evidence_version=case.evidence_version,
        accept_documents=True,
    )
    client.force_login(supervisor)
    response = client.get(reverse("review:dashboard"))
    assert response.status_code == 200
    stats = response.context["stats"]
    assert stats["size"] == 1
    assert stats["overdue"] == 1
    assert stats["decisions_per_day"][0]["reviewer"] == reviewer.email
    assert stats["decisions_per_day"][0]["pass"] == 1


def test_supervisor_confirms_final_rejection_from_the_page(client, supervisor, reviewer, settings):
    settings.KYC_REVIEW_FOUR_EYES = True
    case = _claimed(reviewer)
    decision = services.record_decision(
        case.pk,
        "reject",
        reviewer=reviewer,
        evidence_version=case.evidence_version,
        reasons=["risk"],
        final=True,
        customer_message="Sorry.",
    )
    client.force_login(supervisor)
    page = client.get(reverse("review:detail", args=[case.pk]))
    assert 'id="awaiting-confirmation"' in page.content.decode()
    client.post(reverse("review:confirm", args=[case.pk, decision.pk]), {"confirmed": "yes"})
    case.refresh_from_db()
    assert case.status == Status.REJECTED and case.may_retry is False


def test_supervisor_reassigns_from_the_page(client, supervisor, reviewer):
    case = _claimed(reviewer)
    other = staff_user("Reviewer")
    client.force_login(supervisor)
    client.post(reverse("review:reassign", args=[case.pk]), {"reviewer": other.pk})
    case.refresh_from_db()
    assert case.assigned_to == other


def test_case_page_shows_policy_hits_in_the_reviewers_language(reviewer_client):
    case = submitted_case(nationality="CN")
    url = reverse("review:detail", args=[case.pk])

    english = reviewer_client.get(url).content.decode()
    reviewer_client.cookies["django_language"] = "zh-hans"
    chinese = reviewer_client.get(url).content.decode()

    assert "Mainland Chinese passports are temporarily unable to pass KYC" in english
    assert "中国大陆护照暂时无法通过" in chinese


# --- signals and "Accept all and pass" through the page ----------------------------------------


def test_pass_with_an_open_signal_is_refused_then_passes_with_a_reason(reviewer_client, reviewer):
    from review.models import SignalAcknowledgement
    from tests.review.factories import with_ocr

    case = _claimed(reviewer)
    with_ocr(case, surname="DOEE")
    page = reviewer_client.get(reverse("review:detail", args=[case.pk])).content.decode()
    assert 'data-signal="field:surname"' in page
    assert "1 signal to acknowledge before passing" in page

    url = reverse("review:decide", args=[case.pk])
    data = {"outcome": "pass", "evidence_version": case.evidence_version}
    response = reviewer_client.post(url, {**data, "acknowledge:field:surname": ""})
    assert response.status_code == 400
    assert "Signals not acknowledged: Surname: typed differs from the document" in (
        response.content.decode()
    )
    case.refresh_from_db()
    assert case.status == Status.UNDER_REVIEW and not SignalAcknowledgement.objects.exists()

    reason = "The MRZ reads DOEE from a smudge; the printed page says DOE."
    response = reviewer_client.post(url, {**data, "acknowledge:field:surname": reason})
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.status == Status.PASSED
    assert SignalAcknowledgement.objects.get().reason == reason
    page = reviewer_client.get(reverse("review:detail", args=[case.pk])).content.decode()
    history = page[page.index('id="acknowledgements"') :]
    assert reason in history[: history.index("</table>")]
    assert "Acknowledged a risk signal: field:surname" in page


def test_a_refused_pass_keeps_the_typed_reasons(reviewer_client, reviewer):
    from tests.review.factories import with_ocr

    case = _claimed(reviewer)
    with_ocr(case, surname="DOEE", number="X0000000")
    response = reviewer_client.post(
        reverse("review:decide", args=[case.pk]),
        {
            "outcome": "pass",
            "evidence_version": case.evidence_version,
            "acknowledge:field:surname": "Smudge on the MRZ.",
        },
    )
    assert response.status_code == 400
    html = response.content.decode()
    # The surname was explained; only the document number is still named.
    assert (
        "Signals not acknowledged: Document number: typed differs from the document. Give" in html
    )
    assert 'value="Smudge on the MRZ."' in html


def test_the_case_page_says_the_customer_chose_manual_verification(reviewer_client, reviewer):
    case = _claimed(reviewer, ocr_matched=False, ocr_mismatch=True)
    html = reviewer_client.get(reverse("review:detail", args=[case.pk])).content.decode()
    assert "Customer confirmed the typed details against the document reading" in html
    plain = _claimed(reviewer)
    html = reviewer_client.get(reverse("review:detail", args=[plain.pk])).content.decode()
    assert "Customer confirmed the typed details" not in html
