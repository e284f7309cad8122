"""/patients/<uuid>/measures/schedule/... (included by measures/urls.py)."""

from django.urls import path

from measures import schedule_views

urlpatterns = [
    path("", schedule_views.schedule_list, name="schedule"),
    path("start/", schedule_views.schedule_start, name="schedule_start"),
    path("send-now/", schedule_views.send_now, name="schedule_send_now"),
    path("<slug:instrument_code>/", schedule_views.schedule_edit, name="schedule_edit"),
    path("<slug:instrument_code>/pause-or-resume/", schedule_views.schedule_toggle, name="schedule_toggle"),
]
