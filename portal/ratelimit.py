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
    return bump(f"portal-rate:{action}:{request.META.get('REMOTE_ADDR', '')}", window=window) > limit


def bump(key: str, *, window: int) -> int:
    """Add one to a count that lives `window` seconds from its first try; the new count (0 without the cache)."""
    try:
        if cache.add(key, 1, timeout=window):
            return 1
        return cache.incr(key)
    except Exception:
        logger.warning("portal rate limiter unavailable; allowing the request")
        return 0


def count(key: str) -> int:
    """The count so far (0 without the cache)."""
    try:
        return int(cache.get(key) or 0)
    except Exception:
        logger.warning("portal rate limiter unavailable; allowing the request")
        return 0
