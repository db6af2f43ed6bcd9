"""The face match on the case page and as a risk signal: crops only through the audited
document view, a doubtful result must be explained before Pass, and it blocks auto-approval."""

import pytest
from django.urls import reverse

from audit.models import AuditEvent
from identity import matching, tasks
from review import services
from review.services import DecisionRefused
from review.signals import open_signals, signals_for
from tests.review.factories import submitted_case, with_ocr
from verification.models import Status

from .conftest import attach, customer_page, evidence

pytestmark = pytest.mark.django_db


def _case(case="customer holding own page", **fields):
    """A submitted case whose page and holding photo are real images, its faces compared."""
    from benchmarks.faces import scenes

    verification = submitted_case(documents=False, **fields)
    attach(verification, "passport_page", scenes.png(customer_page()[0]), "page.png")
    attach(verification, "holding_photo", evidence(case))
    with_ocr(verification, number=customer_page()[1]["number"])
    match = matching.start_match(verification.pk, send=tasks.match_faces.apply_async)
    match.refresh_from_db()
    return verification, match


@pytest.fixture
def reviewer_client(client, reviewer):
    client.force_login(reviewer)
    return client


def test_a_clear_match_raises_no_signal_and_shows_both_faces(reviewer_client):
    case, match = _case()
    assert [s for s in signals_for(case) if s.kind == "face"] == []
    html = reviewer_client.get(reverse("review:detail", args=[case.pk])).content.decode()
    assert 'id="face-match"' in html
    assert f"/documents/{match.portrait_document_id}/?face=portrait" in html
    assert f"/documents/{match.holding_document_id}/?face=person" in html
    assert "Same person" in html and "Same document as the uploaded page" in html
    assert f'value="{match.score:.2f}"' in html and "(threshold)" in html


def test_face_crops_come_only_through_the_audited_document_view(
    reviewer_client, reviewer, client, outsider
):
    case, match = _case()
    url = reverse("verification:document", args=[match.holding_document_id]) + "?face=person"
    before = AuditEvent.objects.filter(action=AuditEvent.Action.DOCUMENT_VIEWED).count()
    response = reviewer_client.get(url)
    assert response.status_code == 200 and response["Content-Type"] == "image/jpeg"
    assert response["Cache-Control"] == "no-store"
    assert AuditEvent.objects.filter(action=AuditEvent.Action.DOCUMENT_VIEWED).count() == (
        before + 1
    )
    import io

    from PIL import Image

    crop = Image.open(io.BytesIO(response.content))
    assert max(crop.size) <= 320
    client.force_login(outsider)
    assert client.get(url).status_code == 404
    client.logout()
    assert client.get(url).status_code in (302, 404)
    # A face that was never found is not there to crop.
    wrong = reverse("verification:document", args=[match.holding_document_id]) + "?face=portrait"
    assert reviewer_client.get(wrong).status_code == 404


@pytest.mark.parametrize(
    ("case", "keys"),
    [
        ("someone else holding the customer's page", {"verdict"}),
        ("customer holding another page", {"document"}),
        ("portrait print held up instead of a face", {"verdict", "picture"}),
    ],
)
def test_a_doubtful_face_match_is_a_signal_to_explain_before_pass(reviewer, case, keys):
    verification, match = _case(case)
    services.claim(verification.pk, reviewer)
    face = {s.key.split(":")[1] for s in open_signals(verification) if s.kind == "face"}
    assert face == keys
    with pytest.raises(DecisionRefused):
        services.record_decision(
            verification.pk, "pass", reviewer=reviewer,
            evidence_version=verification.evidence_version, accept_documents=True,
        )  # fmt: skip
    verification.refresh_from_db()
    assert verification.status == Status.UNDER_REVIEW  # never rejected by the machine either
    _pass_explaining_every_signal(verification, reviewer, "Compared by eye with the video call")


def test_an_unfinished_face_match_is_a_signal(reviewer):
    from identity.models import FaceMatch

    verification, match = _case()
    FaceMatch.objects.filter(pk=match.pk).update(state=FaceMatch.State.RUNNING)
    assert [s.key for s in open_signals(verification) if s.kind == "face"] == ["face:unfinished"]


def test_case_page_query_count_stays_flat_with_a_face_match(
    reviewer_client, django_assert_max_num_queries
):
    case, _match = _case("someone else holding the customer's page")
    # The same bound as a case without faces (tests/review/test_views.py).
    with django_assert_max_num_queries(40):
        reviewer_client.get(reverse("review:detail", args=[case.pk]))


def test_the_customer_never_sees_a_score(customer_client, customer):
    case, match = _case(user=customer)
    for name in ("verification:status", "verification:documents"):
        response = customer_client.get(reverse(name), follow=True)
        text = response.content.decode()
        assert f"{match.score:.2f}" not in text and "face-match" not in text


def test_a_clear_match_finishing_after_submission_lets_auto_approval_pass(settings):
    # Submitted while the faces were still being compared: the match's end decides.
    settings.KYC_AUTO_APPROVE = True
    number = customer_page()[1]["number"]  # typed as the page reads, so no field differs
    case, match = _case(ocr_matched=True, document_number=number)

    case.refresh_from_db()
    assert match.verdict == match.Verdict.MATCH and case.status == Status.PASSED


