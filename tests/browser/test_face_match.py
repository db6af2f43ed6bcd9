"""The reviewer's face match in a real browser: both crops load through the audited document
view under the page's content security policy, beside the signal to explain."""

import pytest

from tests.browser.helpers import sign_in
from tests.factories import enable_totp, staff_user
from tests.identity.test_review import _case

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_case_page_shows_both_faces_the_scale_and_the_signal(page, screenshot_dir):
    reviewer = staff_user("Reviewer", mfa=False)
    secret = enable_totp(reviewer)
    case, match = _case("someone else holding the customer's page")
    sign_in(page, reviewer, secret)
    page.get_by_role("link", name="Review queue").wait_for()
    page.goto(f"/review/{case.pk}/")
    page.wait_for_selector("#face-match")
    _wait_for_both_crops(page)
    assert page.inner_text("#face-verdict") == "Not the same person"
    assert page.locator("#face-score-meter").get_attribute("value") == f"{match.score:.2f}"
    assert "Face match: Not the same person" in page.content()
    page.locator("#face-match").screenshot(path=f"{screenshot_dir}/review-face-match.png")
    page.locator(".language-switcher button[value='zh-hans']").first.click()
    page.wait_for_selector("html[lang='zh-hans']")
    assert page.inner_text("#face-verdict") == "不是同一人"
    _wait_for_both_crops(page)
    page.locator("#face-match").screenshot(path=f"{screenshot_dir}/review-face-match-zh.png")


def _wait_for_both_crops(page):
    crops = page.locator("#face-match img.face-crop")
    assert crops.count() == 2
    for index in range(2):
        crops.nth(index).scroll_into_view_if_needed()
        page.wait_for_function(
            "img => img.complete && img.naturalWidth > 0", arg=crops.nth(index).element_handle()
        )
