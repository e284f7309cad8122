"""A small fixed-window limiter on the cache (Redis), per client address and action.

If the cache is unreachable the request is allowed: a patient must never be locked out of their
care by an infrastructure hiccup, and links are unguessable (256 bits) anyway.
"""

import logging

from django.core.cache import cache

logger = logging.getLogger(__name__)

LIMITS = {"open": (30, 600), "renew": (5, 3600)}  # action -> (requests, per seconds)


def too_many(request, action: str) -> bool:
    limit, window = LIMITS[action]
    key = f"portal-rate:{action}:{request.META.get('REMOTE_ADDR', '')}"
    try:
        if cache.add(key, 1, timeout=window):
            return False
        return cache.incr(key) > limit
    except Exception:
        logger.warning("portal rate limiter unavailable; allowing the request")
        return False
