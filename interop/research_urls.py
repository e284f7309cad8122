from django.urls import path

from interop import research_views

app_name = "research"
urlpatterns = [
    path("", research_views.research_export, name="export"),
]
