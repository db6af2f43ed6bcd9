"""Risk signals and what a pass needs: accepted documents, every signal explained."""

import pytest
from django.urls import reverse
from django.utils import timezone

from audit.models import AuditEvent
from review import services
from review.models import ReviewDecision, SignalAcknowledgement
from review.signals import open_signals, signals_for
from tests.factories import UserFactory
from verification.models import Document, PolicyRule, Status, Verification

from .factories import submitted_case, with_ocr

pytestmark = pytest.mark.django_db


def _claimed(reviewer, **fields):
    case = submitted_case(**fields)
    return services.claim(case.pk, reviewer)


def _pass(case, reviewer, **kwargs):
    kwargs.setdefault("accept_documents", True)
    return services.record_decision(
        case.pk, "pass", reviewer=reviewer, evidence_version=case.evidence_version, **kwargs
    )


def test_a_clean_case_has_no_signal_and_passes_with_accept_all(reviewer):
    case = _claimed(reviewer)
    with_ocr(case)
    assert signals_for(case) == []
    decision = _pass(case, reviewer)
    case.refresh_from_db()
    assert case.status == Status.PASSED
    assert decision.customer_message == "Your real-name authentication has passed. Thank you."
    states = set(case.documents.values_list("review_state", flat=True))
    assert states == {Document.ReviewState.ACCEPTED}
    marks = AuditEvent.objects.filter(verification=case, action=AuditEvent.Action.DOCUMENT_MARKED)
    assert marks.count() == 2 and all(event.detail["accept_all"] for event in marks)


def test_signals_list_a_differing_field_a_policy_hit_and_duplicates(reviewer):
    case = _claimed(reviewer)
    with_ocr(case, surname="DOEE")
    PolicyRule.objects.create(
        country="GB",
        severity=PolicyRule.Severity.WARN,
        message_en="British passports need a second look.",
        message_zh_hans="英国护照需要再次查看。",
    )
    twin = submitted_case(
        document_number=case.document_number, document_number_hash=case.document_number_hash
    )
    keys = [signal.key for signal in open_signals(case)]
    rule = PolicyRule.objects.get(country="GB")
    assert keys == ["field:surname", f"policy:{rule.pk}", f"duplicate:{twin.pk}"]
    titles = [signal.title for signal in open_signals(case)]
    assert titles[0] == "Surname: typed differs from the document"
    assert titles[1] == "Policy: British passports need a second look."


def test_an_erased_accounts_kept_record_with_the_same_document_is_a_signal(reviewer):
    from privacy.models import ErasureRequest

    case = _claimed(reviewer)
    kept = submitted_case(
        status=Status.REJECTED,
        document_number=case.document_number,
        document_number_hash=case.document_number_hash,
    )
    ErasureRequest.objects.create(user=kept.user, completed_at=timezone.now())
    [signal] = open_signals(case)
    assert signal.key == f"duplicate:{kept.pk}"
    assert "erased account" in signal.title


def test_a_late_reading_that_differs_is_a_signal_saying_so(reviewer):
    case = _claimed(reviewer)
    with_ocr(case, number="X9999999")
    Verification.objects.filter(pk=case.pk).update(
        ocr_matched=False, ocr_compared_late_at=timezone.now()
    )
    case.refresh_from_db()
    [signal] = open_signals(case)
    assert signal.key == "field:document_number"
    assert "read after submission" in signal.title


def test_pass_is_refused_while_a_signal_is_open_and_nothing_is_saved(reviewer):
    case = _claimed(reviewer)
    with_ocr(case, surname="DOEE")
    with pytest.raises(services.DecisionRefused) as refused:
        _pass(case, reviewer)
    assert "Signals not acknowledged: Surname: typed differs from the document" in str(
        refused.value
    )
    case.refresh_from_db()
    assert case.status == Status.UNDER_REVIEW
    assert not ReviewDecision.objects.exists()
    assert not SignalAcknowledgement.objects.exists()
    # "Accept all" is part of the refused pass: no document was marked either.
    assert set(case.documents.values_list("review_state", flat=True)) == {"pending"}


