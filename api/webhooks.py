"""Delivering webhooks: Standard Webhooks signatures, safe targets, retries with backoff.

Each delivery row is locked while it is attempted, so the task and the sweep (or two
deliveries of one task message) take turns; whoever comes second sees it delivered or not due.
A worker killed mid-attempt rolls back its lock and the row stays pending for the sweep. The
receiver may therefore, rarely, see one webhook-id twice: Standard Webhooks receivers dedupe on
it. Events of one applicant reach an endpoint in order: a later one waits for earlier ones.
"""

import datetime
import http.client
import ipaddress
import json
import logging
import socket
import ssl
import time
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from standardwebhooks.webhooks import Webhook

from .models import ClientEvent, WebhookAttempt, WebhookDelivery, WebhookEndpoint

logger = logging.getLogger(__name__)

MAX_LOGGED_BODY = 1024


class TargetNotAllowed(Exception):
    """The endpoint URL is not https or resolves to a private, loopback or reserved address."""


@dataclass
class Answer:
    status: int | None
    body: str
    error: str
    seconds: float

    @property
    def ok(self) -> bool:
        return self.status is not None and 200 <= self.status < 300


def body_of(event: ClientEvent) -> str:
    """The payload, per Standard Webhooks: type, timestamp and the applicant as the API shows."""
    return json.dumps(
        {"type": event.type, "timestamp": event.created_at.isoformat(), "data": event.data},
        separators=(",", ":"),
        sort_keys=True,
    )


def signing_secrets(endpoint: WebhookEndpoint, now: datetime.datetime) -> list[str]:
    """The current secret, and the previous one while its grace period lasts."""
    found = [endpoint.secret]
    until = endpoint.previous_secret_until
    if endpoint.previous_secret and until and now < until:
        found.append(endpoint.previous_secret)
    return found


def signed_headers(event: ClientEvent, body: str, secrets: list[str], now) -> dict[str, str]:
    """webhook-id, webhook-timestamp and webhook-signature (one v1 signature per secret)."""
    signatures = " ".join(Webhook(secret).sign(event.message_id, now, body) for secret in secrets)
    return {
        "webhook-id": event.message_id,
        "webhook-timestamp": str(int(now.timestamp())),
        "webhook-signature": signatures,
        "content-type": "application/json",
        "user-agent": "kyc-portal-webhooks/1",
    }


def check_url_shape(url: str) -> None:
    """https only (http too where private targets are allowed, for development and tests)."""
    parts = urlsplit(url)
    schemes = ("https", "http") if settings.WEBHOOK_ALLOW_PRIVATE_TARGETS else ("https",)
    if parts.scheme not in schemes or not parts.hostname:
        raise TargetNotAllowed(
            _("The URL must start with %(schemes)s and name a host.")
            % {"schemes": " / ".join(f"{scheme}://" for scheme in schemes)}
        )
    if parts.username or parts.password:
        raise TargetNotAllowed(_("The URL must not carry a user name or password."))


def resolve_public(host: str, port: int) -> str:
    """One address of `host` to connect to; every address must be public (no SSRF into the
    portal's own network) unless WEBHOOK_ALLOW_PRIVATE_TARGETS is on."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror as error:
        raise TargetNotAllowed(_("The host name does not resolve.")) from error
    addresses = [info[4][0] for info in infos]
    if not settings.WEBHOOK_ALLOW_PRIVATE_TARGETS:
        for address in addresses:
            if not ipaddress.ip_address(address.split("%")[0]).is_global:
                raise TargetNotAllowed(_("The host resolves to a private or reserved address."))
    return addresses[0]


class _PinnedHTTPSConnection(http.client.HTTPSConnection):
    """Connects to the address that was checked, while TLS still checks the host name."""

    def __init__(self, host, address, **kwargs):
        super().__init__(host, **kwargs)
        self._address = address

    def connect(self):
        sock = socket.create_connection((self._address, self.port), self.timeout)
        self.sock = self._context.wrap_socket(sock, server_hostname=self.host)


class _PinnedHTTPConnection(http.client.HTTPConnection):
    def __init__(self, host, address, **kwargs):
        super().__init__(host, **kwargs)
        self._address = address

    def connect(self):
        self.sock = socket.create_connection((self._address, self.port), self.timeout)


def post(url: str, body: str, headers: dict[str, str]) -> Answer:
    """POSTs once; never follows redirects. Errors come back in the Answer, not raised."""
    started = time.monotonic()
    timeout = settings.WEBHOOK_TIMEOUT_SECONDS
    try:
        check_url_shape(url)
        parts = urlsplit(url)
        port = parts.port or (443 if parts.scheme == "https" else 80)
        address = resolve_public(parts.hostname, port)
        if parts.scheme == "https":
            connection = _PinnedHTTPSConnection(
                parts.hostname,
                address,
                port=port,
                timeout=timeout,
                context=ssl.create_default_context(),
            )
        else:
            connection = _PinnedHTTPConnection(parts.hostname, address, port=port, timeout=timeout)
        path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        try:
            connection.request("POST", path, body=body.encode(), headers=headers)
            response = connection.getresponse()
            answer_body = response.read(MAX_LOGGED_BODY).decode("utf-8", "replace")
            status = response.status
        finally:
            connection.close()
    except TargetNotAllowed as error:
        return Answer(None, "", str(error), time.monotonic() - started)
    except (OSError, http.client.HTTPException) as error:
        # The class only (a timeout, a refused connection): messages can carry addresses.
        return Answer(None, "", type(error).__name__, time.monotonic() - started)
    return Answer(status, answer_body, "", time.monotonic() - started)


def retry_delay(attempts: int) -> datetime.timedelta | None:
    """How long to wait after the attempts-th failure; None when the schedule is used up."""
    schedule = settings.WEBHOOK_RETRY_SCHEDULE
    if attempts > len(schedule):
        return None
    return datetime.timedelta(seconds=schedule[attempts - 1])


def _earlier_pending(delivery: WebhookDelivery) -> bool:
    """An earlier event of the same applicant still waits for this endpoint."""
    return WebhookDelivery.objects.filter(
        endpoint_id=delivery.endpoint_id,
        event__user_id=delivery.event.user_id,
        state=WebhookDelivery.State.PENDING,
        event_id__lt=delivery.event_id,
    ).exists()


def _next_in_line(delivery: WebhookDelivery) -> int | None:
    """The applicant's next pending delivery for this endpoint, held back by this one."""
    return (
        WebhookDelivery.objects.filter(
            endpoint_id=delivery.endpoint_id,
            event__user_id=delivery.event.user_id,
            state=WebhookDelivery.State.PENDING,
            event_id__gt=delivery.event_id,
        )
        .order_by("event_id")
        .values_list("pk", flat=True)
        .first()
    )


