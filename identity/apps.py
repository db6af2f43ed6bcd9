from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IdentityConfig(AppConfig):
    name = "identity"
    verbose_name = _("Identity assurance")

    def ready(self):
        from verification.status import when_status_changes

        from . import duplicates

        # A rejected or withdrawn application's faces are no longer kept for duplicate checks.
        when_status_changes(duplicates.on_status_change)
