import re
from pathlib import Path

import pytest

pytestmark = pytest.mark.django_db(transaction=True)


def test_customer_signs_up_confirms_email_and_finds_real_name_authentication(
    page, settings, tmp_path, screenshot_dir
):
    settings.EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    settings.EMAIL_FILE_PATH = str(tmp_path / "mail")

    page.goto("/")
    page.get_by_role("link", name="Register with email").click()
    page.fill("input[name=email]", "browser.customer@example.com")
    page.fill("input[name=password1]", "a-sturdy-passphrase-42")
    page.fill("input[name=password2]", "a-sturdy-passphrase-42")
    page.get_by_role("button", name="Sign Up").click()
    page.get_by_text("Verify Your Email Address").first.wait_for()

    sent = "".join(p.read_text() for p in Path(settings.EMAIL_FILE_PATH).iterdir())
    link = re.search(r"http://[^\s]+/accounts/confirm-email/[^\s]+/", sent).group(0)
    page.goto(link)
    page.get_by_role("button", name="Confirm").click()

    page.fill("input[name=login]", "browser.customer@example.com")
    page.fill("input[name=password]", "a-sturdy-passphrase-42")
    page.get_by_role("button", name="Sign In").click()

    page.locator("#my-account summary").click()
    page.get_by_role("link", name="User Center").click()
    row = page.locator("#real-name-authentication")
    assert "Real-name authentication" in row.inner_text()
    assert row.get_by_role("link", name="Set").is_visible()
    page.screenshot(path=f"{screenshot_dir}/user-center.png", full_page=True)
