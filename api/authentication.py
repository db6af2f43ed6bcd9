"""`Authorization: Api-Key <key>`: the key's client is who is asking. Checked on every request
(no cache), so a revoked key stops working at once. Keys are high-entropy random strings stored
as SHA-512 hashes (djangorestframework-api-key's hasher): checking one costs microseconds."""

import datetime

from django.contrib.auth.models import AnonymousUser
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions, permissions

from . import lookup
from .models import ClientApiKey

KEYWORD = "Api-Key"
# last_used_at is written at most this often per key.
LAST_USE_PRECISION = datetime.timedelta(minutes=1)


class ApiKeyAuthentication(authentication.BaseAuthentication):
    def authenticate(self, request):
        header = request.META.get("HTTP_AUTHORIZATION", "")
        keyword, _space, key = header.partition(" ")
        if keyword != KEYWORD:
            return None  # not ours: answered 401 by HasClientKey
        key = key.strip()
        prefix, _dot, _secret = key.partition(".")
        # The package's get_from_key, as one statement with the client (api.lookup).
        api_key = lookup.usable_key(prefix)
        if (
            api_key is None
            or not ClientApiKey.objects.key_generator.verify(key, api_key.hashed_key)
            or api_key.has_expired
            or not api_key.client.active
        ):
            raise exceptions.AuthenticationFailed(
                _("The API key is not valid or was revoked."), code="invalid_api_key"
            )
        now = timezone.now()
        if api_key.last_used_at is None or now - api_key.last_used_at > LAST_USE_PRECISION:
            ClientApiKey.objects.filter(pk=api_key.pk).update(last_used_at=now)
        return AnonymousUser(), api_key

    def authenticate_header(self, request):
        return KEYWORD


class HasClientKey(permissions.BasePermission):
    """A valid key that carries the view's `required_scope`."""

    def has_permission(self, request, view):
        api_key = request.auth
        if not isinstance(api_key, ClientApiKey):
            raise exceptions.NotAuthenticated(
                _("Send your API key as: Authorization: Api-Key <key>."), code="not_authenticated"
            )
        scope = getattr(view, "required_scope", None)
        if scope and scope not in api_key.scopes:
            raise exceptions.PermissionDenied(
                _("This API key does not have the scope %(scope)s.") % {"scope": scope},
                code="insufficient_scope",
            )
        return True


class ApiKeySchema(OpenApiAuthenticationExtension):
    """Describes ApiKeyAuthentication in the OpenAPI schema (found by drf-spectacular when
    this module is imported, as the settings do)."""

    target_class = ApiKeyAuthentication
    name = "ApiKey"

    def get_security_definition(self, auto_schema):
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": f"{KEYWORD} <key>",
        }
