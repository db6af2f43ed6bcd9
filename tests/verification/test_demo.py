"""`make run`'s sample applications: one SPECIMEN customer per status, made through the domain
functions (real OCR on generated passports), never twice, never with DEBUG off."""

import io

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from accounts.models import User
from review.models import ReviewDecision
from verification.demo import DEMO_CASES, SURNAME
from verification.models import Document, Status, StatusChange, Verification

# allauth, OCR and notification work run on commit: the real order needs real transactions.
pytestmark = pytest.mark.django_db(transaction=True)


def run_demo_command() -> str:
    out = io.StringIO()
    call_command("ensure_demo_accounts", with_applications=True, stdout=out)
    return out.getvalue()


def counts() -> dict:
    return {
        model.__name__: model.objects.count()
        for model in (User, Verification, Document, StatusChange, ReviewDecision)
    }


@pytest.fixture
def demo_on(settings):
    from django.contrib.auth.models import Group

    from accounts import roles

    # A transactional test after another one finds the tables flushed, data migrations' rows too.
    for name in roles.STAFF_ROLES:
        Group.objects.get_or_create(name=name)
    settings.DEBUG = True  # the test runner turns DEBUG off; `make run` has it on
    settings.DEMO_ACCOUNTS_SKIP_MFA = True


def test_the_demo_makes_one_application_per_status_through_the_domain_and_only_once(demo_on):
    output = run_demo_command()
    after_first = counts()
    run_demo_command()

    assert counts() == after_first
    demo = Verification.objects.filter(user__email__endswith="specimen@demo.local")
    # Every status but Withdrawn, which only an account's erasure reaches.
    assert sorted(demo.values_list("status", flat=True)) == sorted(
        set(Status.values) - {Status.WITHDRAWN}
    )
    for verification in demo.select_related("user", "user__sales_group"):
        customer = verification.user
        assert customer.is_demo and customer.sales_group.name == "Demo sales group"
        assert verification.surname == SURNAME
        assert customer.email in output
        # Every status was reached by moves change_status recorded, from a draft.
        history = list(verification.status_changes.order_by("pk").values_list("old", "new"))
        if verification.status != Status.DRAFT:
            assert history[0][0] == Status.DRAFT
            assert history[-1][1] == verification.status
            assert all(a[1] == b[0] for a, b in zip(history, history[1:], strict=False))
        # The passport page is a generated passport the real reader reads.
        page = verification.documents.get(kind=Document.Kind.PASSPORT_DATA_PAGE)
        assert page.ocr.valid and page.ocr.fields["surname"] == SURNAME
        assert verification.documents.filter(kind=Document.Kind.HOLDING_PHOTO).exists()
    submitted = demo.exclude(status=Status.DRAFT)
    assert all(v.ocr_matched for v in submitted)
    passed = demo.get(status=Status.PASSED)
    assert passed.review_decisions.get().outcome == ReviewDecision.Outcome.PASS
    assert demo.get(status=Status.REJECTED).may_retry


def test_the_demo_refuses_with_debug_off_and_writes_nothing(settings):
    settings.DEBUG = False

    with pytest.raises(CommandError, match="DEBUG is off"):
        run_demo_command()

    assert not User.objects.exists()
    assert not Verification.objects.exists()


def test_the_demo_cases_show_in_the_queue_a_case_page_the_status_page_and_the_inquiry_list(
    demo_on, client
):
    run_demo_command()
    reviewer = User.objects.get(email="reviewer@demo.local")
    by_status = {
        v.status: v
        for v in Verification.objects.filter(user__email__endswith="specimen@demo.local")
    }

    client.force_login(reviewer)
    queue = client.get(reverse("review:queue"))
    assert queue.status_code == 200
    for status in (Status.PROVIDED, Status.UNDER_REVIEW):
        assert by_status[status].given_names in queue.content.decode()
    case = client.get(reverse("review:detail", args=[by_status[Status.PROVIDED].pk]))
    assert case.status_code == 200 and "BRUNO DEMO" in case.content.decode()

    client.force_login(User.objects.get(email="sales@demo.local"))
    inquiry = client.get(reverse("sales:customer_list")).content.decode()
    assert all(demo_case.email in inquiry for demo_case in DEMO_CASES)

    client.force_login(by_status[Status.SUPPLEMENT_REQUESTED].user)
    status_page = client.get(reverse("verification:status"))
    assert status_page.status_code == 200
    assert "daylight" in status_page.content.decode()  # the reviewer's request
