"""HTML and JSON answers are gzip-compressed for browsers that ask (a chart is 35 KB as text, a few KB compressed).

Compression next to secrets invites BREACH (guessing a secret from the compressed size of pages that also reflect
what the attacker sends). What keeps it shut here:

- CSRF tokens are masked afresh in every response (Django does this), so no two pages carry the same token bytes.
- Django's GZipMiddleware pads every compressed body with a random number of bytes (0-99), so sizes are noisy.
- The only pages whose text holds another secret, a patient link's own pages (the link's token is in the form's
  address), are never compressed: they are small, and nothing is worth any risk to a patient's link.

Static files are not compressed here: WhiteNoise answers them before this middleware (in production from files
compressed by collectstatic).
"""

from django.middleware.gzip import GZipMiddleware

# The views whose page carries a patient link's token (portal/urls.py).
TOKEN_PAGES = frozenset({"portal:open", "portal:new_link"})


class CompressionMiddleware(GZipMiddleware):
    def process_response(self, request, response):
        match = getattr(request, "resolver_match", None)
        if match is not None and match.view_name in TOKEN_PAGES:
            return response
        return super().process_response(request, response)
