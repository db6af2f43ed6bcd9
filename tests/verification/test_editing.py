"""Drafts change freely; a submitted application does not, until staff ask for a supplement."""

import datetime

import pytest
from django.urls import reverse

from tests.factories import DocumentFactory, VerificationFactory, png_bytes
from verification import services
from verification.models import Document, Status, StatusChange, Verification
from verification.status import change_status

from .conftest import upload
from .test_submission import complete_passport_draft

pytestmark = pytest.mark.django_db

FUTURE = (datetime.date.today() + datetime.timedelta(days=900)).isoformat()


def _details(**overrides):
    data = {
        "surname": "DOE",
        "given_names": "JANE",
        "sex": "F",
        "date_of_birth": "1990-05-17",
        "document_number": "P1234567",
        "nationality": "GB",
        "expiry_date": FUTURE,
    }
    data.update(overrides)
    return data


def test_details_can_be_changed_any_time_before_submission(customer_client, customer):
    verification = VerificationFactory(user=customer, surname="DOE")
    version = verification.evidence_version
    assert (
        customer_client.post(reverse("verification:details"), _details(surname="ROE")).status_code
        == 302
    )
    customer_client.post(reverse("verification:details"), _details(surname="SMITH"))
    verification.refresh_from_db()
    assert verification.surname == "SMITH"
    assert verification.evidence_version == version + 2


def test_saving_unchanged_details_keeps_the_version(customer_client, customer):
    verification = VerificationFactory(user=customer)
    customer_client.post(reverse("verification:details"), _details(
        surname=verification.surname, document_number=verification.document_number,
        expiry_date=verification.expiry_date.isoformat()))  # fmt: skip
    assert Verification.objects.get(pk=verification.pk).evidence_version == 1


def test_expired_passport_is_refused_with_a_clear_message(customer_client, customer):
    verification = VerificationFactory(user=customer, surname="DOE")
    response = customer_client.post(
        reverse("verification:details"), _details(surname="NEW", expiry_date="2020-01-31")
    )
    assert response.status_code == 400
    assert "This document expired on 2020-01-31." in response.content.decode()
    assert Verification.objects.get(pk=verification.pk).surname == "DOE"


def test_minor_is_refused(customer_client, customer):
    VerificationFactory(user=customer)
    birth = datetime.date.today().replace(year=datetime.date.today().year - 17)
    response = customer_client.post(
        reverse("verification:details"), _details(date_of_birth=birth.isoformat())
    )
    assert response.status_code == 400
    assert "You must be at least 18 years old" in response.content.decode()


def test_document_number_must_fit_the_document_type(customer_client, customer):
    VerificationFactory(user=customer)
    response = customer_client.post(reverse("verification:details"), _details(document_number="12"))
    assert response.status_code == 400
    assert "This does not look like a passport number" in response.content.decode()


def test_others_documents_need_an_address(customer_client, customer):
    VerificationFactory(user=customer, document_type="national_id")
    response = customer_client.post(reverse("verification:details"), _details())
    assert response.status_code == 400
    response = customer_client.post(
        reverse("verification:details"), _details(address="1 High Street, Leeds")
    )
    assert response.status_code == 302


def test_names_must_be_letters(customer_client, customer):
    VerificationFactory(user=customer)
    response = customer_client.post(reverse("verification:details"), _details(surname="D0E"))
    assert response.status_code == 400
    assert "Use letters only" in response.content.decode()


def _submitted(customer):
    verification = complete_passport_draft(customer)
    services.submit(verification, actor=customer, declared=True)
    verification.refresh_from_db()
    assert verification.status == Status.PROVIDED
    return verification


@pytest.mark.parametrize(
    "url_name, data",
    [
        ("details", _details(surname="CHANGED")),
        (
            "certificate",
            {"account_type": "individual", "nationality": "FR", "document_choice": "passport"},
        ),  # fmt: skip
        ("documents", None),
    ],
)
def test_direct_post_after_submission_is_refused_and_changes_nothing(
    customer_client, customer, url_name, data
):
    verification = _submitted(customer)
    before = Verification.objects.values().get(pk=verification.pk)
    documents = Document.objects.count()
    if data is None:
        data = {"kind": "passport_page", "file": upload(png_bytes())}
    response = customer_client.post(reverse(f"verification:{url_name}"), data)
    assert response.status_code == 409
    assert "This application can no longer be changed" in response.content.decode()
    assert Verification.objects.values().get(pk=verification.pk) == before
    assert Document.objects.count() == documents


