"""Errors as RFC 9457 problem details (application/problem+json) with stable codes.

Every error body has type, title, status, detail and code; validation errors add `errors`
({field: [messages]}). Clients should branch on `code` (or `type`), never on the wording.
"""

from django.http import Http404
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler

PROBLEM_CONTENT_TYPE = "application/problem+json"
TYPE_PREFIX = "urn:kyc-portal:problem:"

TITLES = {
    "not_authenticated": "Authentication required",
    "invalid_api_key": "Invalid API key",
    "insufficient_scope": "Insufficient scope",
    "not_found": "Not found",
    "invalid_request": "Invalid request",
    "unknown_field": "Unknown field",
    "unknown_parameter": "Unknown query parameter",
    "return_url_not_allowed": "Return URL not allowed",
    "rate_limited": "Too many requests",
    "method_not_allowed": "Method not allowed",
    "not_acceptable": "Not acceptable",
    "unsupported_media_type": "Unsupported media type",
    "parse_error": "Malformed request body",
    "server_error": "Server error",
}

_CODE_OF = {
    exceptions.NotAuthenticated: "not_authenticated",
    exceptions.AuthenticationFailed: "invalid_api_key",
    exceptions.PermissionDenied: "insufficient_scope",
    exceptions.NotFound: "not_found",
    exceptions.ValidationError: "invalid_request",
    exceptions.Throttled: "rate_limited",
    exceptions.MethodNotAllowed: "method_not_allowed",
    exceptions.NotAcceptable: "not_acceptable",
    exceptions.UnsupportedMediaType: "unsupported_media_type",
    exceptions.ParseError: "parse_error",
}


class Problem(exceptions.APIException):
    """An error with its own stable code, e.g. Problem(400, "unknown_field", "...")."""

    def __init__(self, status_code: int, code: str, detail: str, errors: dict | None = None):
        super().__init__(detail, code)
        self.status_code = status_code
        self.problem_code = code
        self.errors = errors


def problem_response(status_code: int, code: str, detail: str, **extra) -> Response:
    body = {
        "type": TYPE_PREFIX + code,
        "title": TITLES.get(code, code),
        "status": status_code,
        "detail": str(detail),
        "code": code,
        **extra,
    }
    return Response(body, status=status_code, content_type=PROBLEM_CONTENT_TYPE)


def handle_exception(exc, context):
    """DRF's EXCEPTION_HANDLER: DRF's answer (status, headers such as Retry-After) as a
    problem document."""
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    response = exception_handler(exc, context)
    if response is None:
        return None  # a server error: Django's 500 handling and logging
    if isinstance(exc, Problem):
        code = exc.problem_code
        extra = {"errors": exc.errors} if exc.errors else {}
        detail = exc.detail
    else:
        code = next((c for cls, c in _CODE_OF.items() if isinstance(exc, cls)), "invalid_request")
        extra = {}
        detail = exc.detail
        if isinstance(exc, exceptions.ValidationError):
            extra = {"errors": exc.detail if isinstance(exc.detail, dict) else {"": exc.detail}}
            detail = "The request has errors; see `errors`."
        elif isinstance(exc, exceptions.Throttled):
            detail = "Too many requests for this API key; retry after Retry-After seconds."
        if response.status_code == status.HTTP_403_FORBIDDEN and code != "insufficient_scope":
            code = "insufficient_scope"
    problem = problem_response(response.status_code, code, detail, **extra)
    for header, value in response.items():
        if header.lower() not in ("content-type", "content-length"):
            problem[header] = value
    return problem
