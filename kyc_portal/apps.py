from django.apps import AppConfig


class KycPortalConfig(AppConfig):
    name = "kyc_portal"
    verbose_name = "KYC portal"
