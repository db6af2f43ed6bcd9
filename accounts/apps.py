from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = _("Accounts")

    def ready(self):
        from allauth.mfa import signals as mfa_signals

        from . import risk

        mfa_signals.authentication_failed.connect(
            risk.two_step_code_failed, dispatch_uid="accounts.risk.two_step_code_failed"
        )
