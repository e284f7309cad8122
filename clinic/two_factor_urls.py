"""Two-step sign-in (clinic/two_factor_views.py), included by clinic/urls.py at accounts/two-step/ under the
"two_step" namespace. Every page under this prefix is open to a session that has not passed the second step."""

from django.urls import path

from clinic import two_factor_views as views

app_name = "two_step"
urlpatterns = [
    path("", views.verify, name="verify"),
    path("set-up/", views.set_up, name="set_up"),
    path("recovery-codes/", views.recovery_codes, name="recovery_codes"),
    path("settings/", views.settings_page, name="settings"),
    path("settings/new-recovery-codes/", views.new_recovery_codes, name="new_recovery_codes"),
]
