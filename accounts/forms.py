import re

from allauth.account.forms import SignupForm as AllauthSignupForm
from allauth.core import context, ratelimit
from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from . import risk
from .models import RiskEvent

# Something a person typed as a phone number: digits with optional +, spaces, dashes, brackets.
PHONE_LIKE = re.compile(r"^\+?[\d\s\-()]{6,}$")


class EmailOnlyField(forms.EmailField):
    """An email field that tells people typing a phone number why it will not do."""

    def to_python(self, value):
        value = super().to_python(value)
        if value and PHONE_LIKE.match(value):
            raise forms.ValidationError(
                _(
                    "Registration is by email only: mobile numbers (including mainland-China "
                    "numbers) cannot be used. Please enter your email address."
                ),
                code="phone_number",
            )
        return value


class SignupForm(AllauthSignupForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        old = self.fields["email"]
        self.fields["email"] = EmailOnlyField(
            label=_("Email"), required=True, widget=old.widget, help_text=old.help_text
        )
        self.order_fields(["email", "password1", "password2"])

    def clean_email(self):
        email = super().clean_email()
        domain = email.rpartition("@")[2]
        # A flood of sign-ups from one domain is the FAQ's "abnormal registration activity".
        request = context.request
        if not ratelimit.consume(request, action="signup_domain", key=domain):
            risk.record_rate_limited(
                request, kind=RiskEvent.Kind.SIGNUP_DOMAIN_LIMITED, email_domain=domain
            )
            raise forms.ValidationError(
                _(
                    "Too many accounts have been registered with this email domain just now. "
                    "Please try again later or contact Customer Support."
                )
            )
        return email


class LanguageForm(forms.Form):
    language = forms.ChoiceField(choices=settings.LANGUAGES)
    next = forms.CharField(required=False)
