"""Measures pages under /patients/<uuid>/measures/ (every view checks access to the patient)."""

from django.urls import include, path

from measures import entry_views, views

app_name = "measures"
urlpatterns = [
    path("schedule/", include("measures.schedule_urls")),
    path("enter/", views.choose_instrument, name="choose"),
    path("enter/<slug:code>/", views.enter_on_behalf, name="enter"),
    path("entered/<uuid:response_id>/safety/", entry_views.entered_safety, name="entered_safety"),
    path("kiosk/unlock/", views.kiosk_unlock, name="kiosk_unlock"),
    path("kiosk/<slug:code>/", views.kiosk, name="kiosk"),
    path("kiosk/done/<uuid:response_id>/", views.kiosk_done, name="kiosk_done"),
    path("alerts/<uuid:response_id>/<slug:kind>/acknowledge/", views.acknowledge, name="acknowledge_alert"),
    path("<slug:code>/", views.instrument_detail, name="detail"),
]
