from allauth.mfa.utils import is_mfa_enabled
from django.conf import settings
from django.contrib import messages
from django.shortcuts import redirect
from django.utils.translation import gettext as _

from . import risk, roles

STAFF_URL_PREFIXES = ("/review/", "/sales/", "/admin/")


class RateLimitRiskMiddleware:
    """Every request a rate limit turns away (HTTP 429) becomes a risk event staff can see."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if response.status_code == 429:
            risk.record_rate_limited(request)
        return response


class StaffTwoFactorMiddleware:
    """Staff pages stay closed until the staff member has two-step verification on."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path_info.startswith(STAFF_URL_PREFIXES) and needs_two_factor(request.user):
            messages.warning(
                request,
                _(
                    "Staff pages need two-step verification. Please set up an authenticator "
                    "app first."
                ),
            )
            return redirect("mfa_activate_totp")
        return self.get_response(request)


def needs_two_factor(user) -> bool:
    """True for a signed-in staff member who has not turned on two-step verification yet."""
    if not (user.is_authenticated and settings.STAFF_MFA_REQUIRED):
        return False
    if not roles.is_staff_member(user):
        return False
    if user.is_demo and settings.DEMO_ACCOUNTS_SKIP_MFA:
        return False
    return not is_mfa_enabled(user)
