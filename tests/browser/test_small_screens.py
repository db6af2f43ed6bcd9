"""At 375 px (a small phone) nothing scrolls sideways and the header stays on one line; each
page is also photographed at 1366 px, in English and in Chinese, for people to look at."""

import pytest

from tests.browser.helpers import sign_in, upload
from tests.factories import PASSWORD, UserFactory, enable_totp, png_bytes, staff_user
from tests.review.factories import submitted_case, with_ocr
from tests.verification.conftest import generated_passport
from verification.models import Status, Verification

pytestmark = pytest.mark.django_db(transaction=True)

PHONE = {"width": 375, "height": 740}
LAPTOP = {"width": 1366, "height": 800}


class Looker:
    """Checks a page at phone width and photographs it at both widths."""

    def __init__(self, page, folder, language):
        self.page, self.folder, self.language = page, folder, language

    def __call__(self, name):
        page = self.page
        page.set_viewport_size(LAPTOP)
        laptop_header = page.locator("header.topbar").bounding_box()["height"]
        page.screenshot(path=f"{self.folder}/{name}-{self.language}-1366.png", full_page=True)
        page.set_viewport_size(PHONE)
        page.screenshot(path=f"{self.folder}/{name}-{self.language}-375.png", full_page=True)
        page_width = page.evaluate("document.documentElement.scrollWidth")
        assert page_width <= PHONE["width"], f"{name}: {page_width} px wide at 375 px"
        # One line: as tall as the laptop header (one line there), not two rows of links.
        phone_header = page.locator("header.topbar").bounding_box()["height"]
        assert phone_header <= laptop_header + 2, f"{name}: header {phone_header} px tall"
        assert phone_header < 60, f"{name}: header {phone_header} px tall"


def in_language(browser, live_server, language):
    context = browser.new_context(base_url=live_server.url, viewport=PHONE)
    context.add_cookies([{"name": "django_language", "value": language, "url": live_server.url}])
    context.set_default_timeout(15_000)
    return context


def sign_in_any_language(page, user):
    page.goto("/accounts/login/")
    page.fill("input[name=login]", user.email)
    page.fill("input[name=password]", PASSWORD)
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(lambda url: "/accounts/login/" not in url)


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_customer_pages_fit_a_small_phone(browser, live_server, tmp_path, screenshot_dir, language):
    image, truth = generated_passport()
    passport = tmp_path / "passport.png"
    passport.write_bytes(image)
    selfie = tmp_path / "holding.png"
    selfie.write_bytes(png_bytes())
    customer = UserFactory(preferred_language=language)
    context = in_language(browser, live_server, language)
    page = context.new_page()
    look = Looker(page, screenshot_dir, language)

    page.goto("/")
    look("home")
    page.goto("/accounts/signup/")
    page.fill("input[name=email]", "someone@example")  # the browser allows it, we do not
    page.fill("input[name=password1]", "short")
    page.fill("input[name=password2]", "shorter")
    page.locator("main form button[type=submit]").click()
    page.locator("#id_password2_error").wait_for()
    look("signup-errors")

    sign_in_any_language(page, customer)
    page.goto("/user-center/")
    look("user-center")
    # On a phone the language switch sits in the account menu, one tap away.
    page.locator("#my-account summary").click()
    menu = page.locator("#my-account .menu-items")
    other = "简体中文" if language == "en" else "English"
    assert menu.get_by_role("button", name=other).is_visible()
    assert menu.locator("a[href='/user-center/']").is_visible()
    look("account-menu")
    page.locator("#my-account summary").click()

    page.locator("#real-name-authentication a[href]").first.click()
    page.check("input[name=account_type][value=individual]")
    page.select_option("#id_nationality", "GB")
    page.check("input[name=document_choice][value=passport]")
    look("wizard-1-certificate")
    page.locator("form.wizard-form button.primary").click()

    # Choosing a file uploads it (static/js/uploads.js); the page shows it once stored.
    upload(page, "passport_page", passport)
    upload(page, "holding_photo", selfie)
    page.locator("#slot-holding_photo img.thumb").wait_for()
    look("wizard-2-documents")
    page.locator("p.actions a.button").click()

    page.locator("#id_document_number").wait_for()
    look("wizard-3-details")
    page.fill("#id_document_number", "ZZ1234567")
    page.locator("form.wizard-form button.primary").click()

    page.locator("button[value=submit]").wait_for()
    look("wizard-4-review")
    page.check("#id_declaration")
    page.locator("button[value=submit]").click()
    page.locator(".mismatch").wait_for()
    assert truth["number"] in page.locator("table.differences").inner_text()
    look("wizard-mismatch")
    page.locator("button[value=manual_verification]").click()

    page.locator(".status-line").wait_for()
    look("status")
    assert Verification.objects.get(user=customer).status == Status.PROVIDED
    context.close()


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_review_pages_fit_a_small_phone(browser, live_server, screenshot_dir, language):
    reviewer = staff_user("Reviewer", mfa=False)
    secret = enable_totp(reviewer)
    case = submitted_case(due_in_hours=-1)
    with_ocr(case, number="X1234567")
    submitted_case(due_in_hours=30)
    context = in_language(browser, live_server, "en")
    page = context.new_page()
    page.set_viewport_size(LAPTOP)
    sign_in(page, reviewer, secret)
    page.get_by_role("link", name="Review queue").wait_for()
    context.add_cookies([{"name": "django_language", "value": language, "url": live_server.url}])
    look = Looker(page, screenshot_dir, language)

    page.goto("/review/")
    page.wait_for_selector(f"tr[data-case='{case.pk}']")
    look("review-queue")
    page.goto(f"/review/{case.pk}/")
    look("review-case")
    context.close()
