"""The supplement loop in a real browser: a reviewer asks for a new holding photo, the customer
finds the request in the inbox, re-uploads only that photo and resubmits, and the case is back
in the review queue marked as returned, with its history kept; to the customer it stays
"Under review" throughout."""

import pytest

from tests.browser.helpers import READING_TIMEOUT_MS, sign_in
from tests.factories import PASSWORD, enable_totp, png_bytes, staff_user
from tests.review.factories import submitted_case, with_ocr
from verification.models import Document, Status, StatusChange

pytestmark = pytest.mark.django_db(transaction=True)


def test_supplement_request_reupload_and_return_to_the_queue(
    page, browser, live_server, tmp_path, screenshot_dir
):
    reviewer = staff_user("Reviewer", mfa=False)
    secret = enable_totp(reviewer)
    case = submitted_case()
    with_ocr(case)
    customer = case.user
    data_page = case.documents.get(kind=Document.Kind.PASSPORT_DATA_PAGE)
    old_photo = case.documents.get(kind=Document.Kind.HOLDING_PHOTO)

    # The reviewer opens the case from the queue and asks for a new holding photo.
    sign_in(page, reviewer, secret)
    page.get_by_role("link", name="Review queue").wait_for()
    page.goto("/review/")
    page.click(f"tr[data-case='{case.pk}'] button.open-case")
    page.wait_for_url(f"**/review/{case.pk}/")
    page.locator("details.decision-more summary").click()
    # A ticked rejection reason fills the rejection box only, never the supplement's.
    page.check("input[name=reasons][value='holding_photo']")
    page.check("input[name=requested_items][value='document:holding_photo']")
    prefilled = page.input_value("textarea[name=supplement_message]")
    assert "not approved" not in prefilled
    assert "Please upload a new picture of: Photo holding the document." in prefilled
    page.fill(
        "textarea[name=supplement_message]", "Your face is cut off: please take the photo again."
    )
    page.click("#decide-supplement")
    page.wait_for_selector("#latest-decision")
    case.refresh_from_db()
    assert case.status == Status.SUPPLEMENT_REQUESTED
    assert case.requested_items == ["document:holding_photo"]
    version_asked = case.evidence_version

    # The customer sees the unread message beside "My Account" and opens it from the inbox.
    context = browser.new_context(base_url=live_server.url, locale="en-US")
    context.set_default_timeout(15_000)
    customer_page = context.new_page()
    customer_page.goto("/accounts/login/")
    customer_page.fill("input[name=login]", customer.email)
    customer_page.fill("input[name=password]", PASSWORD)
    customer_page.get_by_role("button", name="Sign In").click()
    account = customer_page.locator("#my-account summary")
    account.wait_for()
    assert account.locator(".pill").inner_text() == "1"
    account.click()
    customer_page.get_by_role("link", name="Messages").click()
    customer_page.get_by_role("link", name="Supplement requested").click()
    message = customer_page.locator("#notification")
    assert "Your face is cut off: please take the photo again." in message.inner_text()
    assert message.locator(".requested-items li").all_inner_texts() == [
        "Re-upload: Photo holding the document"
    ]
    customer_page.screenshot(path=f"{screenshot_dir}/supplement-message.png", full_page=True)

    # Straight to the requested item: only the holding photo can be replaced.
    message.get_by_role("link", name="Re-upload: Photo holding the document").click()
    customer_page.wait_for_url("**/kyc/documents/#slot-holding_photo")
    assert customer_page.locator("#slot-passport_page input[type=file]").count() == 0
    photo = tmp_path / "holding-again.png"
    photo.write_bytes(png_bytes(colour=(180, 190, 200)))
    with customer_page.expect_navigation(timeout=READING_TIMEOUT_MS):
        customer_page.locator("#file-holding_photo").set_input_files(str(photo))
    customer_page.get_by_text("Uploaded. You can replace it").wait_for()
    customer_page.goto("/kyc/review/")
    customer_page.check("#id_declaration")
    customer_page.get_by_role("button", name="Submit").click()
    customer_page.wait_for_url("**/kyc/status/")
    # One story: the case stays "Under review" (the email said so), never "Provided" again.
    assert customer_page.locator(".status-line .badge").first.inner_text() == "Under review"
    timeline = customer_page.locator("#timeline").inner_text()
    assert "Supplement sent" in timeline and "Status: Under review." in timeline
    customer_page.screenshot(path=f"{screenshot_dir}/supplement-resubmitted.png", full_page=True)
    context.close()

    # Back in the queue, marked as returned, with the history kept.
    case.refresh_from_db()
    assert case.status == Status.UNDER_REVIEW and case.supplement_returned
    assert case.assigned_to is None  # back in the queue for anyone
    assert case.evidence_version > version_asked
    history = list(StatusChange.objects.filter(verification=case).values_list("new", flat=True))
    assert history[-2:] == [Status.SUPPLEMENT_REQUESTED, Status.UNDER_REVIEW]
    old_photo.refresh_from_db()
    data_page.refresh_from_db()
    assert old_photo.superseded_at is not None  # kept, superseded by the new upload
    assert data_page.superseded_at is None  # not requested, not changed
    assert case.documents.filter(kind=Document.Kind.HOLDING_PHOTO).count() == 2

    page.goto("/review/")
    row = page.locator(f"tr[data-case='{case.pk}']")
    row.wait_for()
    assert row.locator(".flag-returned").inner_text() == "Returned"
    page.screenshot(path=f"{screenshot_dir}/supplement-back-in-queue.png", full_page=True)
