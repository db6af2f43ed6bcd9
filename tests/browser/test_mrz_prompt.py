"""The typed-vs-document prompt with real specimen images (the shared MRZ development set)."""

import pytest
from django.urls import reverse
from PIL import Image

from tests.browser.helpers import sign_in, upload
from tests.factories import UserFactory, png_bytes
from tests.verification.conftest import ocr_dev_images
from verification.models import OcrResult, Status, Verification

pytestmark = pytest.mark.django_db(transaction=True)

# USA 2020 specimen scan: every field is read and vouched for.
USA_SPECIMEN = "google-document-ai-samples/USA-Passport-2020.jpeg"
# Italian specimen: a "FACSIMILE" stamp crosses the given names' fillers, which the reader
# doubts; the surname, the number and the dates it vouches for.
ITALIAN_SPECIMEN = "mlis-wikimedia-specimens/Italy_Passport_Specimen.jpg"


def _start_with(page, tmp_path, image, country, code):
    """Signs a new customer in, walks steps 1-2 with the specimen, opens step 3."""
    selfie = tmp_path / "holding.png"
    selfie.write_bytes(png_bytes())
    customer = UserFactory()
    sign_in(page, customer)
    page.goto("/kyc/")
    page.check("input[name=account_type][value=individual]")
    page.fill("input.country-filter", country)
    page.select_option("#id_nationality", code)
    page.check("input[name=document_choice][value=passport]")
    page.get_by_role("button", name="Save and continue").click()
    upload(page, "passport_page", image)
    upload(page, "holding_photo", selfie)
    assert OcrResult.objects.get(document__kind="passport_page").state == OcrResult.State.DONE
    page.get_by_role("link", name="Continue").click()
    return customer


def _submit(page):
    page.check("#id_declaration")
    page.get_by_role("button", name="Submit").click()


def test_a_mistyped_number_prompts_and_the_right_one_submits_straight_through(page, tmp_path):
    _start_with(page, tmp_path, ocr_dev_images() / USA_SPECIMEN, "United States", "US")
    # Pre-filled from the trusted fields of the real scan.
    assert page.locator("#id_surname").input_value() == "TRAVELER"
    assert page.locator("#id_document_number").input_value() == "E00007730"
    page.fill("#id_document_number", "E00007780")
    page.get_by_role("button", name="Save and continue").click()

    _submit(page)
    prompt = page.locator(".mismatch")
    assert prompt.get_by_role("button").count() == 2
    assert "You typed “E00007780”, the document reads “E00007730”." in prompt.inner_text()
    prompt.get_by_role("button", name="double-check and resubmit").click()
    assert Verification.objects.get().status == Status.DRAFT

    page.fill("#id_document_number", "E00007730")
    page.get_by_role("button", name="Save and continue").click()
    _submit(page)
    page.locator(".status-line").wait_for()
    assert page.locator(".mismatch").count() == 0
    verification = Verification.objects.get()
    assert verification.status == Status.PROVIDED
    assert verification.ocr_matched is True and verification.ocr_mismatch is False


def test_an_unsure_name_never_prompts_and_the_reviewer_sees_what_was_doubted(
    page, tmp_path, client, reviewer
):
    # The scan is 382 px wide, below the upload minimum: send it enlarged, as a phone would.
    specimen = Image.open(ocr_dev_images() / ITALIAN_SPECIMEN)
    enlarged = tmp_path / "italian-specimen.jpg"
    specimen.resize((specimen.width * 5 // 2, specimen.height * 5 // 2), Image.LANCZOS).save(
        enlarged, quality=92
    )
    _start_with(page, tmp_path, enlarged, "Italy", "IT")
    # The unsure given names are left for the customer; the trusted fields are offered.
    assert page.locator("#id_given_names").input_value() == ""
    assert page.locator("#id_surname").input_value() == "ROSSI"
    assert page.locator("#id_document_number").input_value() == "KK6000533"
    page.fill("#id_given_names", "Maria")
    page.get_by_role("button", name="Save and continue").click()
    _submit(page)
    page.locator(".status-line").wait_for()
    assert page.locator(".mismatch").count() == 0
    verification = Verification.objects.get()
    assert verification.status == Status.PROVIDED
    # Agreement on the trusted fields alone is not an OCR match: a person compares the rest.
    assert verification.ocr_matched is None and verification.ocr_mismatch is False

    client.force_login(reviewer)
    case = client.get(reverse("review:detail", args=[verification.pk])).content.decode()
    row = case[case.index('data-field="given_names"') :]
    row = row[: row.index("</tr>")]
    assert "OCR unsure" in row and '<mark class="unsure-character">' in row
    assert "differs" not in row
