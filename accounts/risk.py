"""Recording abnormal account activity for the risk-control side of review."""

from django.urls import resolve
from django.urls.exceptions import Resolver404

from kyc_portal import crypto

from .models import RiskEvent

_KIND_BY_URL_NAME = {
    "account_signup": RiskEvent.Kind.SIGNUP_RATE_LIMITED,
    "account_login": RiskEvent.Kind.LOGIN_RATE_LIMITED,
    "account_reset_password": RiskEvent.Kind.RESET_RATE_LIMITED,
}


def client_ip_hash(request) -> str:
    """A keyed hash of the client address as allauth sees it (forged X-Forwarded-For ignored)."""
    from allauth.account.adapter import get_adapter

    try:
        ip = get_adapter(request).get_client_ip(request)
    except Exception:  # noqa: BLE001 - no address is no reason to fail a request
        return ""
    return crypto.lookup_hash(ip)


def record_rate_limited(request, *, kind=None, email_domain="") -> RiskEvent:
    """Writes one risk event for a request that a rate limit turned away."""
    if kind is None:
        try:
            url_name = resolve(request.path_info).url_name
        except Resolver404:
            url_name = None
        kind = _KIND_BY_URL_NAME.get(url_name, RiskEvent.Kind.OTHER_RATE_LIMITED)
    user = request.user if request.user.is_authenticated else None
    return record(request, kind=kind, user=user, email_domain=email_domain)


def sign_in_locked(request, *, key) -> bool:
    """True once allauth's login_failed limit for this key (or the address) is used up."""
    from allauth.core import ratelimit

    return not ratelimit.consume(request, action="login_failed", key=key, dry_run=True)


def record(request, *, kind, user=None, email_domain="") -> RiskEvent:
    """Writes one risk event about this request: the client's address hashed, never kept."""
    return RiskEvent.objects.create(
        kind=kind,
        user=user,
        ip_hash=client_ip_hash(request),
        email_domain=email_domain,
        path=request.path_info[:200],
    )


def events_for(user):
    """Risk events tied to a customer: their own, and those from the address they signed up from."""
    from django.db.models import Q

    query = Q(user=user)
    if user.signup_ip_hash:
        query |= Q(ip_hash=user.signup_ip_hash)
    return RiskEvent.objects.filter(query)


def two_step_code_failed(sender, request, user, **kwargs):
    """Receives allauth.mfa's authentication_failed: a wrong code that locks sign-in is recorded."""
    # allauth.mfa counts wrong codes under this key (allauth.mfa.base.internal.flows).
    if sign_in_locked(request, key=f"mfa-auth-user-{user.pk}"):
        record(request, kind=RiskEvent.Kind.TWO_STEP_LOCKED, user=user)
