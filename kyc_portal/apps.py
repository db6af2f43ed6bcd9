from django.apps import AppConfig


class KycPortalConfig(AppConfig):
    name = "kyc_portal"
    verbose_name = "KYC portal"

    def ready(self):
        from . import checks  # noqa: F401 - registers the system checks
