from allauth.account.adapter import DefaultAccountAdapter
from allauth.mfa.adapter import DefaultMFAAdapter
from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils import translation

from kyc_portal import crypto
from kyc_portal.validators import validate_plain_text

from . import risk, roles
from .models import RiskEvent


class AccountAdapter(DefaultAccountAdapter):
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
        # A sales inquiry login has nothing to set up in the User Center: it starts at its list.
        if roles.is_inquiry(request.user):
            return reverse("sales:customer_list")
        return super().get_login_redirect_url(request)


class MFAAdapter(DefaultMFAAdapter):
    """Authenticator secrets are kept encrypted with the portal's field keys."""

    def encrypt(self, text: str) -> str:
        return crypto.encrypt(text)

    def decrypt(self, encrypted_text: str) -> str:
        return crypto.decrypt(encrypted_text)
