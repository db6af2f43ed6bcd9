"""The API's middleware: the fast lane for API requests, and the return to the shop."""

from django.urls import Resolver404, resolve, reverse
from django.utils import translation
from django.utils.cache import patch_vary_headers

from accounts import risk

from .authentication import KEYWORD
from .handoff_views import RETURNING
from .views import ClientView


class ReturnToShopMiddleware:
    """After a customer who came through a shop's hand-off link submits the wizard, the
    redirect to the status page goes to api:handoff_return instead, which sends them back to
    the shop. The wizard itself knows nothing of shops."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if (
            request.method == "POST"
            and response.status_code == 302
            and hasattr(request, "session")
            and RETURNING in request.session
            and request.path == reverse("verification:review")
            and response["Location"] == reverse("verification:status")
        ):
            response["Location"] = reverse("api:handoff_return")
        return response


API_KEY_PREFIX = f"{KEYWORD} "


class ApiFastLaneMiddleware:
    """Requests with an API key to the JSON API's views (/api/v1/) skip the page middleware
    that follows this one: sessions, CSRF (the API's views are exempt), messages, allauth, the
    staff and inquiry checks. They carry a key, not a cookie, and an API lookup is the portal's
    busiest request (benchmarks/api). What those middlewares did that an API request still
    needs is done here: the Host check, the language from Accept-Language, a risk event for a
    429.

    Anything else goes down the whole chain: an unknown path under /api/v1/, and a request
    without a key (a browser's session is refused by the API all the same, 401, or 403 by the
    inquiry logins' read-only rule, as the authorization matrix says).
    """

    PREFIX = "/api/v1/"

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        match = None
        if request.META.get("HTTP_AUTHORIZATION", "").startswith(API_KEY_PREFIX):
            match = self._api_view(request.path_info)
        if match is None:
            return self.get_response(request)
        request.get_host()  # DisallowedHost (400) for a host not allowed, as CommonMiddleware
        language = translation.get_language_from_request(request)
        translation.activate(language)
        request.LANGUAGE_CODE = language
        request.resolver_match = match
        response = match.func(request, *match.args, **match.kwargs)
        response = response.render()
        patch_vary_headers(response, ("Accept-Language",))
        response.headers.setdefault("Content-Language", language)
        if response.status_code == 429:
            risk.record_rate_limited(request)
        return response

    def _api_view(self, path: str):
        if not path.startswith(self.PREFIX):
            return None
        try:
            match = resolve(path)
        except Resolver404:
            return None
        view_class = getattr(match.func, "view_class", None)
        return match if view_class is not None and issubclass(view_class, ClientView) else None
