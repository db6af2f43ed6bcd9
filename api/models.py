"""Clients of the API (a shop, or a sales group's integration), their keys, their customers,
the events they are told about and the webhooks that carry them."""

import secrets

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from rest_framework_api_key.models import AbstractAPIKey, BaseAPIKeyManager

from kyc_portal.fields import EncryptedTextField


class Scope(models.TextChoices):
    APPLICANTS_READ = "applicants:read", _("Look up applicants")
    EVENTS_READ = "events:read", _("Read the list of status changes")
    INVITATIONS_WRITE = "invitations:write", _("Create hand-off links")


ALL_SCOPES = [scope.value for scope in Scope]


class EventType(models.TextChoices):
    SUBMITTED = "applicant.submitted", "applicant.submitted"
    UNDER_REVIEW = "applicant.under_review", "applicant.under_review"
    ACTION_REQUIRED = "applicant.action_required", "applicant.action_required"
    PASSED = "applicant.passed", "applicant.passed"
    REJECTED = "applicant.rejected", "applicant.rejected"
    LAPSED = "applicant.lapsed", "applicant.lapsed"


ALL_EVENT_TYPES = [event.value for event in EventType]


class ApiClient(models.Model):
    """A shop or a sales group's integration. It sees only its own customers: those it attached
    a reference to (ClientCustomer) and, if it has a sales group, that group's customers."""

    name = models.CharField(_("name"), max_length=120, unique=True)
    sales_group = models.ForeignKey(
        "sales.SalesGroup",
        verbose_name=_("sales group"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="api_clients",
        help_text=_("Empty for a shop: it then sees only the customers it sent here."),
    )
    return_domains = models.TextField(
        _("registered domains"),
        blank=True,
        help_text=_(
            "Host names a hand-off link may send the customer back to, one a line "
            "(shop.example.com); a subdomain needs its own line."
        ),
    )
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("API client")

    def __str__(self):
        return self.name

    @property
    def domains(self) -> set[str]:
        return {line.strip().lower() for line in self.return_domains.splitlines() if line.strip()}


class ClientApiKeyManager(BaseAPIKeyManager):
    def get_usable_keys(self):
        return self.filter(revoked=False).select_related("client")


class ClientApiKey(AbstractAPIKey):
    """An API key of one client: shown once, stored hashed (djangorestframework-api-key)."""

    objects = ClientApiKeyManager()

    client = models.ForeignKey(ApiClient, on_delete=models.CASCADE, related_name="api_keys")
    scopes = models.JSONField(_("scopes"), default=list, blank=True)
    # Written at most once a minute, so busy keys do not turn every lookup into a write.
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)

    class Meta(AbstractAPIKey.Meta):
        verbose_name = _("API key")
        verbose_name_plural = _("API keys")


class ClientCustomer(models.Model):
    """A customer as one client knows them: by the client's own reference."""

    client = models.ForeignKey(ApiClient, on_delete=models.CASCADE, related_name="customers")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_client_links"
    )
    reference = models.CharField(_("reference"), max_length=100)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["client", "reference"], name="one_reference_per_client"
            ),
            models.UniqueConstraint(fields=["client", "user"], name="one_link_per_client_customer"),
        ]

    def __str__(self):
        return f"{self.client}: {self.reference}"


class ClientEvent(models.Model):
    """One status change as one client reads it: written in the change's transaction, listed
    by GET /api/v1/events and carried by the webhooks. The id is the polling cursor."""

    client = models.ForeignKey(ApiClient, on_delete=models.CASCADE, related_name="events")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_events"
    )
    status_change = models.ForeignKey(
        "verification.StatusChange", on_delete=models.CASCADE, related_name="api_events"
    )
    type = models.CharField(max_length=40, choices=EventType.choices)
    # The applicant as the API showed them at the change (the same fields, no more).
    data = models.JSONField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["client", "status_change"], name="one_event_per_client_and_change"
            )
        ]

    def __str__(self):
        return f"{self.message_id} {self.type}"

    @property
    def message_id(self) -> str:
        """The Standard Webhooks webhook-id: the same on every attempt and every endpoint."""
        return f"evt_{self.pk}"


def new_webhook_secret() -> str:
    import base64

    return "whsec_" + base64.b64encode(secrets.token_bytes(32)).decode()


class WebhookEndpoint(models.Model):
    client = models.ForeignKey(ApiClient, on_delete=models.CASCADE, related_name="endpoints")
    url = models.URLField(_("URL"), max_length=500)
    events = models.JSONField(
        _("events"), default=list, blank=True, help_text=_("Empty: every event.")
    )
    secret = EncryptedTextField(editable=False)
    # After a rotation the old secret also signs, until previous_secret_until.
    previous_secret = EncryptedTextField(blank=True, editable=False)
    previous_secret_until = models.DateTimeField(null=True, blank=True, editable=False)
    active = models.BooleanField(_("active"), default=True)
    # Set when a delivery gave up after the whole retry schedule; cleared by a success.
    failing_since = models.DateTimeField(_("failing since"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["client", "pk"]
        verbose_name = _("webhook endpoint")

    def __str__(self):
        return f"{self.client}: {self.url}"

    def wants(self, event_type: str) -> bool:
        return not self.events or event_type in self.events


class WebhookDelivery(models.Model):
    """One event for one endpoint: exactly one per (event, endpoint), retried until it is
    delivered or the schedule runs out."""

    class State(models.TextChoices):
        PENDING = "pending", _("Pending")
        DELIVERED = "delivered", _("Delivered")
        FAILED = "failed", _("Failed")

    event = models.ForeignKey(ClientEvent, on_delete=models.CASCADE, related_name="deliveries")
    endpoint = models.ForeignKey(
        WebhookEndpoint, on_delete=models.CASCADE, related_name="deliveries"
    )
    state = models.CharField(max_length=10, choices=State.choices, default=State.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(db_index=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["pk"]
        verbose_name = _("webhook delivery")
        verbose_name_plural = _("webhook deliveries")
        constraints = [
            models.UniqueConstraint(
                fields=["event", "endpoint"], name="one_delivery_per_event_and_endpoint"
            )
        ]
        indexes = [models.Index(fields=["state", "next_attempt_at"])]

    def __str__(self):
        return f"{self.event} -> {self.endpoint_id} ({self.state})"


class WebhookAttempt(models.Model):
    """One HTTP attempt of a delivery, for the delivery log."""

    delivery = models.ForeignKey(
        WebhookDelivery, on_delete=models.CASCADE, related_name="attempt_log"
    )
    at = models.DateTimeField(auto_now_add=True)
    succeeded = models.BooleanField(default=False)
    response_code = models.PositiveSmallIntegerField(null=True, blank=True)
    # At most 1 KB of what the receiver answered.
    response_body = models.TextField(blank=True)
    error = models.CharField(max_length=200, blank=True)
    seconds = models.FloatField(null=True, blank=True)

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self):
        return f"Attempt at {self.at:%Y-%m-%d %H:%M:%S}: {self.response_code or self.error}"


def new_nonce() -> str:
    return secrets.token_hex(16)


class Invitation(models.Model):
    """A hand-off link: signed, single use, expiring; attaches `reference` to whoever signs in."""

    client = models.ForeignKey(ApiClient, on_delete=models.CASCADE, related_name="invitations")
    reference = models.CharField(max_length=100)
    email = models.EmailField(blank=True)
    return_url = models.URLField(max_length=500, blank=True)
    nonce = models.CharField(max_length=32, default=new_nonce, editable=False)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)
    used_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        return f"Invitation of {self.client} for {self.reference}"
