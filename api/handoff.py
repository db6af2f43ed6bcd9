"""The hand-off link: a shop sends its customer here with a signed, single-use, expiring link;
the customer signs up or in, their account gets the shop's reference, they fill in the
wizard, and on submitting they are sent back to the shop's return URL (on its registered
domains only)."""

import datetime
from urllib.parse import urlsplit

from django.conf import settings
from django.core import signing
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from accounts import roles

from .models import ApiClient, ClientCustomer, Invitation

SALT = "api.handoff"


class HandoffRefused(Exception):
    """The link cannot be used; `reason` names the page the customer sees."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


TAMPERED, EXPIRED, USED, RETURN_URL, REFERENCE_TAKEN, STAFF = (
    "tampered",
    "expired",
    "used",
    "return_url",
    "reference_taken",
    "staff",
)


def return_url_allowed(client: ApiClient, url: str) -> bool:
    """https, on one of the client's registered host names, with no user name in it."""
    if not url:
        return True
    parts = urlsplit(url)
    return (
        parts.scheme == "https"
        and parts.hostname is not None
        and parts.hostname.lower() in client.domains
        and not parts.username
        and not parts.password
    )


def create_invitation(client: ApiClient, *, reference: str, email="", return_url="") -> Invitation:
    """A new invitation. Raises HandoffRefused(RETURN_URL) for a return URL off the client's
    registered domains."""
    if not return_url_allowed(client, return_url):
        raise HandoffRefused(RETURN_URL)
    hours = settings.API_HANDOFF_LINK_HOURS
    return Invitation.objects.create(
        client=client,
        reference=reference,
        email=email,
        return_url=return_url,
        expires_at=timezone.now() + datetime.timedelta(hours=hours),
    )


def link_for(invitation: Invitation) -> str:
    token = signing.dumps({"i": invitation.pk, "n": invitation.nonce}, salt=SALT)
    return settings.PORTAL_URL.rstrip("/") + reverse("api:handoff", args=[token])


def _usable(invitation: Invitation) -> None:
    if invitation.used_at is not None:
        raise HandoffRefused(USED)
    if invitation.expires_at <= timezone.now():
        raise HandoffRefused(EXPIRED)
    if not invitation.client.active:
        raise HandoffRefused(EXPIRED)
    if not return_url_allowed(invitation.client, invitation.return_url):
        raise HandoffRefused(RETURN_URL)  # the domain was unregistered since


def invitation_from(token: str) -> Invitation:
    """The usable invitation a link names. Raises HandoffRefused (tampered, used, expired,
    return URL no longer registered)."""
    try:
        claims = signing.loads(token, salt=SALT)
        invitation = Invitation.objects.select_related("client").get(
            pk=int(claims["i"]), nonce=str(claims["n"])
        )
    except (signing.BadSignature, KeyError, TypeError, ValueError, Invitation.DoesNotExist):
        raise HandoffRefused(TAMPERED) from None
    _usable(invitation)
    return invitation


@transaction.atomic
def accept(invitation_id: int, user) -> Invitation:
    """Attaches the invitation's reference to `user`'s account and uses the link up.

    Raises HandoffRefused: used or expired (the row lock makes two tabs take turns), staff, or
    the reference (or this customer) already linked otherwise at this client.
    """
    invitation = (
        Invitation.objects.select_for_update().select_related("client").get(pk=invitation_id)
    )
    if roles.is_staff_member(user):
        raise HandoffRefused(STAFF)
    _usable(invitation)
    existing = ClientCustomer.objects.filter(client=invitation.client, user=user).first()
    if existing is not None and existing.reference != invitation.reference:
        raise HandoffRefused(REFERENCE_TAKEN)
    if existing is None:
        try:
            with transaction.atomic():
                ClientCustomer.objects.create(
                    client=invitation.client, user=user, reference=invitation.reference
                )
        except IntegrityError:
            raise HandoffRefused(REFERENCE_TAKEN) from None
    invitation.used_at = timezone.now()
    invitation.used_by = user
    invitation.save(update_fields=["used_at", "used_by"])
    return invitation


def return_after_submit(invitation_id: int, user) -> tuple[str, str] | None:
    """(return URL, shop name) once the customer submitted, if the URL is still on the
    client's registered domains; otherwise None."""
    from verification.models import Status, Verification

    invitation = (
        Invitation.objects.select_related("client").filter(pk=invitation_id, used_by=user).first()
    )
    if invitation is None or not invitation.return_url:
        return None
    if not return_url_allowed(invitation.client, invitation.return_url):
        return None
    submitted = Verification.objects.filter(user=user).exclude(status=Status.DRAFT).exists()
    return (invitation.return_url, invitation.client.name) if submitted else None
