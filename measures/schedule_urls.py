"""/patients/<uuid>/measures/schedule/... (included by measures/urls.py)."""

from django.urls import path

from measures import schedule_views

urlpatterns = [
    path("", schedule_views.schedule_list, name="schedule"),
    path("start/", schedule_views.schedule_start, name="schedule_start"),
    path("<slug:instrument_code>/", schedule_views.schedule_edit, name="schedule_edit"),
    path("<slug:instrument_code>/pause-or-resume/", schedule_views.schedule_toggle, name="schedule_toggle"),
]
