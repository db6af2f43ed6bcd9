"""Per-key rate limit: a fixed-window counter in the shared cache (one round trip per request),
answered with 429 and Retry-After. Like the portal's other limits it lives in the shared cache,
which reads a Redis outage as a miss (kyc_portal.cache): the limit is then not enforced for a
while rather than the API failing."""

import re
import time

from django.conf import settings
from django.core.cache import cache
from rest_framework.throttling import BaseThrottle

_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def parse_rate(rate: str) -> tuple[int, int]:
    """("600/m/key" or "10/5m/key") -> (requests, window seconds); the syntax of the portal's
    other limits (kyc_portal.environment.rate_limit)."""
    match = re.fullmatch(r"(\d+)/(\d*)([smhd])(?:/key)?", rate.strip())
    if not match:
        raise ValueError(f"Not a rate: {rate!r}")
    amount, multiple, unit = match.groups()
    return int(amount), int(multiple or 1) * _UNITS[unit]


class PerKeyThrottle(BaseThrottle):
    def allow_request(self, request, view):
        api_key = request.auth
        if api_key is None:
            return True  # refused by authentication anyway
        limit, window = parse_rate(settings.API_RATE_LIMIT)
        now = time.time()
        window_start = int(now // window * window)
        key = f"api-rate:{api_key.pk}:{window_start}"
        self._wait = window_start + window - now
        if hasattr(cache, "count_in_window"):  # Redis (kyc_portal.cache): one round trip
            count = cache.count_in_window(key, window + 1)
            return count is None or count <= limit
        try:
            count = cache.incr(key)
        except ValueError:
            # The window's first request (or the cache is unreachable: add() then reports
            # success, and the limit is not enforced for a while, logged by the cache).
            try:
                count = 1 if cache.add(key, 1, timeout=window + 1) else cache.incr(key)
            except ValueError:
                return True
        return count <= limit

    def wait(self):
        return self._wait