def test_services_refuse_edits_after_submission(customer):
    verification = _submitted(customer)
    with pytest.raises(services.ApplicationLocked):
        services.save_details(verification, {"surname": "X"}, actor=customer)
    with pytest.raises(services.ApplicationLocked):
        services.add_document(verification, "holding_photo", upload(png_bytes()), actor=customer)


def _supplement_requested(customer, items):
    verification = _submitted(customer)
    change_status(verification.pk, Status.UNDER_REVIEW)
    verification.requested_items = items
    verification.save(update_fields=["requested_items"])
    return change_status(verification.pk, Status.SUPPLEMENT_REQUESTED, reason="test")


def test_supplement_allows_exactly_the_requested_items(customer_client, customer):
    verification = _supplement_requested(customer, ["document:holding_photo", "field:surname"])
    version = Verification.objects.get(pk=verification.pk).evidence_version

    # A field staff did not ask for is refused by the service...
    with pytest.raises(services.ItemNotRequested):
        services.save_details(verification, {"document_number": "Z1234567"}, actor=customer)
    # ...and ignored by the form, whose other fields are disabled.
    data = _details(surname="CORRECTED", document_number="Z1234567",
                    date_of_birth=verification.date_of_birth.isoformat(),
                    expiry_date=verification.expiry_date.isoformat())  # fmt: skip
    assert customer_client.post(reverse("verification:details"), data).status_code == 302
    verification.refresh_from_db()
    assert verification.surname == "CORRECTED"
    assert verification.document_number != "Z1234567"

    response = customer_client.post(
        reverse("verification:documents"), {"kind": "passport_page", "file": upload(png_bytes())}
    )
    assert response.status_code == 409
    response = customer_client.post(
        reverse("verification:documents"), {"kind": "holding_photo", "file": upload(png_bytes())}
    )
    assert response.status_code == 302
    assert verification.documents.filter(kind="holding_photo").count() == 2
    assert Verification.objects.get(pk=verification.pk).evidence_version == version + 2


def test_supplement_resubmission_keeps_the_case_under_review_back_in_the_queue(
    customer_client, customer
):
    verification = _supplement_requested(customer, ["field:surname"])
    # Typed as printed; the MRZ's capitals still agree after normalisation.
    services.save_details(verification, {"surname": "Doe"}, actor=customer)
    response = customer_client.post(
        reverse("verification:review"), {"action": "submit", "declaration": "yes"}
    )
    assert response.status_code == 302
    verification.refresh_from_db()
    assert verification.status == Status.UNDER_REVIEW
    assert verification.assigned_to is None and verification.supplement_returned is True
    last = StatusChange.objects.filter(verification=verification).last()
    assert (last.old, last.new) == (Status.SUPPLEMENT_REQUESTED, Status.UNDER_REVIEW)
    assert last.reason.startswith("Supplement provided.")
    history = list(
        StatusChange.objects.filter(verification=verification).values_list("new", flat=True)
    )
    assert Status.PROVIDED not in history[1:]  # "Provided" once, at the first submission


def test_a_second_application_keeps_the_history_of_the_first(customer_client, customer):
    first = _submitted(customer)
    change_status(first.pk, Status.UNDER_REVIEW)
    change_status(first.pk, Status.REJECTED, may_retry=True)
    assert services.may_start_new(customer)
    data = {"account_type": "individual", "nationality": "GB", "document_choice": "passport"}
    customer_client.post(reverse("verification:certificate"), data)
    assert Verification.objects.filter(user=customer).count() == 2
    page = customer_client.get(reverse("verification:status")).content.decode()
    assert "Earlier applications" in page


def test_final_rejection_does_not_allow_a_new_application(customer_client, customer):
    first = _submitted(customer)
    change_status(first.pk, Status.UNDER_REVIEW)
    change_status(first.pk, Status.REJECTED, may_retry=False)
    response = customer_client.get(reverse("verification:start"))
    assert response.url == reverse("verification:status")
    data = {"account_type": "individual", "nationality": "GB", "document_choice": "passport"}
    customer_client.post(reverse("verification:certificate"), data)
    assert Verification.objects.filter(user=customer).count() == 1


def test_changing_to_others_drops_the_passport_page(customer_client, customer):
    verification = VerificationFactory(user=customer)
    page = DocumentFactory(verification=verification, kind="passport_page")
    data = {"account_type": "individual", "nationality": "GB", "document_choice": "others",
            "other_document_type": "driving_licence"}  # fmt: skip
    customer_client.post(reverse("verification:certificate"), data)
    page.refresh_from_db()
    assert page.superseded_at is not None
    assert services.required_document_kinds(Verification.objects.get(pk=verification.pk)) == [
        "id_front", "id_back", "holding_photo"]  # fmt: skip


