"""A customer downloads their data and asks for deletion, honoured except what retention keeps."""

import io
import json
import zipfile

import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.urls import reverse

from audit.models import AuditEvent
from notifications.models import Notification
from privacy.models import ErasureRequest
from tests.factories import PASSWORD, DocumentFactory, VerificationFactory, png_bytes
from verification.models import Document, Status, Verification

pytestmark = pytest.mark.django_db


def test_user_center_links_to_the_data_page(customer_client):
    page = customer_client.get(reverse("accounts:user_center")).content.decode()
    assert reverse("privacy:overview") in page


def test_customer_downloads_their_data_with_images(customer_client, customer):
    verification = VerificationFactory(user=customer, document_number="X1234567")
    image = png_bytes(400, 300)
    from django.core.files.base import ContentFile

    DocumentFactory(verification=verification, file=ContentFile(image, name="p.png"))
    VerificationFactory(document_number="SOMEONE-ELSE")  # another customer's

    response = customer_client.post(reverse("privacy:download"))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    assert "attachment" in response["Content-Disposition"]
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    data = json.loads(archive.read("data.json"))
    assert data["account"]["email"] == customer.email
    assert data["messages"] == []  # the inbox (empty here)
    [application] = data["applications"]
    assert application["document_number"] == "X1234567"
    assert application["date_of_birth"] == "1990-05-17"
    [document] = application["documents"]
    assert archive.read(document["file"]) == image  # decrypted for the customer
    assert b"SOMEONE-ELSE" not in response.content
    assert AuditEvent.objects.filter(action="data_export", subject=customer).count() == 1


def test_download_needs_post_and_sign_in(customer_client):
    from django.test import Client

    assert customer_client.get(reverse("privacy:download")).status_code == 405
    response = Client().post(reverse("privacy:download"))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_erasure_keeps_decided_applications_without_images(
    customer_client, customer, settings, django_capture_on_commit_callbacks
):
    from verification.status import change_status

    decided = VerificationFactory(user=customer, status=Status.UNDER_REVIEW)
    with django_capture_on_commit_callbacks(execute=True):
        change_status(decided.pk, Status.REJECTED, reason="test")
    assert Notification.objects.filter(user=customer).exists()
    decided_image = DocumentFactory(verification=decided)
    draft = VerificationFactory(user=customer, status=Status.DRAFT)
    draft_image = DocumentFactory(verification=draft)
    paths = [settings.PRIVATE_MEDIA_ROOT / d.file.name for d in (decided_image, draft_image)]

    with django_capture_on_commit_callbacks(execute=True):
        response = customer_client.post(
            reverse("privacy:erase"), {"password": PASSWORD, "confirm": "on"}, follow=True
        )

    assert response.redirect_chain[-1][0] == reverse("home")
    assert not response.wsgi_request.user.is_authenticated
    assert all(not path.exists() for path in paths)
    assert not Verification.objects.filter(pk=draft.pk).exists()
    decided.refresh_from_db()
    assert decided.status == Status.REJECTED
    # The record stays without what identifies the person; the keyed hash still matches.
    assert decided.document_number == "" and decided.surname == "" and decided.date_of_birth is None
    assert decided.document_number_hash
    assert decided.status_changes.count() == 1
    kept_image = Document.objects.get(pk=decided_image.pk)
    assert kept_image.file_deleted_at is not None and not kept_image.file

    user = get_user_model().objects.get(pk=customer.pk)
    assert user.email == f"erased-{user.pk}@erased.invalid"
    assert not user.is_active and not user.has_usable_password()
    assert not EmailAddress.objects.filter(user=user).exists()
    assert not Notification.objects.filter(user=user).exists()
    erasure = ErasureRequest.objects.get(user=user)
    assert (erasure.deleted_applications, erasure.deleted_images, erasure.kept_applications) == (
        1,
        2,
        1,
    )
    assert erasure.completed_at is not None
    event = AuditEvent.objects.get(action="data_erased", subject=user)
    assert event.detail == {
        "deleted_applications": 1,
        "deleted_images": 2,
        "kept_applications": 1,
        "withdrawn_applications": 0,
    }
    assert customer_client.login(email=customer.email, password=PASSWORD) is False