def test_a_doubtful_match_finishing_after_submission_leaves_the_case_to_a_person(settings):
    settings.KYC_AUTO_APPROVE = True
    number = customer_page()[1]["number"]
    case, match = _case(
        "someone else holding the customer's page", ocr_matched=True, document_number=number
    )

    case.refresh_from_db()
    assert match.verdict != match.Verdict.MATCH and case.status == Status.PROVIDED


def _uncompared(state=None, **fields):
    """A submitted, OCR-matched case whose faces were never compared, or whose match is left
    in `state`."""
    from tests.review.factories import compared_faces

    case = submitted_case(faces_compared=False, ocr_matched=True, **fields)
    with_ocr(case)
    match = None
    if state is not None:
        page = case.documents.get(kind="passport_page")
        holding = case.documents.get(kind="holding_photo")
        match = compared_faces(case, page, holding, state=state, verdict="", score=None)
    return case, match


def _face_keys(case):
    return [s.key for s in open_signals(case) if s.kind == "face"]


def test_faces_compared_clean_let_auto_approval_pass(settings):
    from verification.approval import approve_automatically

    settings.KYC_AUTO_APPROVE = True
    case = submitted_case(ocr_matched=True)  # its faces compared: a clear match
    with_ocr(case)
    assert _face_keys(case) == []
    assert approve_automatically(case.pk) is True


@pytest.mark.parametrize(
    ("state", "key"),
    [(None, "face:not-compared"), ("failed", "face:failed:{pk}")],
    ids=["evidence from before face matching", "the match failed"],
)
def test_faces_not_compared_are_a_signal_that_blocks_auto_approval(
    settings, reviewer_client, state, key
):
    from verification.approval import approve_automatically

    settings.KYC_AUTO_APPROVE = True
    case, match = _uncompared(state)
    assert _face_keys(case) == [key.format(pk=match.pk if match else "")]
    assert "Faces not compared" in open_signals(case)[0].title
    assert approve_automatically(case.pk) is False
    case.refresh_from_db()
    assert case.status == Status.PROVIDED
    html = reviewer_client.get(reverse("review:detail", args=[case.pk])).content.decode()
    assert "Not compared" in html and "Being compared" not in html
    assert "The faces are being compared" not in html


@pytest.mark.parametrize("state", ["pending", "running"])
def test_faces_being_compared_say_so_and_auto_approval_waits_for_them(
    settings, reviewer_client, state
):
    from identity.models import FaceMatch
    from verification.approval import approve_automatically

    settings.KYC_AUTO_APPROVE = True
    case, match = _uncompared(state)
    signals = [s for s in open_signals(case) if s.kind == "face"]
    assert [s.key for s in signals] == ["face:unfinished"]
    assert "being compared" in signals[0].title and "not compared" not in signals[0].title
    html = reviewer_client.get(reverse("review:detail", args=[case.pk])).content.decode()
    assert "Being compared" in html and "Not compared" not in html
    assert "The faces are being compared: reload this page" in html
    assert approve_automatically(case.pk) is False
    # It finishes clean: nothing is left open and auto-approval passes the case.
    FaceMatch.objects.filter(pk=match.pk).update(
        state=FaceMatch.State.DONE, verdict=FaceMatch.Verdict.MATCH, score=0.7
    )
    assert _face_keys(case) == []
    assert approve_automatically(case.pk) is True


def test_a_match_that_never_finishes_becomes_faces_not_compared(settings, reviewer_client):
    import datetime

    from django.utils import timezone

    from identity.models import FaceMatch
    from identity.selectors import STALLED_AFTER
    from verification.approval import approve_automatically

    settings.KYC_AUTO_APPROVE = True
    case, match = _uncompared("pending")
    long_ago = timezone.now() - STALLED_AFTER - datetime.timedelta(minutes=1)
    FaceMatch.objects.filter(pk=match.pk).update(created_at=long_ago)
    assert _face_keys(case) == [f"face:stalled:{match.pk}"]
    assert approve_automatically(case.pk) is False
    html = reviewer_client.get(reverse("review:detail", args=[case.pk])).content.decode()
    assert "Not compared" in html and "Being compared" not in html


def test_a_faces_not_compared_signal_is_explained_before_pass(reviewer):
    verification, _ = _uncompared()
    services.claim(verification.pk, reviewer)
    with pytest.raises(DecisionRefused):
        services.record_decision(
            verification.pk, "pass", reviewer=reviewer,
            evidence_version=verification.evidence_version, accept_documents=True,
        )  # fmt: skip
    _pass_explaining_every_signal(verification, reviewer, "Compared the faces by eye")


def _pass_explaining_every_signal(verification, reviewer, reason):
    """Pass, with `reason` given for every open signal; the case must then be Passed."""
    reasons = {s.key: reason for s in open_signals(verification)}
    services.record_decision(
        verification.pk, "pass", reviewer=reviewer, accept_documents=True,
        evidence_version=verification.evidence_version, acknowledgements=reasons,
    )  # fmt: skip
    verification.refresh_from_db()
    assert verification.status == Status.PASSED