def test_organization_needs_its_details_and_registration_document(customer_client, customer):
    data = {"account_type": "organization", "nationality": "GB", "document_choice": "passport"}
    response = customer_client.post(reverse("verification:certificate"), data)
    assert response.status_code == 400
    data.update(organization_name="Acme Mining Ltd", organization_registration_number="0123456",
                organization_country="GB")  # fmt: skip
    assert customer_client.post(reverse("verification:certificate"), data).status_code == 302
    verification = Verification.objects.get(user=customer)
    assert "business_registration" in services.required_document_kinds(verification)


def test_every_wizard_page_renders(customer_client, customer):
    complete_passport_draft(customer)
    for name in ("certificate", "documents", "details", "review", "status"):
        response = customer_client.get(reverse(f"verification:{name}"))
        assert response.status_code == 200, name


# --- invisible characters (a right-to-left override once disguised a reviewer's case header) ---

RLO = "\u202e"
ORGANIZATION = {
    "account_type": "organization",
    "organization_name": "Acme Mining Ltd",
    "organization_registration_number": "0123456",
    "organization_country": "GB",
}


@pytest.mark.parametrize(
    ("step", "field", "typed"),
    [
        ("certificate", "organization_name", f"Acme Mining Ltd{RLO}85:41 20-21-6202"),
        ("certificate", "organization_registration_number", f"0123{RLO}456"),
        ("details", "surname", f"DOE{RLO}"),
        ("details", "given_names", f"JANE{RLO} ANN"),
        ("details", "document_number", f"AB{RLO}123456"),
        ("details", "address", f"1 High Street{RLO}\nLeeds"),
    ],
)
def test_an_invisible_character_in_any_typed_field_is_refused_and_saves_nothing(
    customer_client, customer, step, field, typed
):
    verification = VerificationFactory(
        user=customer, document_type="national_id", address="1 High Street, Leeds", **ORGANIZATION
    )
    before = Verification.objects.values().get(pk=verification.pk)
    if step == "certificate":
        data = {**ORGANIZATION, "nationality": "GB", "document_choice": "others",
                "other_document_type": "national_id"}  # fmt: skip
    else:
        data = _details(document_number="AB123456", address="1 High Street, Leeds")
    data[field] = typed

    response = customer_client.post(reverse(f"verification:{step}"), data)

    assert response.status_code == 400
    assert response.context["form"].errors[field] == [
        "This contains an invisible character (U+202E), such as a text-direction mark or a "
        "zero-width space, which is not allowed. It often comes with copied text: please clear "
        "the field and type the text again."
    ]
    assert "contains an invisible character (U+202E)" in response.content.decode()
    assert Verification.objects.values().get(pk=verification.pk) == before


def test_the_invisible_character_message_is_translated(customer_client, customer):
    VerificationFactory(user=customer)
    customer_client.cookies["django_language"] = "zh-hans"
    response = customer_client.post(reverse("verification:details"), _details(surname=f"DOE{RLO}"))
    assert response.status_code == 400
    assert "此处包含不可见字符（U+202E）" in response.content.decode()


def test_a_multi_line_address_keeps_its_line_breaks(customer_client, customer):
    verification = VerificationFactory(user=customer, document_type="national_id")
    address = "1 High Street\r\nLeeds\tLS1 1AA"
    response = customer_client.post(reverse("verification:details"), _details(address=address))
    assert response.status_code == 302
    assert Verification.objects.get(pk=verification.pk).address == address


def test_a_stored_value_the_customer_may_not_change_does_not_block_a_supplement(
    customer_client, customer
):
    # An address stored before the check existed; staff asked only for the surname.
    verification = _supplement_requested(customer, ["field:surname"])
    legacy_address = f"1 High Street{RLO}, Leeds"
    Verification.objects.filter(pk=verification.pk).update(
        document_type="national_id", address=legacy_address
    )
    data = _details(surname="CORRECTED", date_of_birth=verification.date_of_birth.isoformat(),
                    expiry_date=verification.expiry_date.isoformat())  # fmt: skip

    response = customer_client.post(reverse("verification:details"), data)

    assert response.status_code == 302
    after = Verification.objects.get(pk=verification.pk)
    assert (after.surname, after.address) == ("CORRECTED", legacy_address)
