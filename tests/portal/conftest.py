import pytest
from django.core.cache import cache

from portal.ratelimit import LIMITS
from tests.clock import after_hours, clinic_hours, in_clinic_hours  # noqa: F401 (fixtures)

# The test client's address, and the second one test_rate_limit.py uses.
TEST_ADDRESSES = ("127.0.0.1", "127.0.0.2")


@pytest.fixture(autouse=True)
def fresh_rate_limits():
    """The limiter counts per address in the shared Redis cache; start and end each test at zero.

    Only the limiter's own keys are removed: cache.clear() would flush the whole Redis database,
    which is also the Celery broker other processes on this machine are using."""
    keys = [f"portal-rate:{action}:{address}" for action in LIMITS for address in TEST_ADDRESSES]
    cache.delete_many(keys)
    yield
    cache.delete_many(keys)


@pytest.fixture
def sent(patient, coordinator):
    """The patient's intake link, sent by the coordinator."""
    from patients.intake_services import send_intake_link

    return send_intake_link(patient=patient, by=coordinator)
