"""Creating clients, keys and webhook endpoints; rotating secrets. Commands and the admin
call these; a key or secret is returned once and only its hash (or ciphertext) is kept."""

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from sales.models import SalesGroup

from . import webhooks
from .models import (
    ALL_EVENT_TYPES,
    ALL_SCOPES,
    ApiClient,
    ClientApiKey,
    WebhookEndpoint,
    new_webhook_secret,
)


@transaction.atomic
def create_client(name: str, *, sales_group_name: str | None = None) -> tuple[ApiClient, str]:
    """A new client and its first key with every scope; returns (client, the key in clear).

    Raises ValidationError for a taken name or an unknown sales group.
    """
    name = name.strip()
    if not name or ApiClient.objects.filter(name__iexact=name).exists():
        raise ValidationError(f"A client named {name!r} exists already (or the name is empty).")
    group = None
    if sales_group_name:
        group = SalesGroup.objects.filter(name=sales_group_name).first()
        if group is None:
            raise ValidationError(f"No sales group named {sales_group_name!r}.")
    client = ApiClient.objects.create(name=name, sales_group=group)
    _key, key = create_key(client, name=f"{name} (first key)")
    return client, key


def create_key(client: ApiClient, *, name: str, scopes=None) -> tuple[ClientApiKey, str]:
    scopes = list(ALL_SCOPES if scopes is None else scopes)
    unknown = set(scopes) - set(ALL_SCOPES)
    if unknown:
        raise ValidationError(f"Unknown scopes: {', '.join(sorted(unknown))}.")
    return ClientApiKey.objects.create_key(client=client, name=name, scopes=scopes)


def revoke_key(api_key: ClientApiKey) -> None:
    ClientApiKey.objects.filter(pk=api_key.pk).update(revoked=True)


def check_endpoint_url(url: str) -> None:
    """Raises ValidationError for a URL that deliveries would refuse (webhooks.post)."""
    try:
        webhooks.check_url_shape(url)
    except webhooks.TargetNotAllowed as error:
        raise ValidationError(str(error)) from None


def check_events(events) -> list[str]:
    unknown = set(events) - set(ALL_EVENT_TYPES)
    if unknown:
        raise ValidationError(
            _("Unknown events: %(unknown)s (known: %(known)s).")
            % {"unknown": ", ".join(sorted(unknown)), "known": ", ".join(ALL_EVENT_TYPES)}
        )
    return list(events)


def add_endpoint(client: ApiClient, url: str, *, events=()) -> tuple[WebhookEndpoint, str]:
    """A new endpoint; returns (endpoint, its signing secret whsec_... in clear)."""
    check_endpoint_url(url)
    secret = new_webhook_secret()
    endpoint = WebhookEndpoint.objects.create(
        client=client, url=url, events=check_events(events), secret=secret
    )
    return endpoint, secret


@transaction.atomic
def rotate_secret(endpoint_id: int, *, grace: datetime.timedelta | None = None) -> str:
    """A new secret; the old one keeps signing too for the grace period. Returns the new one."""
    endpoint = WebhookEndpoint.objects.select_for_update().get(pk=endpoint_id)
    if grace is None:
        grace = datetime.timedelta(hours=settings.WEBHOOK_SECRET_GRACE_HOURS)
    secret = new_webhook_secret()
    endpoint.previous_secret = endpoint.secret
    endpoint.previous_secret_until = timezone.now() + grace
    endpoint.secret = secret
    endpoint.save(update_fields=["secret", "previous_secret", "previous_secret_until"])
    return secret
