"""Wizard forms: the shape of the input. The rules live in verification.services."""

from django import forms
from django.utils import translation
from django.utils.translation import gettext_lazy as _
from django_countries import countries

from kyc_portal.validators import validate_multiline_text, validate_plain_text

from . import services
from .models import AccountType, DocumentType, Sex, Verification

OTHER_DOCUMENT_TYPES = [
    (DocumentType.NATIONAL_ID.value, DocumentType.NATIONAL_ID.label),
    (DocumentType.DRIVING_LICENCE.value, DocumentType.DRIVING_LICENCE.label),
    (DocumentType.RESIDENCE_PERMIT.value, DocumentType.RESIDENCE_PERMIT.label),
]
NAME_PUNCTUATION = " -'’."


def country_choices() -> list[tuple[str, str]]:
    """Every ISO 3166 country, named in English and Chinese so either can be searched."""
    with translation.override("en"):
        english = {code: str(name) for code, name in countries}
    with translation.override("zh-hans"):
        chinese = {code: str(name) for code, name in countries}
    # Sorted in the reader's language.
    ordered = chinese if (translation.get_language() or "").startswith("zh") else english
    choices = [("", _("Choose a country"))]
    for code in sorted(ordered, key=lambda c: ordered[c]):
        label = (
            english[code]
            if english[code] == chinese[code]
            else f"{english[code]} · {chinese[code]}"
        )
        choices.append((code, label))
    return choices


class CertificateForm(forms.Form):
    account_type = forms.ChoiceField(
        label=_("Account type"), choices=AccountType.choices, widget=forms.RadioSelect
    )
    nationality = forms.ChoiceField(label=_("Nationality"))
    document_choice = forms.ChoiceField(
        label=_("ID document type"),
        choices=[("passport", _("Passport")), ("others", _("Others"))],
        widget=forms.RadioSelect,
        help_text=_("A passport is recognised by our OCR system automatically."),
    )
    other_document_type = forms.ChoiceField(
        label=_("Which document?"),
        choices=[("", "—"), *OTHER_DOCUMENT_TYPES],
        required=False,
    )
    organization_name = forms.CharField(
        label=_("Legal name"), max_length=200, required=False, validators=[validate_plain_text]
    )
    organization_registration_number = forms.CharField(
        label=_("Registration number"),
        max_length=64,
        required=False,
        validators=[validate_plain_text],
    )
    organization_country = forms.ChoiceField(label=_("Country of incorporation"), required=False)

    def __init__(self, *args, verification: Verification | None = None, **kwargs):
        if verification is not None and "initial" not in kwargs:
            kwargs["initial"] = initial_certificate(verification)
        super().__init__(*args, **kwargs)
        choices = country_choices()
        self.fields["nationality"].choices = choices
        self.fields["organization_country"].choices = choices

    def clean(self):
        data = super().clean()
        if data.get("document_choice") == "passport":
            data["document_type"] = DocumentType.PASSPORT.value
        elif data.get("document_choice") == "others":
            if not data.get("other_document_type"):
                self.add_error("other_document_type", _("Choose which document you will use."))
            data["document_type"] = data.get("other_document_type", "")
        if data.get("account_type") == AccountType.ORGANIZATION:
            for name in ("organization_name", "organization_registration_number",
                         "organization_country"):  # fmt: skip
                if not data.get(name) and name not in self.errors:  # one message per field
                    self.add_error(name, _("An organization must give this."))
        return data

    def to_application(self) -> dict:
        data = self.cleaned_data
        return {name: data.get(name, "") for name in services.CERTIFICATE_FIELDS}


def initial_certificate(verification: Verification) -> dict:
    initial = {name: getattr(verification, name) for name in services.CERTIFICATE_FIELDS}
    initial["nationality"] = str(verification.nationality or "")
    initial["organization_country"] = str(verification.organization_country or "")
    if verification.document_type == DocumentType.PASSPORT:
        initial["document_choice"] = "passport"
    elif verification.document_type:
        initial["document_choice"] = "others"
        initial["other_document_type"] = verification.document_type
    return initial


class DocumentUploadForm(forms.Form):
    kind = forms.CharField(widget=forms.HiddenInput)
    file = forms.FileField(
        label=_("Image file"),
        widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png"}),
        help_text=_("JPEG or PNG, at most 10 MB, sharp and well lit, all four corners visible."),
    )


def _name_validator(value: str) -> None:
    validate_plain_text(value)  # the clearer message for an invisible character
    if not any(ch.isalpha() for ch in value) or not all(
        ch.isalpha() or ch in NAME_PUNCTUATION for ch in value
    ):
        raise forms.ValidationError(
            _("Use letters only (spaces, hyphens and apostrophes are fine), as printed.")
        )


class DateInput(forms.DateInput):
    input_type = "date"

    def format_value(self, value):
        return value.isoformat() if hasattr(value, "isoformat") else value


class DetailsForm(forms.Form):
    surname = forms.CharField(label=_("Surname"), max_length=100, validators=[_name_validator])
    given_names = forms.CharField(
        label=_("Given names"),
        max_length=150,
        required=False,
        validators=[_name_validator],
        help_text=_("All of them, in the order printed. Leave empty if the document shows none."),
    )
    sex = forms.ChoiceField(label=_("Sex"), choices=Sex.choices, widget=forms.RadioSelect)
    date_of_birth = forms.DateField(label=_("Date of birth"), widget=DateInput)
    document_number = forms.CharField(
        label=_("Document number"), max_length=30, validators=[validate_plain_text]
    )
    nationality = forms.ChoiceField(label=_("Nationality"))
    expiry_date = forms.DateField(label=_("Expiry date"), widget=DateInput)
    address = forms.CharField(
        label=_("Address"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=500,
        validators=[validate_multiline_text],
        help_text=_("As printed on the document."),
    )

    def __init__(self, *args, verification: Verification, prefilled: dict | None = None, **kw):
        initial = {name: getattr(verification, name) for name in services.DETAIL_FIELDS}
        initial["nationality"] = str(verification.nationality or "")
        initial.update(prefilled or {})
        super().__init__(*args, initial=initial, **kw)
        self.verification = verification
        self.fields["nationality"].choices = country_choices()
        if verification.document_type == DocumentType.PASSPORT:
            del self.fields["address"]
        allowed = services.editable_items(verification)
        if allowed is not None:
            # During a supplement request only what staff asked for can change.
            for name, form_field in self.fields.items():
                if f"field:{name}" not in allowed:
                    form_field.disabled = True
                    # The stored value is not the customer's to fix now (it may predate a
                    # check): checks apply to what they may type.
                    form_field.validators = []

    def clean(self):
        data = super().clean()
        problems = services.detail_problems(self.verification.document_type, data)
        for name, message in problems.items():
            if name in self.fields and name not in self.errors:
                self.add_error(name, message)
        return data
