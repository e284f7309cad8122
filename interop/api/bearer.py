"""Who is asking: the client whose bearer token the request carries, and the per-client rate limit.

The token is looked up by its SHA-256 hash (portal.tokens), never stored or logged itself. Limits reuse the
portal's fixed-window counter on the cache (portal.ratelimit): with the cache down, requests are allowed.
"""

from django.http import HttpRequest

from interop.api.outcomes import FhirRefusal
from interop.models import FhirClient
from portal.ratelimit import bump

MAX_TOKEN_LENGTH = 200  # issued tokens are 43 characters; anything far longer is not one of ours
# The app's own limits: a client may make 600 requests a minute (ten a second, plenty for a practice's
# system paging through its patients); an address may present 30 unknown or revoked tokens in 10 minutes.
REQUESTS_PER_MINUTE = 600
BAD_TOKENS_PER_WINDOW, BAD_TOKEN_WINDOW = 30, 600

NO_TOKEN = "This API needs a bearer token: send Authorization: Bearer followed by your token."
BAD_TOKEN = "The bearer token is not valid: it is unknown or has been revoked. Ask the clinic for a new one."
TOO_MANY_BAD = "Too many requests with tokens that are not valid from this address. Try again later."
TOO_MANY = "Too many requests from this client. Wait a minute and try again."


def bearer_token(request: HttpRequest) -> str | None:
    scheme, _, token = request.headers.get("Authorization", "").strip().partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token:
        return None
    return token


def calling_client(request: HttpRequest) -> FhirClient:
    """The active client of this request's token, or FhirRefusal (401 without or with a bad token, 429 over
    a limit). A revoked client's token gets the same answer as an unknown one."""
    token = bearer_token(request)
    if token is None:
        raise FhirRefusal(401, NO_TOKEN)
    client = FhirClient.objects.holding(token).first() if len(token) <= MAX_TOKEN_LENGTH else None
    if client is None or client.is_revoked:
        address = request.META.get("REMOTE_ADDR", "")
        if bump(f"fhir-bad-token:{address}", window=BAD_TOKEN_WINDOW) > BAD_TOKENS_PER_WINDOW:
            raise FhirRefusal(429, TOO_MANY_BAD)
        raise BadToken(revoked_client=client)
    if bump(f"fhir-client:{client.public_id}", window=60) > REQUESTS_PER_MINUTE:
        raise FhirRefusal(429, TOO_MANY)
    return client


class BadToken(FhirRefusal):
    """A token was presented and is unknown or revoked: audited (a bare request without one is not)."""

    def __init__(self, *, revoked_client: FhirClient | None):
        super().__init__(401, BAD_TOKEN)
        self.revoked_client = revoked_client
