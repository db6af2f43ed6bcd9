"""System checks for settings whose mistakes only show outside development."""

from urllib.parse import urlsplit

from django.conf import settings
from django.core import checks

_LOCAL_HOSTS = {"localhost", "127.0.0.1", "::1", "0.0.0.0"}  # noqa: S104 - compared, not bound


@checks.register(checks.Tags.security, deploy=True)
def portal_url_is_public(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    """With DEBUG off, email links must point at the portal's public https address."""
    if settings.DEBUG:
        return []
    url = settings.PORTAL_URL
    if not url:
        return [
            checks.Error(
                "PORTAL_URL is not set: links in emails would not lead to the portal.",
                hint="Set PORTAL_URL to the public address, e.g. https://kyc.example.com.",
                id="kyc_portal.E001",
            )
        ]
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    if host in _LOCAL_HOSTS or host.endswith(".localhost"):
        return [
            checks.Error(
                f"PORTAL_URL points at this machine ({host}): links in emails would not reach "
                "customers.",
                hint="Set PORTAL_URL to the public address, e.g. https://kyc.example.com.",
                id="kyc_portal.E002",
            )
        ]
    if parts.scheme != "https":
        return [
            checks.Error(
                "PORTAL_URL does not use https: links in emails would send customers to a page "
                "that is not encrypted.",
                hint="Use the https:// address the TLS proxy answers on.",
                id="kyc_portal.E003",
            )
        ]
    return []
