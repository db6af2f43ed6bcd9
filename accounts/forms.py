import re

from allauth.account.forms import SignupForm as AllauthSignupForm
from allauth.core import context, ratelimit
from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from kyc_portal.validators import validate_plain_text
from sales import services as sales_services

from . import risk
from .models import RiskEvent

# An address to offer in the sign-up form, put in the session by whoever sent the visitor here
# (a shop's hand-off link, api.handoff_views); they may still type another.
SIGNUP_EMAIL_SESSION_KEY = "signup_email_suggested"

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
        request = context.request
        if request is not None and not self.is_bound:
            self.fields["email"].initial = request.session.get(SIGNUP_EMAIL_SESSION_KEY, "")
        # Optional: a sales group's referral link (?ref=CODE, kept in the session) or code.
        self.fields["referral_code"] = sales_referral_field(request)
        self.order_fields(["email", "password1", "password2", "referral_code"])

    def clean(self):
        cleaned_data = super().clean()
        # allauth compares the two passwords only when the first one passed validation; a
        # person fixing a too-short password should hear about a mistyped second one too.
        first, second = self["password1"].data, self["password2"].data
        if first and second and first != second and not self.has_error("password2"):
            self.add_error("password2", _("You must type the same password each time."))
        return cleaned_data

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

    def clean_referral_code(self):
        code = self.cleaned_data.get("referral_code", "")
        self.sales_group = sales_services.find_group_by_referral_code(code)
        if code.strip() and self.sales_group is None:
            raise forms.ValidationError(
                _(
                    "This referral code is not known. Please check it with your sales contact, "
                    "or leave the field empty."
                ),
                code="unknown_referral_code",
            )
        return code


def sales_referral_field(request) -> forms.CharField:
    if request is not None and request.GET.get("ref"):
        sales_services.remember_referral_code(request.session, request.GET["ref"])
    remembered = request.session.get(sales_services.REFERRAL_SESSION_KEY, "") if request else ""
    return forms.CharField(
        label=_("Referral code"),
        required=False,
        max_length=32,
        initial=remembered,
        validators=[validate_plain_text],
        help_text=_("Optional: the code from your sales contact, if you have one."),
    )


class LanguageForm(forms.Form):
    language = forms.ChoiceField(choices=settings.LANGUAGES)
    next = forms.CharField(required=False)
