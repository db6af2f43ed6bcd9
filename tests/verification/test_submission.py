"""Submitting: completeness, the typed-vs-MRZ check and its prompt, locking, double submit,
supplements and AUTO_APPROVE."""

import datetime
import json
import threading

import pytest
from django.urls import reverse

from tests.factories import DocumentFactory, VerificationFactory
from tests.review.factories import compared_faces
from verification import services
from verification.models import Document, OcrResult, PolicyRule, Status, StatusChange, Verification
from verification.mrz.parse import TRUSTABLE_FIELDS

pytestmark = pytest.mark.django_db

FUTURE = datetime.date.today() + datetime.timedelta(days=2000)


def _mrz_fields(v: Verification, **overrides) -> dict:
    fields = {
        "mrz_type": "TD3",
        "document_type": "P",
        "country": "GBR",
        "number": v.document_number,
        "date_of_birth": v.date_of_birth.isoformat(),
        "expiration_date": v.expiry_date.isoformat(),
        "nationality": "GBR",
        "sex": v.sex,
        "surname": v.surname,
        "names": v.given_names,
        "valid": True,
    }
    fields.update(overrides)
    return fields


def complete_passport_draft(user, read=True, trusted=TRUSTABLE_FIELDS, **mrz_overrides):
    """A filled-in passport draft whose data page was read with the given MRZ fields, the
    `trusted` ones vouched for by the reader."""
    verification = VerificationFactory(user=user, expiry_date=FUTURE)
    page = DocumentFactory(verification=verification, kind=Document.Kind.PASSPORT_DATA_PAGE)
    holding = DocumentFactory(verification=verification, kind=Document.Kind.HOLDING_PHOTO)
    compared_faces(verification, page, holding)  # as the upload's face match leaves them
    if read:
        OcrResult.objects.create(
            document=page,
            state=OcrResult.State.DONE,
            mrz_type="TD3",
            valid=set(trusted) == set(TRUSTABLE_FIELDS),
            trusted_fields=list(trusted),
            fields_json=json.dumps(_mrz_fields(verification, **mrz_overrides)),
        )
    return verification


def _submit(client, action="submit"):
    return client.post(reverse("verification:review"), {"action": action, "declaration": "yes"})


def test_matching_details_submit_as_ocr_matched(customer_client, customer):
    verification = complete_passport_draft(customer)
    response = _submit(customer_client)
    assert response.status_code == 302 and response.url == reverse("verification:status")
    verification.refresh_from_db()
    assert verification.status == Status.PROVIDED
    assert (verification.ocr_matched, verification.ocr_mismatch) == (True, False)
    assert StatusChange.objects.get(verification=verification).reason == "Submitted; OCR matched"


def test_customer_sees_provided_after_submission(customer_client, customer):
    complete_passport_draft(customer)
    _submit(customer_client)
    page = customer_client.get(reverse("verification:status")).content.decode()
    assert ">Provided<" in page


def test_mismatch_shows_both_values_and_exactly_two_buttons(customer_client, customer):
    verification = complete_passport_draft(customer, surname="MUELLER", names="JORG")
    verification.surname, verification.given_names = "Müller", "Jörg"
    verification.save()
    # "Müller" typed, "MUELLER" read: the ICAO transliteration makes them agree.
    assert services.compare_with_document(verification) == []

    verification.surname = "Miller"
    verification.save()
    response = _submit(customer_client)
    assert response.status_code == 200
    page = response.content.decode()
    assert "You typed “Miller”, the document reads “MUELLER”." in page
    prompt = page[page.index('class="card mismatch"') :]
    prompt = prompt[: prompt.index("</div>")]
    assert prompt.count("<button") == 2
    assert "Go for manual verification" in page and "double-check and resubmit" in page
    verification.refresh_from_db()
    assert verification.status == Status.DRAFT  # nothing submitted yet
    assert not StatusChange.objects.exists()


UNSURE_SURNAME = [name for name in TRUSTABLE_FIELDS if name != "surname"]


def test_an_unsure_surname_never_prompts_but_a_trusted_number_does(customer_client, customer):
    verification = complete_passport_draft(customer, surname="MILLEP", trusted=UNSURE_SURNAME)
    verification.surname = "Miller"  # the reader doubted a letter of the surname
    verification.save()
    assert services.compare_with_document(verification) == []
    verification.document_number = "X1234567"
    verification.save()
    page = _submit(customer_client).content.decode()
    assert "the document reads" in page and "X1234567" in page and "MILLEP" not in page


