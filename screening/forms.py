from django import forms
from django.utils.translation import gettext_lazy as _

from .resolution import FALSE_POSITIVE, TRUE_MATCH


class ResolutionForm(forms.Form):
    resolution = forms.ChoiceField(
        choices=[(FALSE_POSITIVE, _("False positive")), (TRUE_MATCH, _("True match"))]
    )
    reason = forms.CharField(label=_("Reason"), max_length=2000)
