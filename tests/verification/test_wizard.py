"""The wizard, step by step, through the Django test client."""

import datetime

import pytest
from django.urls import reverse

from verification.models import OcrResult, Status, StatusChange, Verification

from .conftest import generated_passport, typed_from_truth, upload

pytestmark = pytest.mark.django_db

STEP1_PASSPORT = {"account_type": "individual", "nationality": "GB", "document_choice": "passport"}


def _details(**overrides):
    data = {
        "surname": "DOE",
        "given_names": "JANE",
        "sex": "F",
        "date_of_birth": "1990-05-17",
        "document_number": "P1234567",
        "nationality": "GB",
        "expiry_date": (datetime.date.today() + datetime.timedelta(days=900)).isoformat(),
    }
    data.update(overrides)
    return data


def _upload(client, kind, content):
    return client.post(reverse("verification:documents"), {"kind": kind, "file": upload(content)})


def test_start_sends_a_new_customer_to_step_one(customer_client):
    response = customer_client.get(reverse("verification:start"))
    assert response.status_code == 302
    assert response.url == reverse("verification:certificate")
    assert not Verification.objects.exists()  # nothing is created by looking


def test_step_one_saves_a_draft(customer_client, customer):
    response = customer_client.post(reverse("verification:certificate"), STEP1_PASSPORT)
    assert response.status_code == 302
    verification = Verification.objects.get(user=customer)
    assert verification.status == Status.DRAFT
    assert (
        verification.account_type,
        str(verification.nationality),
        verification.document_type,
    ) == (
        "individual",
        "GB",
        "passport",
    )


def test_step_one_others_needs_the_document_kind(customer_client, customer):
    data = {**STEP1_PASSPORT, "document_choice": "others"}
    response = customer_client.post(reverse("verification:certificate"), data)
    assert response.status_code == 400
    assert "Choose which document you will use." in response.content.decode()
    assert not Verification.objects.exists()
    data["other_document_type"] = "national_id"
    customer_client.post(reverse("verification:certificate"), data)
    assert Verification.objects.get(user=customer).document_type == "national_id"


def test_china_passport_is_refused_before_any_upload(customer_client, customer):
    data = {**STEP1_PASSPORT, "nationality": "CN"}
    response = customer_client.post(reverse("verification:certificate"), data)
    assert response.status_code == 400
    assert (
        "Mainland Chinese passports are temporarily unable to pass KYC" in response.content.decode()
    )
    verification = Verification.objects.filter(user=customer).first()
    assert verification is None or not verification.document_type


def test_whole_wizard_with_a_generated_passport_matches_and_submits(
    customer_client, customer, django_capture_on_commit_callbacks
):
    image, truth = generated_passport()
    customer_client.post(reverse("verification:certificate"), STEP1_PASSPORT)
    with django_capture_on_commit_callbacks(execute=True):
        assert _upload(customer_client, "passport_page", image).status_code == 302
    ocr = OcrResult.objects.get(document__kind="passport_page")
    assert ocr.state == OcrResult.State.DONE and ocr.valid  # tasks run inline in tests

    page = customer_client.get(reverse("verification:details")).content.decode()
    assert f'value="{truth["surname"]}"' in page  # pre-filled from the MRZ
    assert f'value="{truth["number"]}"' in page

    from tests.factories import png_bytes

    _upload(customer_client, "holding_photo", png_bytes())
    response = customer_client.post(reverse("verification:details"), typed_from_truth(truth))
    assert response.status_code == 302, response.content.decode()[:3000]
    response = customer_client.post(
        reverse("verification:review"), {"action": "submit", "declaration": "yes"}
    )
    assert response.status_code == 302
    verification = Verification.objects.get(user=customer)
    assert verification.status == Status.PROVIDED
    assert verification.ocr_matched is True and verification.ocr_mismatch is False
    assert verification.submitted_at and verification.sla_due_at > verification.submitted_at
    change = StatusChange.objects.get(verification=verification)
    assert (change.old, change.new, change.actor) == (Status.DRAFT, Status.PROVIDED, customer)


@pytest.mark.parametrize(
    ("valid", "trusted", "says"),
    [
        (True, ["number", "surname"], "Recognised."),
        (False, ["number", "date_of_birth"], "Partly recognised"),
        (False, [], "Could not be recognised automatically"),
    ],
)
def test_the_documents_page_says_how_much_of_the_page_was_read(
    customer_client, customer, valid, trusted, says
):
    # A reading with trusted fields but an unsure name is most of the way there: the customer
    # is not told it failed, only to type the rest exactly as printed.
    from tests.factories import DocumentFactory, VerificationFactory

    verification = VerificationFactory(user=customer)
    page = DocumentFactory(verification=verification, kind="passport_page")
    OcrResult.objects.create(
        document=page, state=OcrResult.State.DONE, valid=valid, trusted_fields=trusted
    )

    html = customer_client.get(reverse("verification:documents")).content.decode()

    assert says in html
