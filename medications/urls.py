"""Medications, opioid safety and tapers (namespace "medications"), included by clinic/urls.py at the root.

The patient's pages keep their addresses under the care plan's, "patients/<uuid:public_id>/plan/", beside
careplans/urls.py; the clinic's written opioid policy (clinic admins) is "opioid-policy/".
"""

from django.urls import include, path

from medications.views import lines, policy, safety, taper_doses, tapers

app_name = "medications"

patient_pages = [
    path("medications/", lines.medication_list, name="medications"),
    path("medications/new/", lines.medication_add, name="medication_add"),
    path("medications/<uuid:medication_id>/", lines.medication_detail, name="medication_detail"),
    path("medications/<uuid:medication_id>/edit/", lines.medication_edit, name="medication_edit"),
    path("medications/<uuid:medication_id>/stop/", lines.medication_stop, name="medication_stop"),
    path("medications/<uuid:medication_id>/annotate/", lines.medication_annotate, name="medication_annotate"),
    path("opioid-safety/", safety.opioid_safety, name="opioid_safety"),
    path("opioid-safety/flags/<slug:flag>/acknowledge/", safety.flag_acknowledge, name="flag_acknowledge"),
    path("opioid-safety/naloxone/", safety.naloxone, name="naloxone"),
    path("opioid-safety/trials/new/", safety.trial_start, name="trial_start"),
    path("opioid-safety/trials/<uuid:trial_id>/review/", safety.trial_review, name="trial_review"),
    path("opioid-safety/agreements/new/", safety.agreement_new, name="agreement_new"),
    path("opioid-safety/policy/<int:version>/print/", safety.policy_print, name="policy_print"),
    path("opioid-safety/drug-screens/new/", safety.drug_screen_add, name="drug_screen_add"),
    path("opioid-safety/pdmp-checks/new/", safety.pdmp_add, name="pdmp_add"),
    path("opioid-safety/events/new/", safety.event_add, name="event_add"),
    path("opioid-safety/monitoring-plan/", safety.monitoring_plan, name="monitoring_plan"),
    path("taper/new/", tapers.taper_new, name="taper_new"),
    path("taper/<uuid:taper_id>/", tapers.taper_detail, name="taper_detail"),
    path("taper/<uuid:taper_id>/actual/", tapers.taper_actual, name="taper_actual"),
    path("taper/<uuid:taper_id>/status/", tapers.taper_status, name="taper_status"),
    path("taper/<uuid:taper_id>/print/", tapers.taper_print, name="taper_print"),
    path("taper/<uuid:taper_id>/doses/", taper_doses.taper_doses_page, name="taper_doses"),
]

urlpatterns = [
    path("patients/<uuid:public_id>/plan/", include(patient_pages)),
    path("opioid-policy/", policy.policy_edit, name="opioid_policy"),
]
