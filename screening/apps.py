from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ScreeningConfig(AppConfig):
    name = "screening"
    verbose_name = _("Sanctions and PEP screening")

    def ready(self):
        from verification.status import when_status_changes

        from .handlers import screen_on_submission

        when_status_changes(screen_on_submission)
