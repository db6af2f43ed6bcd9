"""Steps several browser journeys share."""

# Reading a passport inline takes seconds; on a busy 2-core machine it can take many more.
READING_TIMEOUT_MS = 90_000


def sign_in(page, user, totp_secret=None):
    """Signs in through the real form, typing the authenticator code when one is set up."""
    from tests.factories import PASSWORD, totp_code

    page.goto("/accounts/login/")
    page.fill("input[name=login]", user.email)
    page.fill("input[name=password]", PASSWORD)
    page.get_by_role("button", name="Sign In").click()
    if totp_secret:
        page.fill("input[name=code]", totp_code(totp_secret))
        page.get_by_role("button", name="Sign In").click()


def upload(page, kind, path):
    """Chooses a file for one document slot and waits for the page to show it stored.

    Waits first for the upload script to take the form over (`form.enhanced`): a file chosen on
    a page still loading would go nowhere.
    """
    page.locator(f"#slot-{kind} form.enhanced").wait_for()
    with page.expect_navigation(timeout=READING_TIMEOUT_MS):
        page.locator(f"#file-{kind}").set_input_files(str(path))
