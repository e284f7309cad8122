"""A patient's care-team page and its changes. Included by clinic/urls.py at /patients/<uuid>/care-team/,
under the "care_team" namespace."""

from django.urls import path

from clinic import care_team_views as views

app_name = "care_team"
urlpatterns = [
    path("", views.care_team, name="page"),
    path("add/", views.add, name="add"),
    path("remove/", views.remove, name="remove"),
    path("lead/", views.lead, name="lead"),
    path("lead/end/", views.end, name="end_lead"),
]
