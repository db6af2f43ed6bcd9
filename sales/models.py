import secrets

from django.db import models
from django.utils.translation import gettext_lazy as _


def new_referral_code() -> str:
    return secrets.token_hex(4).upper()


class SalesGroup(models.Model):
    """A sales team. Its customers sign up with its referral code; its inquiry login reads them."""

    name = models.CharField(_("name"), max_length=120, unique=True)
    referral_code = models.CharField(
        _("referral code"), max_length=16, unique=True, default=new_referral_code
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("sales group")

    def __str__(self):
        return self.name