@pytest.mark.parametrize(
    ("form", "message"),
    [
        ({"password": "wrong-password-1", "confirm": "on"}, "That password is not correct."),
        ({"password": PASSWORD}, "Please tick the box to confirm the deletion."),
    ],
)
def test_erasure_refused_without_password_or_confirmation(customer_client, customer, form, message):
    verification = VerificationFactory(user=customer)
    response = customer_client.post(reverse("privacy:erase"), form)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert Verification.objects.filter(pk=verification.pk).exists()
    assert not ErasureRequest.objects.exists()
    customer.refresh_from_db()
    assert customer.is_active and customer.has_usable_password()


def test_staff_cannot_erase_their_account_from_the_portal(client, reviewer):
    client.force_login(reviewer)
    response = client.post(reverse("privacy:erase"), {"password": PASSWORD, "confirm": "on"})
    assert response.status_code == 302
    reviewer.refresh_from_db()
    assert reviewer.is_active
    assert not ErasureRequest.objects.exists()


# --- erasure while the case is being worked on ------------------------------------------------


def _erase(client, user, capture):
    client.force_login(user)
    with capture(execute=True):
        response = client.post(reverse("privacy:erase"), {"password": PASSWORD, "confirm": "on"})
    assert response.status_code == 302
    client.logout()


def _reviewed_case(customer, reviewer, **fields):
    from review import services as review
    from tests.review.factories import submitted_case, with_ocr

    case = submitted_case(user=customer, **fields)
    with_ocr(case)
    return review.claim(case.pk, reviewer)


def test_erasure_while_a_final_rejection_awaits_confirmation_keeps_decision_reasons_and_hash(
    client, customer, reviewer, supervisor, settings, django_capture_on_commit_callbacks
):
    from django.core import mail

    from notifications.models import OutgoingEmail
    from review import services as review
    from review.models import ReviewDecision
    from verification.models import OcrResult

    settings.KYC_REVIEW_FOUR_EYES = True
    case = _reviewed_case(
        customer, reviewer, surname="QUIMBY", given_names="ZELDA", address="1 Secret Lane"
    )
    number_hash = case.document_number_hash
    decision = review.record_decision(
        case.pk,
        "reject",
        reviewer=reviewer,
        evidence_version=case.evidence_version,
        customer_message="The photo does not match the passport.",
        internal_note="Second attempt with another person's passport.",
        reasons=["holding_photo", "risk"],
        final=True,
    )
    assert decision.state == ReviewDecision.State.AWAITING_CONFIRMATION
    images = [settings.PRIVATE_MEDIA_ROOT / d.file.name for d in case.documents.all()]
    mail.outbox.clear()

    _erase(client, customer, django_capture_on_commit_callbacks)

    case.refresh_from_db()
    # The application was closed through the status table, not removed.
    assert case.status == Status.WITHDRAWN
    assert case.assigned_to is None and case.claimed_at is None
    last = case.status_changes.last()
    assert (last.old, last.new, last.reason) == ("under_review", "withdrawn", "account erased")
    # What the operator must keep: the decision, its reasons and the keyed hash.
    decision.refresh_from_db()
    assert decision.state == ReviewDecision.State.AWAITING_CONFIRMATION
    assert decision.reasons == ["holding_photo", "risk"] and decision.final
    assert decision.customer_message == "The photo does not match the passport."
    assert case.document_number_hash == number_hash
    assert (case.nationality.code, case.document_type, case.account_type) == (
        "GB",
        "passport",
        "individual",
    )
    assert case.submitted_at is not None
    # What goes: typed details, OCR readings, images.
    assert (case.surname, case.given_names, case.document_number, case.address) == ("",) * 4
    assert case.date_of_birth is None and case.expiry_date is None and case.sex == ""
    ocr = OcrResult.objects.get(document__verification=case)
    assert ocr.fields_json == "" and ocr.raw_text == "" and ocr.valid
    assert all(not path.exists() for path in images)
    erasure = ErasureRequest.objects.get(user=customer)
    assert (erasure.kept_applications, erasure.withdrawn_applications) == (1, 1)
    assert erasure.deleted_applications == 0

    # The supervisor can still complete the four-eyes check; nobody is emailed.
    client.force_login(supervisor)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("review:confirm", args=[case.pk, decision.pk]), {"confirmed": "yes"}
        )
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.status == Status.REJECTED and case.decided_at is not None and not case.may_retry
    decision.refresh_from_db()
    assert decision.state == ReviewDecision.State.EFFECTIVE
    assert not Notification.objects.filter(verification=case).exists()
    assert not OutgoingEmail.objects.exists()
    assert mail.outbox == []


