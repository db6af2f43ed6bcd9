"""Steps several browser journeys share."""


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
