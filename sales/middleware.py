from django.shortcuts import render
from django.urls import Resolver404, resolve

from accounts import roles

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})

# What an inquiry login may still POST: signing out, the language, and its own sign-in
# security (password, two-step verification), which the staff rules require it to set up.
INQUIRY_WRITABLE_URL_NAMES = frozenset(
    {
        "account_logout",
        "accounts:set_language",
        "account_change_password",
        "account_reauthenticate",
        "mfa_authenticate",
        "mfa_reauthenticate",
        "mfa_activate_totp",
        "mfa_deactivate_totp",
        "mfa_generate_recovery_codes",
    }
)


class InquiryReadOnlyMiddleware:
    """Sales inquiry logins are read-only everywhere: every other write request is refused.

    A safety net under the pages themselves, so a form added later cannot become a way in.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if (
            request.method not in SAFE_METHODS
            and roles.is_inquiry(request.user)
            and _view_name(request.path_info) not in INQUIRY_WRITABLE_URL_NAMES
        ):
            return render(request, "sales/read_only.html", status=403)
        return self.get_response(request)


def _view_name(path: str) -> str | None:
    try:
        return resolve(path).view_name
    except Resolver404:
        return None