def test_an_empty_reason_does_not_acknowledge(reviewer):
    case = _claimed(reviewer)
    with_ocr(case, surname="DOEE")
    with pytest.raises(services.DecisionRefused, match="Signals not acknowledged"):
        _pass(case, reviewer, acknowledgements={"field:surname": "   "})


def test_pass_with_every_signal_acknowledged_stores_the_reasons(reviewer):
    case = _claimed(reviewer)
    with_ocr(case, surname="DOEE")
    reason = "OCR doubled the E; the photo page reads DOE."
    decision = _pass(case, reviewer, acknowledgements={"field:surname": reason, "bogus": "x"})
    case.refresh_from_db()
    assert case.status == Status.PASSED
    ack = SignalAcknowledgement.objects.get()
    assert (ack.key, ack.reason, ack.reviewer, ack.decision) == (
        "field:surname",
        reason,
        reviewer,
        decision,
    )
    assert ack.evidence_version == case.evidence_version
    event = AuditEvent.objects.get(action=AuditEvent.Action.SIGNAL_ACKNOWLEDGED)
    assert event.detail == {
        "signal": "field:surname",
        "acknowledgement": ack.pk,
        "evidence_version": case.evidence_version,
    }
    assert signals_for(case)[0].acknowledgement == ack
    with pytest.raises(ValueError):
        ack.save()  # append-only


def test_an_acknowledgement_of_older_evidence_no_longer_counts(reviewer):
    case = _claimed(reviewer)
    with_ocr(case, surname="DOEE")
    SignalAcknowledgement.objects.create(
        verification=case,
        key="field:surname",
        title="Surname",
        reason="fine",
        evidence_version=case.evidence_version,
        reviewer=reviewer,
    )
    assert open_signals(case) == []
    Verification.objects.filter(pk=case.pk).update(evidence_version=case.evidence_version + 1)
    case.refresh_from_db()
    assert [signal.key for signal in open_signals(case)] == ["field:surname"]


def test_a_document_marked_for_re_upload_stops_accept_all_and_pass(reviewer):
    case = _claimed(reviewer)
    photo = case.documents.get(kind=Document.Kind.HOLDING_PHOTO)
    services.mark_document(
        photo.pk,
        Document.ReviewState.REUPLOAD_NEEDED,
        reviewer=reviewer,
        reason="Face cut off",
        evidence_version=case.evidence_version,
    )
    with pytest.raises(services.DecisionRefused, match="re-upload needed.*Photo holding"):
        _pass(case, reviewer)
    with pytest.raises(services.DecisionRefused, match="Documents not accepted yet"):
        _pass(case, reviewer, accept_documents=False)
    case.refresh_from_db()
    assert case.status == Status.UNDER_REVIEW


def test_rejections_and_supplement_requests_need_no_acknowledgement(reviewer):
    case = _claimed(reviewer)
    with_ocr(case, surname="DOEE")
    services.record_decision(
        case.pk,
        "supplement",
        reviewer=reviewer,
        evidence_version=case.evidence_version,
        requested_items=["field:surname"],
    )
    other = _claimed(reviewer)
    with_ocr(other, surname="DOEE")
    services.record_decision(
        other.pk,
        "reject",
        reviewer=reviewer,
        evidence_version=other.evidence_version,
        reasons=["inconsistent"],
        customer_message="Your real-name authentication was not approved: the surname differs.",
    )
    assert Verification.objects.get(pk=case.pk).status == Status.SUPPLEMENT_REQUESTED
    assert Verification.objects.get(pk=other.pk).status == Status.REJECTED


# --- the message follows the outcome ------------------------------------------------------------


def test_a_supplement_request_refuses_a_rejection_text(reviewer):
    case = _claimed(reviewer)
    with pytest.raises(services.DecisionRefused, match="reads like “Reject”"):
        services.record_decision(
            case.pk,
            "supplement",
            reviewer=reviewer,
            evidence_version=case.evidence_version,
            requested_items=["document:holding_photo"],
            customer_message="Your real-name authentication was not approved: Photo missing.",
        )
    case.refresh_from_db()
    assert case.status == Status.UNDER_REVIEW and not ReviewDecision.objects.exists()


