from django.urls import path

from portal import views

app_name = "portal"
urlpatterns = [
    path("", views.home, name="home"),
    path("<str:token>/", views.open_link, name="open"),
    path("<str:token>/new-link/", views.request_new_link, name="new_link"),
]
