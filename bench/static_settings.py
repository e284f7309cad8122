"""The app's settings, serving static files as production does: collected, hashed and compressed beforehand
(WhiteNoise's CompressedManifestStaticFilesStorage), not read uncompressed from static/ as development does.

A measurement of what a phone downloads (Lighthouse, bench/lighthouse.py) must see the stylesheet as a deployed
clinic sends it (gzip or Brotli, cached for a long time under a hashed name). Everything else is clinic.settings
unchanged. bench/lighthouse.py runs `collectstatic` with these settings into bench/results/static/ (git-ignored)
before it starts gunicorn with them.
"""

from clinic.settings import *  # noqa: F403 (these settings are the app's, with three changed)
from clinic.settings import BASE_DIR, STORAGES

STATIC_ROOT = BASE_DIR / "bench" / "results" / "static"
WHITENOISE_USE_FINDERS = False
STORAGES = {**STORAGES, "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"}}