def test_re_registering_with_the_same_email_and_document_is_flagged_as_duplicate(
    client, customer, reviewer, settings, django_capture_on_commit_callbacks
):
    from review import services as review
    from verification import services as applications

    email = customer.email
    erased_case = _reviewed_case(
        customer,
        reviewer,
        document_number="P12345678",
        surname="QUIMBY",
        given_names="ZELDA",
        address="1 Secret Lane",
    )
    review.record_decision(
        erased_case.pk,
        "reject",
        reviewer=reviewer,
        evidence_version=erased_case.evidence_version,
        customer_message="Not approved.",
        reasons=["risk"],
    )
    erased_case.refresh_from_db()
    rejected_on = erased_case.decided_at
    _erase(client, customer, django_capture_on_commit_callbacks)

    # The same address signs up again at once: a new, unlinked account.
    response = client.post(
        reverse("account_signup"), {"email": email, "password1": PASSWORD, "password2": PASSWORD}
    )
    assert response.status_code == 302
    newcomer = get_user_model().objects.get(email=email)
    assert newcomer.pk != customer.pk
    client.force_login(newcomer)
    draft = VerificationFactory(user=newcomer, surname="SMITH", given_names="ANNA")
    for kind in ("passport_page", "holding_photo"):
        DocumentFactory(verification=draft, kind=kind)
    # Typed another way: the number is normalised before it is hashed.
    applications.save_details(draft, {"document_number": "p1234-5678"}, actor=newcomer)
    with django_capture_on_commit_callbacks(execute=True):
        assert applications.submit(
            draft, actor=newcomer, declared=True, confirm_mismatch=True
        ).submitted
    draft.refresh_from_db()
    assert draft.document_number_hash == erased_case.document_number_hash

    client.force_login(reviewer)
    page = client.get(reverse("review:detail", args=[draft.pk])).content.decode()

    day = f"{rejected_on:%Y-%m-%d}"
    assert (
        f"Same document as an erased account's application #{erased_case.pk} (rejected on {day})."
    ) in page
    # Nothing of the erased person reaches the page: no names, address or placeholder email.
    for text in ("QUIMBY", "ZELDA", "Secret Lane", "erased.invalid"):
        assert text not in page
    assert "The same document number was used by" not in page  # only live accounts are listed so


@pytest.mark.parametrize(
    "status", [Status.PROVIDED, Status.UNDER_REVIEW, Status.SUPPLEMENT_REQUESTED]
)
def test_erasing_an_account_with_a_case_in_review_withdraws_it_and_the_reviewer_is_told(
    client, customer, reviewer, status, django_capture_on_commit_callbacks
):
    from review.models import ReviewDecision
    from tests.review.factories import submitted_case

    case = submitted_case(user=customer)
    if status == Status.UNDER_REVIEW:
        from review import services as review

        case = review.claim(case.pk, reviewer)  # the reviewer has the case open
    else:
        Verification.objects.filter(pk=case.pk).update(status=status)
    history = case.status_changes.count()

    _erase(client, customer, django_capture_on_commit_callbacks)

    case.refresh_from_db()
    assert case.status == Status.WITHDRAWN and case.assigned_to is None
    assert case.status_changes.count() == history + 1
    # The open case page answers clearly.
    client.force_login(reviewer)
    page = client.get(reverse("review:detail", args=[case.pk]))
    assert page.status_code == 200
    text = page.content.decode()
    assert "The customer deleted their account on" in text
    assert "It was withdrawn undecided." in text
    assert 'id="decision-form"' not in text
    # A decision posted from the page opened before the erasure saves nothing.
    response = client.post(
        reverse("review:decide", args=[case.pk]),
        {"outcome": "pass", "evidence_version": case.evidence_version, "customer_message": "OK"},
    )
    assert response.status_code == 409
    assert "this application was withdrawn" in response.content.decode()
    assert not ReviewDecision.objects.filter(verification=case).exists()
    response = client.post(reverse("review:claim", args=[case.pk]), follow=True)
    assert "this application was withdrawn" in response.content.decode()
    case.refresh_from_db()
    assert case.status == Status.WITHDRAWN and case.assigned_to is None
    assert case.status_changes.count() == history + 1
    assert not case.status_changes.filter(new=Status.PASSED).exists()
