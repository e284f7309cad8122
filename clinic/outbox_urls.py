"""Messages held after a restore. Included by clinic/urls.py under "outbox/", namespace "outbox"."""

from django.urls import path

from clinic import outbox_views as views

app_name = "outbox"
urlpatterns = [
    path("held/", views.held_list, name="held"),
    path("held/<uuid:message_id>/send/", views.held_send, name="held_send"),
    path("held/<uuid:message_id>/cancel/", views.held_cancel, name="held_cancel"),
]
