from django import forms
from django.utils.translation import gettext_lazy as _


class ErasureForm(forms.Form):
    """Erasure can't be undone, so the customer types their password and ticks a box."""

    password = forms.CharField(label=_("Your password"), widget=forms.PasswordInput)
    confirm = forms.BooleanField(
        label=_("I understand that my account and data will be deleted and cannot be restored."),
        error_messages={"required": _("Please tick the box to confirm the deletion.")},
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_password(self):
        password = self.cleaned_data["password"]
        if not self.user.check_password(password):
            raise forms.ValidationError(_("That password is not correct."))
        return password
