from django.urls import reverse

from audit.models import Action, AuditEvent


def test_opening_and_saving_a_patient_in_the_admin_is_audited(signed_in, clinic_admin, patient):
    client = signed_in(clinic_admin)
    url = reverse("admin:patients_patient_change", args=[patient.pk])
    assert client.get(url).status_code == 200
    form = {
        "mrn": patient.mrn, "given_name": patient.given_name, "family_name": "Garcia", "preferred_name": "",
        "date_of_birth": patient.date_of_birth.isoformat(), "primary_condition": patient.primary_condition,
        "email": patient.email, "mobile": "", "preferred_language": patient.preferred_language,
        "other_conditions": "[]", "preferred_channel": "", "consents_to_email": "on",
    }  # fmt: skip
    assert client.post(url, form).status_code == 302
    actions = list(AuditEvent.objects.filter(patient=patient, actor=clinic_admin).values_list("action", flat=True))
    assert Action.VIEW in actions and Action.UPDATE in actions
    patient.refresh_from_db()
    assert patient.search_name == "maria garcia"
