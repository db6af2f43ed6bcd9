from django import forms
from django.utils.translation import gettext_lazy as _
from django_countries import countries

from verification.models import AccountType, Document, DocumentType, Status

from .models import CORRECTABLE_FIELDS, RejectionReason, ReviewDecision


class QueueFilterForm(forms.Form):
    q = forms.CharField(
        label=_("Search"),
        required=False,
        max_length=100,
        widget=forms.TextInput(
            attrs={"placeholder": _("Email, name or document number"), "type": "search"}
        ),
    )
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("Provided and under review")), (Status.PROVIDED, Status.PROVIDED.label),
                 (Status.UNDER_REVIEW, Status.UNDER_REVIEW.label)],
    )  # fmt: skip
    nationality = forms.ChoiceField(
        label=_("Nationality"), required=False, choices=[("", _("Any"))]
    )
    document_type = forms.ChoiceField(
        label=_("Document type"), required=False, choices=[("", _("Any")), *DocumentType.choices]
    )
    account_type = forms.ChoiceField(
        label=_("Account type"), required=False, choices=[("", _("Any")), *AccountType.choices]
    )
    ocr_mismatch = forms.BooleanField(label=_("OCR mismatch"), required=False)
    returned = forms.BooleanField(label=_("Supplement returned"), required=False)
    screening_hit = forms.BooleanField(label=_("Screening hit"), required=False)
    mine = forms.BooleanField(label=_("Assigned to me"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["nationality"].choices = [("", _("Any")), *countries]


class DecisionForm(forms.Form):
    """The shape of a decision; the rules (reasons needed, four eyes...) are in services."""

    outcome = forms.ChoiceField(choices=ReviewDecision.Outcome.choices, widget=forms.RadioSelect)
    evidence_version = forms.IntegerField(widget=forms.HiddenInput)
    reasons = forms.MultipleChoiceField(
        label=_("Reasons"),
        required=False,
        choices=RejectionReason.choices,
        widget=forms.CheckboxSelectMultiple,
    )
    other_reason = forms.CharField(label=_("Other reason"), required=False, max_length=300)
    final = forms.BooleanField(label=_("Final: the customer may not apply again"), required=False)
    requested_items = forms.MultipleChoiceField(
        label=_("Re-upload or correct"),
        required=False,
        choices=[(f"document:{v}", label) for v, label in Document.Kind.choices]
        + [(f"field:{name}", label) for name, label in CORRECTABLE_FIELDS.items()],
        widget=forms.CheckboxSelectMultiple,
    )
    # One message box per outcome, so what the customer reads follows the button pressed;
    # record_decision checks it again (an empty box gets the outcome's standard text).
    pass_message = forms.CharField(
        label=_("Message to the customer (in their language)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    reject_message = forms.CharField(
        label=_("Message to the customer: why it was not approved"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    supplement_message = forms.CharField(
        label=_("Message to the customer: what to re-upload or enter again"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    internal_note = forms.CharField(
        label=_("Internal note (never shown to the customer)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    ACKNOWLEDGE_PREFIX = "acknowledge:"

    def clean(self):
        data = super().clean()
        data["customer_message"] = data.get(f"{data.get('outcome')}_message", "")
        # "acknowledge:<signal key>" boxes: one reason per risk signal (see review/signals.py).
        acknowledgements = {}
        for name in self.data:
            if name.startswith(self.ACKNOWLEDGE_PREFIX):
                reason = (self.data.get(name) or "").strip()
                if len(reason) > 1000:
                    raise forms.ValidationError(_("A reason can be at most 1000 characters."))
                acknowledgements[name.removeprefix(self.ACKNOWLEDGE_PREFIX)] = reason
        data["acknowledgements"] = acknowledgements
        return data


class DocumentMarkForm(forms.Form):
    state = forms.ChoiceField(
        choices=[
            (Document.ReviewState.ACCEPTED, Document.ReviewState.ACCEPTED.label),
            (Document.ReviewState.REUPLOAD_NEEDED, Document.ReviewState.REUPLOAD_NEEDED.label),
        ]
    )
    reason = forms.CharField(label=_("Reason"), required=False, max_length=500)
    evidence_version = forms.IntegerField(widget=forms.HiddenInput)


class ReassignForm(forms.Form):
    reviewer = forms.ModelChoiceField(label=_("Reviewer"), queryset=None)

    def __init__(self, *args, **kwargs):
        from django.contrib.auth import get_user_model

        from accounts import roles

        super().__init__(*args, **kwargs)
        self.fields["reviewer"].queryset = (
            get_user_model()
            .objects.filter(groups__name__in=[roles.REVIEWER, roles.SUPERVISOR], is_active=True)
            .distinct()
            .order_by("email")
        )


class ConfirmationForm(forms.Form):
    """The second pair of eyes: a supervisor's answer to a final rejection or a true match."""

    confirmed = forms.TypedChoiceField(
        choices=[("yes", _("Confirm")), ("no", _("Decline"))],
        coerce=lambda value: value == "yes",
    )
    note = forms.CharField(label=_("Note"), required=False, max_length=2000)
