from urllib.parse import quote

from allauth.account.adapter import DefaultAccountAdapter
from allauth.mfa.adapter import DefaultMFAAdapter
from django.conf import settings
from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils import translation

from kyc_portal import crypto
from kyc_portal.validators import validate_plain_text

from . import risk, roles
from .models import RiskEvent


def portal_url(path: str) -> str:
    """A full address on the portal for a path, built from PORTAL_URL and never from the request's
    host: a forged Host header must not put its own address into a password reset email."""
    return f"{settings.PORTAL_URL.rstrip('/')}{path}"


def portal_links() -> dict:
    """The portal addresses every account email may show."""
    return {
        "portal_url": portal_url(reverse("home")),
        "sign_in_url": portal_url(reverse("account_login")),
        "sign_up_url": portal_url(reverse("account_signup")),
        "forgot_password_url": portal_url(reverse("account_reset_password")),
        "user_center_url": portal_url(reverse("accounts:user_center")),
    }


class AccountAdapter(DefaultAccountAdapter):
    def send_mail(self, template_prefix, email, context):
        # allauth's own links (signup_url, the "already exists" reset link) come from the
        # request's host; the portal's templates show only the PORTAL_URL ones set here.
        super().send_mail(template_prefix, email, {**context, **portal_links()})

    def get_email_confirmation_url(self, request, emailconfirmation):
        return portal_url(reverse("account_confirm_email", args=[emailconfirmation.key]))

    def get_reset_password_from_key_url(self, key):
        path = reverse("account_reset_password_from_key", kwargs={"uidb36": "UID", "key": "KEY"})
        return portal_url(path.replace("UID-KEY", quote(key)))

    def clean_email(self, email):
        # Email validation lets format characters through in the domain part (U+202E included),
        # and staff pages show the address. Sign-up and adding an address both come here.
        validate_plain_text(email)
        return super().clean_email(email)

    def save_user(self, request, user, form, commit=True):
        user = super().save_user(request, user, form, commit=False)
        user.preferred_language = translation.get_language() or user.preferred_language
        user.signup_ip_hash = risk.client_ip_hash(request)
        user.sales_group = getattr(form, "sales_group", None)  # from a referral link or code
        if commit:
            user.save()
        return user

    def authentication_failed(self, request, **credentials):
        # The wrong password that uses up the last attempt locks sign-in: staff should know.
        super().authentication_failed(request, **credentials)
        key = self._get_login_attempts_cache_key(request, **credentials)
        if risk.sign_in_locked(request, key=key):  # this failure used up the last attempt
            email = credentials.get("email", "")
            risk.record(
                request,
                kind=RiskEvent.Kind.SIGN_IN_LOCKED,
                user=get_user_model().objects.filter(email__iexact=email).first(),
                email_domain=email.rpartition("@")[2].lower(),
            )

    def get_login_redirect_url(self, request):
        # Staff have nothing to set up in the User Center: reviewers start at the queue, a sales
        # inquiry login at its list. (allauth follows a ?next= address before asking here.)
        if roles.is_reviewer(request.user):
            return reverse("review:queue")
        if roles.is_inquiry(request.user):
            return reverse("sales:customer_list")
        # A customer who came through a shop's hand-off link goes on to the wizard (api.signals).
        if request.session.pop("after_sign_in_go_to_wizard", False):
            return reverse("verification:start")
        return super().get_login_redirect_url(request)


class MFAAdapter(DefaultMFAAdapter):
    """Authenticator secrets are kept encrypted with the portal's field keys."""

    def encrypt(self, text: str) -> str:
        return crypto.encrypt(text)

    def decrypt(self, encrypted_text: str) -> str:
        return crypto.decrypt(encrypted_text)