def attempt_delivery(delivery_id: int, *, force: bool = False) -> str:
    """Attempts one pending, due delivery once and records the attempt.

    Returns what happened: "delivered", "retry", "failed", or "skipped" (already delivered,
    not due, locked by another attempt, or waiting for an earlier event of the applicant).
    `force` (the admin's resend) attempts it whatever its state and schedule.
    """
    from . import events

    follow_up = None
    with transaction.atomic():
        # Only the delivery's row (of=self): locking the joined endpoint too would make
        # concurrent deliveries to one endpoint skip each other.
        delivery = (
            WebhookDelivery.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("event", "endpoint")
            .filter(pk=delivery_id)
            .first()
        )
        if delivery is None:
            return "skipped"
        now = timezone.now()
        if not force and (
            delivery.state != WebhookDelivery.State.PENDING
            or delivery.next_attempt_at > now
            or _earlier_pending(delivery)
        ):
            return "skipped"
        event, endpoint = delivery.event, delivery.endpoint
        body = body_of(event)
        headers = signed_headers(event, body, signing_secrets(endpoint, now), now)
        answer = post(endpoint.url, body, headers)
        WebhookAttempt.objects.create(
            delivery=delivery,
            succeeded=answer.ok,
            response_code=answer.status,
            response_body=answer.body[:MAX_LOGGED_BODY],
            error=answer.error[:200],
            seconds=round(answer.seconds, 3),
        )
        delivery.attempts += 1
        if answer.ok:
            delivery.state = WebhookDelivery.State.DELIVERED
            delivery.delivered_at = timezone.now()
            outcome = "delivered"
            if endpoint.failing_since is not None:
                WebhookEndpoint.objects.filter(pk=endpoint.pk).update(failing_since=None)
        else:
            delay = retry_delay(delivery.attempts)
            if delay is None or force and delivery.state == WebhookDelivery.State.FAILED:
                delivery.state = WebhookDelivery.State.FAILED
                outcome = "failed"
                _mark_failing(endpoint)
            else:
                delivery.next_attempt_at = timezone.now() + delay
                outcome = "retry"
        delivery.save(update_fields=["state", "attempts", "next_attempt_at", "delivered_at"])
        if outcome in ("delivered", "failed"):
            follow_up = _next_in_line(delivery)
    if follow_up is not None:
        transaction.on_commit(lambda: events.queue_delivery(follow_up))
    logger.info("Webhook delivery %s: %s (HTTP %s)", delivery_id, outcome, answer.status)
    return outcome


def _mark_failing(endpoint: WebhookEndpoint) -> None:
    """The endpoint gave up on a delivery: mark it and tell the supervisors once."""
    from . import supervision

    updated = WebhookEndpoint.objects.filter(pk=endpoint.pk, failing_since__isnull=True).update(
        failing_since=timezone.now()
    )
    if updated:
        transaction.on_commit(lambda: supervision.tell_supervisors_endpoint_failing(endpoint.pk))


def resend(delivery_id: int) -> str:
    """The admin's resend: one attempt now, whatever the delivery's state."""
    return attempt_delivery(delivery_id, force=True)


def due_delivery_ids(limit: int = 500) -> list[int]:
    """Pending deliveries whose time has come (retries, and those the broker never got)."""
    return list(
        WebhookDelivery.objects.filter(
            state=WebhookDelivery.State.PENDING, next_attempt_at__lte=timezone.now()
        )
        .order_by("next_attempt_at", "pk")
        .values_list("pk", flat=True)[:limit]
    )
