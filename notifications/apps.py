from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    name = "notifications"
    verbose_name = _("Notifications")

    def ready(self):
        from verification.status import when_status_changes

        from . import handlers

        when_status_changes(handlers.on_status_change)
