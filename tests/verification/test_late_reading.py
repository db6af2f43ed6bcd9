"""An application submitted before its MRZ was read: the read, when it lands, is compared with
what was typed and shown to the reviewer like a comparison made at submission (run inline;
the same on a real worker is in test_worker.py)."""

import pytest
from django.urls import reverse

from tests.factories import png_bytes
from verification import comparison, reading, services, tasks
from verification.models import Document, OcrResult, Status, StatusChange, Verification

from .conftest import generated_passport, typed_from_truth, upload

pytestmark = pytest.mark.django_db

STEP1_PASSPORT = {"account_type": "individual", "nationality": "GB", "document_choice": "passport"}


def _submit_before_the_read(client, customer, seed="late-read", **typed_overrides):
    """Walks the wizard and submits while the passport page is still waiting to be read
    (in a test transaction the upload's on-commit queueing never runs)."""
    image, truth = generated_passport(seed)
    client.post(reverse("verification:certificate"), STEP1_PASSPORT)
    for kind, content in (("passport_page", image), ("holding_photo", png_bytes())):
        response = client.post(
            reverse("verification:documents"), {"kind": kind, "file": upload(content)}
        )
        assert response.status_code == 302
    typed = {**typed_from_truth(truth), **typed_overrides}
    assert client.post(reverse("verification:details"), typed).status_code == 302
    assert (
        client.post(
            reverse("verification:review"), {"action": "submit", "declaration": "yes"}
        ).status_code
        == 302
    )
    verification = Verification.objects.get(user=customer)
    page = verification.documents.get(kind=Document.Kind.PASSPORT_DATA_PAGE)
    assert page.ocr.state == OcrResult.State.PENDING
    assert verification.status == Status.PROVIDED and verification.ocr_matched is None
    return verification, page, truth


def _case_page(client, reviewer, verification):
    client.force_login(reviewer)
    response = client.get(reverse("review:detail", args=[verification.pk]))
    assert response.status_code == 200
    return response


def test_late_read_that_differs_is_flagged_for_the_reviewer(
    client, customer_client, customer, reviewer
):
    verification, page, truth = _submit_before_the_read(client, customer, surname="SMYTHE")
    reason = StatusChange.objects.get(verification=verification).reason
    assert "no machine-readable zone" in reason

    tasks.extract_document.delay(page.pk)

    verification.refresh_from_db()
    assert OcrResult.objects.get(document=page).state == OcrResult.State.DONE
    assert verification.ocr_matched is False and verification.ocr_compared_late_at is not None
    assert verification.ocr_mismatch is False  # that one records the customer's own choice
    assert verification.status == Status.PROVIDED  # still waiting for a person
    response = _case_page(client, reviewer, verification)
    rows = {row.name: row for row in response.context["details"]["comparison"]}
    assert rows["surname"].differs and rows["surname"].read == truth["surname"]
    assert rows["surname"].typed == "SMYTHE"
    assert not rows["document_number"].differs
    html = response.content.decode()
    assert 'class="differs" data-field="surname"' in html
    assert 'id="late-comparison"' in html and "Read after submission" in html
    queue = client.get(reverse("review:queue") + "?ocr_mismatch=on")
    assert [case.pk for case, _sla in queue.context["rows"]] == [verification.pk]


def test_late_read_that_agrees_shows_no_difference(client, customer_client, customer, reviewer):
    verification, page, _truth = _submit_before_the_read(client, customer, seed="late-match")
    tasks.extract_document.delay(page.pk)
    verification.refresh_from_db()
    assert verification.ocr_matched is True and verification.ocr_compared_late_at is not None
    response = _case_page(client, reviewer, verification)
    assert not any(row.differs for row in response.context["details"]["comparison"])
    html = response.content.decode()
    assert 'class="differs"' not in html and "Read after submission" in html
    queue = client.get(reverse("review:queue") + "?ocr_mismatch=on")
    assert list(queue.context["rows"]) == []


def test_duplicate_delivery_of_a_late_read_changes_nothing(client, customer_client, customer):
    verification, page, _truth = _submit_before_the_read(client, customer, surname="SMYTHE")
    tasks.extract_document.delay(page.pk)
    ocr_before = OcrResult.objects.values().get(document=page)
    case_before = Verification.objects.values().get(pk=verification.pk)
    tasks.extract_document.delay(page.pk)
    assert OcrResult.objects.values().get(document=page) == ocr_before
    assert Verification.objects.values().get(pk=verification.pk) == case_before


def test_read_before_submission_is_not_marked_late(customer_client, customer):
    from .test_submission import complete_passport_draft

    complete_passport_draft(customer)
    customer_client.post(reverse("verification:review"), {"action": "submit", "declaration": "yes"})
    verification = Verification.objects.get(user=customer)
    assert verification.ocr_matched is True and verification.ocr_compared_late_at is None
    assert comparison.compare_after_submission(verification.pk) is False


def test_read_of_a_replaced_file_does_not_land_on_the_new_evidence(
    client, customer_client, customer
):
    """The customer re-uploads (a supplement) and resubmits while the old file is being read:
    the old read is kept beside its own file only; the new file's read is the one compared."""
    verification, old_page, truth = _submit_before_the_read(client, customer, seed="old-file")
    Verification.objects.filter(pk=verification.pk).update(
        status=Status.SUPPLEMENT_REQUESTED, requested_items=["document:passport_page"]
    )
    new_image, _new_truth = generated_passport("new-file")

    def customer_replaces_the_file_and_resubmits():
        services.add_document(verification, "passport_page", upload(new_image), actor=customer)
        assert services.submit(
            verification, actor=customer, declared=True, confirm_mismatch=True
        ).submitted

    reading.extract_document(old_page.pk, before_read=customer_replaces_the_file_and_resubmits)

    old_ocr = OcrResult.objects.get(document=old_page)
    assert old_ocr.state == OcrResult.State.DONE and old_ocr.fields["number"] == truth["number"]
    verification.refresh_from_db()
    assert verification.status == Status.UNDER_REVIEW  # a returned supplement
    assert verification.ocr_matched is None and verification.ocr_compared_late_at is None

    new_page = verification.documents.get(kind="passport_page", superseded_at__isnull=True)
    tasks.extract_document.delay(new_page.pk)
    verification.refresh_from_db()
    # The typed details came from the old passport: the new file's read differs from them.
    assert verification.ocr_matched is False and verification.ocr_compared_late_at is not None