def test_agreement_on_trusted_fields_alone_is_not_an_ocr_match(customer_client, customer, settings):
    # Auto-approval passes only OCR-matched cases: an unsure surname must keep a person in.
    settings.KYC_AUTO_APPROVE = True
    verification = complete_passport_draft(customer, trusted=UNSURE_SURNAME)
    response = _submit(customer_client)
    assert response.status_code == 302
    verification.refresh_from_db()
    assert verification.status == Status.PROVIDED
    assert (verification.ocr_matched, verification.ocr_mismatch) == (None, False)
    assert "fields it could vouch for" in StatusChange.objects.get(verification=verification).reason


def test_transliteration_difference_gets_a_hint(customer_client, customer):
    verification = complete_passport_draft(customer, surname="MULLER")
    verification.surname = "MUELLER"
    verification.save()
    page = _submit(customer_client).content.decode()
    assert "same name spelt another way" in page


def test_go_for_manual_verification_submits_flagged_as_mismatch(customer_client, customer):
    verification = complete_passport_draft(customer, number="X9999999")
    _submit(customer_client)
    response = _submit(customer_client, "manual_verification")
    assert response.status_code == 302
    verification.refresh_from_db()
    assert verification.status == Status.PROVIDED
    assert (verification.ocr_matched, verification.ocr_mismatch) == (False, True)
    reason = StatusChange.objects.get(verification=verification).reason
    assert "differ" in reason and "the customer confirmed them" in reason
    # The customer is told a person will check it.
    status_page = customer_client.get(reverse("verification:status")).content.decode()
    assert "You chose manual verification: a person will compare" in status_page


def test_double_check_and_resubmit_goes_back_to_the_form_and_submits_nothing(
    customer_client, customer
):
    verification = complete_passport_draft(customer, number="X9999999")
    _submit(customer_client)
    response = _submit(customer_client, "double_check")
    assert response.status_code == 302 and response.url == reverse("verification:details")
    verification.refresh_from_db()
    assert verification.status == Status.DRAFT
    assert not StatusChange.objects.exists()


def test_passport_without_a_usable_reading_goes_to_manual_verification(customer_client, customer):
    verification = complete_passport_draft(customer, read=False)
    _submit(customer_client)
    verification.refresh_from_db()
    assert verification.status == Status.PROVIDED
    assert verification.ocr_matched is None and verification.ocr_mismatch is False


def test_incomplete_application_is_refused_with_what_is_missing(customer_client, customer):
    verification = VerificationFactory(user=customer, expiry_date=FUTURE)
    response = _submit(customer_client)
    assert response.status_code == 400
    assert "Step 2: upload the passport data page." in response.content.decode()
    verification.refresh_from_db()
    assert verification.status == Status.DRAFT


def test_expired_passport_is_refused_at_submission(customer_client, customer):
    verification = complete_passport_draft(customer, read=False)
    Verification.objects.filter(pk=verification.pk).update(
        expiry_date=datetime.date.today() - datetime.timedelta(days=1)
    )
    response = _submit(customer_client)
    assert response.status_code == 400
    assert "This document expired on" in response.content.decode()
    assert Verification.objects.get(pk=verification.pk).status == Status.DRAFT


def test_double_submit_creates_one_submission(customer_client, customer):
    verification = complete_passport_draft(customer)
    first = _submit(customer_client)
    second = _submit(customer_client)
    assert first.status_code == second.status_code == 302
    assert StatusChange.objects.filter(verification=verification).count() == 1
    messages = [str(m) for m in second.wsgi_request._messages]
    assert "Your application has already been submitted." in messages


