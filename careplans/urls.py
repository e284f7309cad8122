"""The care plan's pages, under patients/<uuid:public_id>/plan/ (the medication pages there are medications/urls.py)."""

from django.urls import include, path

app_name = "careplans"
urlpatterns = [
    path("", include("careplans.plan_urls")),
    path("", include("careplans.logs.urls")),
]
