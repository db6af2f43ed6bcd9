"""The back office for API clients: keys (shown once), webhook endpoints (secret shown once,
rotation), and the delivery log with a resend action. Supervisors manage these (migration
0002_supervisor_permissions)."""

from django import forms
from django.contrib import admin, messages
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from rest_framework_api_key.admin import APIKey

from . import services, webhooks
from .models import (
    ApiClient,
    ClientApiKey,
    EventType,
    Scope,
    WebhookAttempt,
    WebhookDelivery,
    WebhookEndpoint,
)

# The package's own unscoped key model is not used: keys belong to a client (ClientApiKey).
if admin.site.is_registered(APIKey):
    admin.site.unregister(APIKey)


def shown_once(request, title, secrets, back_url):
    context = {
        **admin.site.each_context(request),
        "title": title,
        "secrets": secrets,
        "back_url": back_url,
    }
    response = TemplateResponse(request, "api/admin/shown_once.html", context)
    response["Cache-Control"] = "no-store"
    return response


class ClientApiKeyInline(admin.TabularInline):
    model = ClientApiKey
    fields = ["name", "prefix", "scopes", "created", "last_used_at", "revoked"]
    readonly_fields = ["name", "prefix", "scopes", "created", "last_used_at", "revoked"]
    extra = 0
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(ApiClient)
class ApiClientAdmin(admin.ModelAdmin):
    list_display = ["name", "sales_group", "active", "created_at"]
    list_filter = ["active"]
    search_fields = ["name"]
    fields = ["name", "sales_group", "return_domains", "active"]
    inlines = [ClientApiKeyInline]
    actions = ["create_api_key"]

    @admin.action(description=_("Create a new API key (shown once)"), permissions=["change"])
    def create_api_key(self, request, queryset):
        shown = []
        for client in queryset:
            _api_key, key = services.create_key(client, name=f"{client.name} key")
            shown.append((client.name, key))
        return shown_once(
            request, _("New API keys"), shown, reverse("admin:api_apiclient_changelist")
        )

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser


class ClientApiKeyForm(forms.ModelForm):
    scopes = forms.MultipleChoiceField(
        label=_("scopes"),
        choices=Scope.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = ClientApiKey
        fields = ["name", "scopes", "revoked"]

    def clean_scopes(self):
        return list(self.cleaned_data.get("scopes") or [])


@admin.register(ClientApiKey)
class ClientApiKeyAdmin(admin.ModelAdmin):
    """Keys are made by the client's action; here they are named, scoped and revoked."""

    form = ClientApiKeyForm
    list_display = ["name", "client", "prefix", "scopes", "created", "last_used_at", "revoked"]
    list_filter = ["revoked", "client"]
    fields = ["client", "name", "prefix", "scopes", "created", "last_used_at", "revoked"]
    readonly_fields = ["client", "prefix", "created", "last_used_at"]
    actions = ["revoke"]

    @admin.action(description=_("Revoke the selected keys"), permissions=["change"])
    def revoke(self, request, queryset):
        for api_key in queryset:
            services.revoke_key(api_key)
        self.message_user(request, _("Revoked: they stop working at once."), messages.SUCCESS)

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False  # revoke instead: the record of a key stays


class WebhookEndpointForm(forms.ModelForm):
    url = forms.URLField(label=_("URL"), max_length=500, assume_scheme="https")
    events = forms.MultipleChoiceField(
        label=_("events"),
        choices=EventType.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Empty: every event."),
    )

    class Meta:
        model = WebhookEndpoint
        fields = ["client", "url", "events", "active"]

    def clean_url(self):
        url = self.cleaned_data["url"]
        services.check_endpoint_url(url)
        return url

    def clean_events(self):
        return list(self.cleaned_data.get("events") or [])


@admin.register(WebhookEndpoint)
class WebhookEndpointAdmin(admin.ModelAdmin):
    list_display = ["url", "client", "events", "active", "failing_since", "created_at"]
    list_filter = ["active", ("failing_since", admin.EmptyFieldListFilter), "client"]
    fields = ["client", "url", "events", "active", "failing_since", "previous_secret_until"]
    readonly_fields = ["failing_since", "previous_secret_until"]
    actions = ["rotate_secret"]

    form = WebhookEndpointForm

    def save_model(self, request, obj, form, change):
        if not change:
            from .models import new_webhook_secret

            obj.secret = new_webhook_secret()
            request._new_webhook_secret = obj.secret
        super().save_model(request, obj, form, change)

    def response_add(self, request, obj, post_url_continue=None):
        return shown_once(
            request,
            _("Signing secret of the new endpoint"),
            [(obj.url, request._new_webhook_secret)],
            reverse("admin:api_webhookendpoint_changelist"),
        )

    @admin.action(
        description=_("Rotate the signing secret (old one valid for the grace period)"),
        permissions=["change"],
    )
    def rotate_secret(self, request, queryset):
        shown = [(endpoint.url, services.rotate_secret(endpoint.pk)) for endpoint in queryset]
        return shown_once(
            request,
            _("New signing secrets"),
            shown,
            reverse("admin:api_webhookendpoint_changelist"),
        )

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser


class WebhookAttemptInline(admin.TabularInline):
    model = WebhookAttempt
    fields = ["at", "succeeded", "response_code", "response_body", "error", "seconds"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(admin.ModelAdmin):
    """The delivery log: every attempt, and a resend action."""

    list_display = ["event", "endpoint", "state", "attempts", "next_attempt_at", "delivered_at"]
    list_filter = ["state", "endpoint__client"]
    fields = ["event", "endpoint", "state", "attempts", "next_attempt_at", "delivered_at"]
    readonly_fields = fields
    inlines = [WebhookAttemptInline]
    actions = ["resend"]

    @admin.action(description=_("Resend now"), permissions=["change"])
    def resend(self, request, queryset):
        outcomes = [webhooks.resend(delivery.pk) for delivery in queryset]
        delivered = outcomes.count("delivered")
        self.message_user(
            request,
            _("%(delivered)s of %(total)s delivered; see each delivery's attempts.")
            % {"delivered": delivered, "total": len(outcomes)},
            messages.SUCCESS if delivered == len(outcomes) else messages.WARNING,
        )

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