@pytest.mark.django_db(transaction=True)
def test_simultaneous_submits_create_one_submission(customer):
    from django.db import connection

    if connection.vendor == "sqlite":
        pytest.skip("SQLite in-memory test databases are not shared between threads")
    verification = complete_passport_draft(customer)
    outcomes = []

    def submit():
        outcomes.append(services.submit(verification, actor=customer, declared=True))
        connection.close()

    threads = [threading.Thread(target=submit) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(o.submitted for o in outcomes) == [False, True]
    assert StatusChange.objects.filter(verification=verification).count() == 1


def test_china_passport_cannot_be_submitted_even_by_a_direct_post(customer_client, customer):
    verification = complete_passport_draft(customer)
    Verification.objects.filter(pk=verification.pk).update(nationality="CN")
    response = _submit(customer_client)
    assert response.status_code == 400
    assert "Mainland Chinese passports" in response.content.decode()
    assert Verification.objects.get(pk=verification.pk).status == Status.DRAFT


def test_policy_rules_are_data_staff_can_change(customer_client, customer):
    PolicyRule.objects.filter(country="CN").update(active=False)
    PolicyRule.objects.create(
        country="FR",
        document_type="",
        severity=PolicyRule.Severity.WARN,
        message_en="French documents take longer to review.",
        message_zh_hans="法国证件审核时间较长。",
    )
    data = {"account_type": "individual", "nationality": "CN", "document_choice": "passport"}
    assert customer_client.post(reverse("verification:certificate"), data).status_code == 302
    data["nationality"] = "FR"
    response = customer_client.post(reverse("verification:certificate"), data, follow=True)
    assert "French documents take longer to review." in response.content.decode()
    assert str(Verification.objects.get(user=customer).nationality) == "FR"


def test_auto_approve_passes_an_ocr_matched_case_once_screening_found_nothing(
    customer_client, customer, settings, sample_watchlist, django_capture_on_commit_callbacks
):
    settings.KYC_AUTO_APPROVE = True
    verification = complete_passport_draft(customer)
    with django_capture_on_commit_callbacks(execute=True):
        _submit(customer_client)
    verification.refresh_from_db()
    assert verification.status == Status.PASSED
    moves = list(StatusChange.objects.filter(verification=verification).values_list("old", "new"))
    assert moves == [(Status.DRAFT, Status.PROVIDED), (Status.PROVIDED, Status.PASSED)]
    screening = verification.screenings.get()
    assert (screening.state, screening.list_versions) == ("done", [sample_watchlist.pk])


def test_auto_approve_waits_for_the_screening(customer_client, customer, settings):
    settings.KYC_AUTO_APPROVE = True
    verification = complete_passport_draft(customer)
    _submit(customer_client)  # its screening is queued after the commit, which never comes here
    verification.refresh_from_db()
    assert verification.status == Status.PROVIDED
    assert verification.screenings.get().state == "pending"


def test_auto_approve_leaves_mismatches_to_a_person(customer_client, customer, settings):
    settings.KYC_AUTO_APPROVE = True
    verification = complete_passport_draft(customer, number="X9999999")
    _submit(customer_client, "manual_verification")
    verification.refresh_from_db()
    assert verification.status == Status.PROVIDED


def test_auto_approve_is_off_by_default(settings):
    from django.conf import settings as django_settings

    assert django_settings.KYC_AUTO_APPROVE is False


def french_card_draft(user):
    """A filled-in national ID draft whose card front is France's 1994 card (no expiry in its
    MRZ), read by the reader itself from a rendering of that card."""
    import io
    import random

    from benchmarks.mrz.generate import french_identity_card, render_document
    from verification.reading import _read

    verification = VerificationFactory(
        user=user,
        document_type="national_id",
        nationality="FR",
        surname="Berthier",
        given_names="Corinne",
        sex="F",
        date_of_birth=datetime.date(1965, 12, 6),
        document_number="940992310285",
        expiry_date=FUTURE,
        address="1 rue de la Paix, Paris",
    )
    front = DocumentFactory(verification=verification, kind=Document.Kind.ID_FRONT)
    DocumentFactory(verification=verification, kind=Document.Kind.ID_BACK)
    holding = DocumentFactory(verification=verification, kind=Document.Kind.HOLDING_PHOTO)
    compared_faces(verification, front, holding)
    card = french_identity_card(
        "Berthier", "Corinne", "940992310285", datetime.date(1965, 12, 6), "F"
    )
    image = io.BytesIO()
    render_document(card, random.Random(3), 11.0).save(image, format="PNG")
    OcrResult.objects.create(document=front, **_read(front, image.getvalue()))
    return verification


@pytest.mark.slow
def test_a_french_1994_card_compares_all_but_the_expiry_it_lacks(
    customer_client, customer, settings
):
    settings.KYC_AUTO_APPROVE = True
    verification = french_card_draft(customer)
    ocr = OcrResult.objects.get(document__verification=verification)
    assert ocr.mrz_type == "FR-ID" and ocr.valid and ocr.fields["expiration_date"] is None
    # Any typed expiry agrees (the MRZ has none) and none is pre-filled from it.
    assert services.compare_with_document(verification) == []
    verification.expiry_date, verification.document_number = None, ""
    assert services.prefill_from_document(verification) == {"document_number": "940992310285"}

    verification.refresh_from_db()
    verification.document_number = "940992310286"  # one digit mistyped
    verification.save()
    page = _submit(customer_client).content.decode()
    assert "the document reads" in page and "940992310285" in page

    verification.document_number = "940992310285"
    verification.save()
    assert _submit(customer_client).status_code == 302
    verification.refresh_from_db()
    # Everything the MRZ holds agrees, but it cannot vouch for the typed expiry: a person looks.
    assert verification.status == Status.PROVIDED
    assert (verification.ocr_matched, verification.ocr_mismatch) == (None, False)
    assert "fields it could vouch for" in StatusChange.objects.get(verification=verification).reason
