from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from clinic import session_views, views
from clinic.sign_in import SignInView

urlpatterns = [
    path("", views.home, name="home"),
    path("health/", views.health, name="health"),
    path("favicon.ico", views.no_favicon),
    path(
        "accounts/sign-in/",
        SignInView.as_view(),
        name="login",
    ),
    path("accounts/sign-out/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/keepalive/", session_views.keepalive, name="keepalive"),
    path("accounts/two-step/", include("clinic.two_factor_urls")),
    path("", include("clinic.referral_urls")),
    path("", include("clinic.appointment_urls")),
    path("", include("clinic.team_urls")),
    path("", include("clinic.today_urls")),
    path("outbox/", include("clinic.outbox_urls")),
    path("patients/new/from-fhir/", include("interop.fhir_import_urls")),  # issue 17: a referral's FHIR Patient
    path("research-export/", include("interop.research_urls")),  # issue 17: de-identified, clinic admins only
    path("patients/", include("patients.urls")),
    path("patients/<uuid:public_id>/care-team/", include("clinic.care_team_urls")),
    path("patients/<uuid:public_id>/measures/", include("measures.urls")),
    path("patients/<uuid:public_id>/plan/", include("careplans.urls")),
    path("", include("medications.urls")),  # under patients/<uuid>/plan/ too, and opioid-policy/
    path("dashboard/", include("interop.dashboard_urls")),
    path("p/", include("portal.urls")),
    path("fhir/", include("interop.api.urls")),  # the FHIR read API (bearer tokens, no session)
    path("fhir-clients/", include("interop.api.client_urls")),  # clinic admins issue and revoke its clients
    path("admin/", admin.site.urls),
]
