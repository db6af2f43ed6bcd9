"""A customer walks the whole wizard with a generated passport and meets the mismatch prompt."""

import pytest

from tests.browser.helpers import upload
from tests.factories import PASSWORD, UserFactory, png_bytes
from tests.verification.conftest import generated_passport
from verification.models import OcrResult, Status, Verification

pytestmark = pytest.mark.django_db(transaction=True)


def test_customer_walks_the_wizard_and_uses_both_mismatch_buttons(page, tmp_path, screenshot_dir):
    image, truth = generated_passport()
    passport = tmp_path / "passport.png"
    passport.write_bytes(image)
    selfie = tmp_path / "holding.png"
    selfie.write_bytes(png_bytes())
    customer = UserFactory()

    page.goto("/accounts/login/")
    page.fill("input[name=login]", customer.email)
    page.fill("input[name=password]", PASSWORD)
    page.get_by_role("button", name="Sign In").click()
    page.goto("/user-center/")
    page.locator("#real-name-authentication").get_by_role("link", name="Set").click()

    # Step 1.
    page.check("input[name=account_type][value=individual]")
    page.fill("input.country-filter", "United Kingdom")
    assert page.locator("#id_nationality").input_value() == "GB"
    page.check("input[name=document_choice][value=passport]")
    page.screenshot(path=f"{screenshot_dir}/wizard-1-certificate.png", full_page=True)
    page.get_by_role("button", name="Save and continue").click()

    # Step 2: the passport is read while the customer uploads the next image.
    # Choosing a file uploads it; the page shows it once stored.
    upload(page, "passport_page", passport)
    upload(page, "holding_photo", selfie)
    assert page.locator("#slot-passport_page img.thumb").evaluate("img => img.naturalWidth") > 0
    page.screenshot(path=f"{screenshot_dir}/wizard-2-documents.png", full_page=True)
    assert OcrResult.objects.get().state == OcrResult.State.DONE
    page.get_by_role("link", name="Continue").click()

    # Step 3: pre-filled from the MRZ; the customer mistypes the number.
    assert page.locator("#id_surname").input_value() == truth["surname"]
    assert page.locator("#id_document_number").input_value() == truth["number"]
    assert page.locator("#id_date_of_birth").input_value() == truth["date_of_birth"]
    assert page.get_by_text("We filled in what our OCR system read").is_visible()
    page.screenshot(path=f"{screenshot_dir}/wizard-3-details.png", full_page=True)
    page.fill("#id_document_number", "ZZ1234567")
    page.get_by_role("button", name="Save and continue").click()

    # Step 4 and the prompt.
    page.check("#id_declaration")
    page.get_by_role("button", name="Submit").click()
    prompt = page.locator(".mismatch")
    assert prompt.get_by_role("button").count() == 2
    assert f"the document reads “{truth['number']}”" in prompt.inner_text()
    page.screenshot(path=f"{screenshot_dir}/wizard-4-mismatch.png", full_page=True)
    prompt.get_by_role("button", name="double-check and resubmit").click()
    assert page.locator("#id_document_number").input_value() == "ZZ1234567"
    assert Verification.objects.get().status == Status.DRAFT

    page.goto("/kyc/review/")
    page.check("#id_declaration")
    page.get_by_role("button", name="Submit").click()
    page.locator(".mismatch").get_by_role("button", name="Go for manual verification").click()
    page.locator(".status-line").wait_for()
    assert "Provided" in page.locator(".status-line").inner_text()
    page.screenshot(path=f"{screenshot_dir}/wizard-5-status.png", full_page=True)
    verification = Verification.objects.get()
    assert verification.status == Status.PROVIDED
    assert verification.ocr_mismatch is True and verification.ocr_matched is False
