"""Error pages that work while the database or Redis is down.

A lost database or Redis answers 503 "try again shortly" instead of 500: the portal recovers by
itself when they return (CONN_HEALTH_CHECKS reopens connections). The pages render without the
request context, since the context processors and `request.user` would query the database.
"""

import sys

from django.db import DatabaseError, InterfaceError, OperationalError
from django.http import HttpResponse
from django.template import loader
from django.templatetags.static import static

RETRY_AFTER_SECONDS = 30


def _is_outage(error) -> bool:
    if isinstance(error, OperationalError | InterfaceError):
        return True
    try:
        from kombu.exceptions import OperationalError as BrokerUnavailable
        from redis.exceptions import ConnectionError as RedisUnavailable
        from redis.exceptions import TimeoutError as RedisTimeout
    except ImportError:  # pragma: no cover
        return False
    if isinstance(error, RedisUnavailable | RedisTimeout | BrokerUnavailable):
        return True
    # psycopg2 errors wrapped by Django keep the original as __cause__.
    return isinstance(error, DatabaseError) and isinstance(error.__cause__, OperationalError)


def _stylesheet() -> str:
    try:
        return static("css/portal.css")
    except ValueError:  # no manifest yet (collectstatic not run): the page is plain
        return ""


def server_error(request):
    """handler500: called inside Django's `except`, so the error is sys.exc_info()."""
    error = sys.exc_info()[1]
    context = {"stylesheet": _stylesheet(), "retry_after": RETRY_AFTER_SECONDS}
    if _is_outage(error):
        response = HttpResponse(loader.render_to_string("503.html", context), status=503)
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
        return response
    return HttpResponse(loader.render_to_string("500.html", context), status=500)
