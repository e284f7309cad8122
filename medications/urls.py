"""Medications, opioid safety and tapers (namespace "medications"), included by clinic/urls.py at the root.

The patient's pages keep their addresses under the care plan's, "patients/<uuid:public_id>/plan/", beside
careplans/urls.py; the clinic's written opioid policy (clinic admins) is "opioid-policy/".
"""

from django.urls import include, path

from medications import views

app_name = "medications"

patient_pages = [
    path("medications/", views.medication_list, name="medications"),
    path("medications/new/", views.medication_add, name="medication_add"),
    path("medications/<uuid:medication_id>/", views.medication_detail, name="medication_detail"),
    path("medications/<uuid:medication_id>/edit/", views.medication_edit, name="medication_edit"),
    path("medications/<uuid:medication_id>/stop/", views.medication_stop, name="medication_stop"),
    path("medications/<uuid:medication_id>/annotate/", views.medication_annotate, name="medication_annotate"),
    path("opioid-safety/", views.opioid_safety, name="opioid_safety"),
    path("opioid-safety/flags/<slug:flag>/acknowledge/", views.flag_acknowledge, name="flag_acknowledge"),
    path("opioid-safety/naloxone/", views.naloxone, name="naloxone"),
    path("opioid-safety/trials/new/", views.trial_start, name="trial_start"),
    path("opioid-safety/trials/<uuid:trial_id>/review/", views.trial_review, name="trial_review"),
    path("opioid-safety/agreements/new/", views.agreement_new, name="agreement_new"),
    path("opioid-safety/policy/<int:version>/print/", views.policy_print, name="policy_print"),
    path("opioid-safety/drug-screens/new/", views.drug_screen_add, name="drug_screen_add"),
    path("opioid-safety/pdmp-checks/new/", views.pdmp_add, name="pdmp_add"),
    path("opioid-safety/events/new/", views.event_add, name="event_add"),
    path("opioid-safety/monitoring-plan/", views.monitoring_plan, name="monitoring_plan"),
    path("taper/new/", views.taper_new, name="taper_new"),
    path("taper/<uuid:taper_id>/", views.taper_detail, name="taper_detail"),
    path("taper/<uuid:taper_id>/actual/", views.taper_actual, name="taper_actual"),
    path("taper/<uuid:taper_id>/status/", views.taper_status, name="taper_status"),
    path("taper/<uuid:taper_id>/print/", views.taper_print, name="taper_print"),
]

urlpatterns = [
    path("patients/<uuid:public_id>/plan/", include(patient_pages)),
    path("opioid-policy/", views.policy_edit, name="opioid_policy"),
]
