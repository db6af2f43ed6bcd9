from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ApiConfig(AppConfig):
    name = "api"
    verbose_name = _("Shop API and webhooks")

    def ready(self):
        from privacy.services import when_account_erased
        from verification.status import when_status_changes

        from . import erasure, events, signals  # noqa: F401 - signals connects its receivers

        # Registered after notifications' handler (INSTALLED_APPS order), so a pass's
        # valid_until is already set when the event's snapshot is taken.
        when_status_changes(events.on_status_change)
        when_account_erased(erasure.forget_customer)
