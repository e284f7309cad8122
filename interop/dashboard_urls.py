from django.urls import path

from interop import dashboard_views

app_name = "dashboard"

urlpatterns = [
    path("", dashboard_views.dashboard, name="dashboard"),
    path("figures.csv", dashboard_views.figures_csv, name="figures_csv"),
    path("work-out-again/", dashboard_views.work_out_again, name="work_out_again"),
    path("patients/<slug:measure>/", dashboard_views.patient_list, name="patients"),
]
