from django import forms
from django.utils.translation import gettext_lazy as _

from .selectors import STATUS_FILTERS


class CustomerSearchForm(forms.Form):
    """The inquiry list's search box and status filter (GET only: it changes nothing)."""

    q = forms.CharField(
        label=_("Email"),
        required=False,
        max_length=254,
        widget=forms.TextInput(attrs={"type": "search", "placeholder": _("Search by email")}),
    )
    status = forms.ChoiceField(
        label=_("KYC status"),
        required=False,
        choices=[("", _("All statuses"))]
        + [(key, label) for key, (label, _statuses) in STATUS_FILTERS.items()],
    )

    def criteria(self) -> dict:
        """The search as keyword arguments for selectors.search_customers; invalid parts are left
        out (the form then shows their error)."""
        self.is_valid()
        data = self.cleaned_data
        return {"email": data.get("q", ""), "status": data.get("status", "")}