def test_a_pass_refuses_a_rejection_text_and_a_rejection_a_pass_text(reviewer):
    case = _claimed(reviewer)
    with pytest.raises(services.DecisionRefused, match="reads like “Reject”"):
        _pass(case, reviewer, customer_message="Your real-name authentication was not approved.")
    with pytest.raises(services.DecisionRefused, match="reads like “Pass”"):
        services.record_decision(
            case.pk,
            "reject",
            reviewer=reviewer,
            evidence_version=case.evidence_version,
            reasons=["expired"],
            customer_message="Your real-name authentication has passed.",
        )


def test_an_empty_supplement_message_says_what_to_re_upload_and_re_enter(reviewer):
    case = _claimed(reviewer)
    decision = services.record_decision(
        case.pk,
        "supplement",
        reviewer=reviewer,
        evidence_version=case.evidence_version,
        requested_items=["document:holding_photo", "field:surname"],
    )
    assert decision.customer_message == (
        "We need a little more from you before we can finish your review. "
        "Please upload a new picture of: Photo holding the document. "
        "Please enter again, exactly as printed on your document: Surname. "
        "Then submit your application again."
    )


def test_the_supplement_message_is_in_the_customers_language(reviewer):
    customer = UserFactory(preferred_language="zh-hans")
    case = _claimed(reviewer, user=customer)
    decision = services.record_decision(
        case.pk,
        "supplement",
        reviewer=reviewer,
        evidence_version=case.evidence_version,
        requested_items=["document:holding_photo"],
    )
    assert "手持证件照片" in decision.customer_message or "照片" in decision.customer_message
    assert "not approved" not in decision.customer_message
    # A Chinese rejection text is caught as well as the English one.
    other = _claimed(reviewer, user=UserFactory(preferred_language="zh-hans"))
    with pytest.raises(services.DecisionRefused):
        services.record_decision(
            other.pk,
            "supplement",
            reviewer=reviewer,
            evidence_version=other.evidence_version,
            requested_items=["document:holding_photo"],
            customer_message="您的实名认证未通过：照片缺失。",
        )


def test_an_unsure_surname_is_no_signal_and_shows_its_doubtful_characters(reviewer):
    from review.signals import compare_with_ocr
    from verification.models import OcrResult

    case = _claimed(reviewer)
    ocr = with_ocr(case, surname="DOEE")
    ocr.raw_text = "P<GBRDOEE<<JANE<<<<<<<<<<<<<<<<<<<<<<<<<<<<<\n" + "1" * 44
    ocr.trusted_fields = ["names", "number", "date_of_birth", "expiration_date", "sex"]
    ocr.unsure_positions = [[0, 8]]  # the second E of DOEE
    ocr.valid = False
    ocr.save()
    assert "field:surname" not in [signal.key for signal in open_signals(case)]
    rows = {row.name: row for row in compare_with_ocr(case, OcrResult.objects.get(pk=ocr.pk))}
    surname = rows["surname"]
    assert surname.unsure and not surname.differs
    assert surname.read_parts == (("DOE", False), ("E", True))
    assert not rows["given_names"].unsure


def test_a_french_1994_cards_missing_expiry_is_shown_as_such_and_never_differs(reviewer, client):
    from review.signals import compare_with_ocr
    from verification.models import OcrResult

    case = _claimed(reviewer)
    ocr = with_ocr(case, mrz_type="FR-ID", expiration_date=None, nationality="FRA")
    ocr.mrz_type = "FR-ID"
    ocr.save()
    assert "field:expiry_date" not in [signal.key for signal in open_signals(case)]
    rows = {row.name: row for row in compare_with_ocr(case, OcrResult.objects.get(pk=ocr.pk))}
    expiry = rows["expiry_date"]
    assert expiry.absent and not expiry.differs and not expiry.unsure and expiry.read == ""
    assert not rows["document_number"].absent
    client.force_login(reviewer)
    page = client.get(reverse("review:detail", args=[case.pk])).content.decode()
    row = page[page.index('data-field="expiry_date"') :]
    assert "not in this document's MRZ" in row[: row.index("</tr>")]
