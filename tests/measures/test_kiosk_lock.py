from django.urls import reverse

from clinic.middleware import KIOSK_LOCK


def kiosk_url(patient, code="peg"):
    return reverse("measures:kiosk", kwargs={"public_id": patient.public_id, "code": code})


def unlock_url(patient):
    return reverse("measures:kiosk_unlock", kwargs={"public_id": patient.public_id})


def test_handing_over_the_tablet_locks_the_session_to_that_patients_tablet_pages(signed_in, physician, patient):
    client = signed_in(physician)
    assert client.get(kiosk_url(patient)).status_code == 200
    for elsewhere in ("/", "/patients/", reverse("patients:chart", args=[patient.public_id]), "/admin/"):
        response = client.get(elsewhere)
        assert (response.status_code, response["Location"]) == (302, unlock_url(patient)), elsewhere
    assert client.get(kiosk_url(patient, "phq9")).status_code == 200  # other questionnaires on the tablet


def test_the_clinicians_password_unlocks_and_returns_to_the_chart(signed_in, physician, patient, password):
    client = signed_in(physician)
    client.get(kiosk_url(patient))
    wrong = client.post(unlock_url(patient), {"password": "not it"})
    assert wrong.status_code == 400 and b"That password is not right" in wrong.content
    assert client.get("/").status_code == 302
    right = client.post(unlock_url(patient), {"password": password})
    assert right["Location"] == reverse("patients:chart", args=[patient.public_id])
    assert KIOSK_LOCK not in client.session
    assert client.get("/").status_code == 200


def test_signing_out_from_a_locked_tablet_is_allowed(signed_in, physician, patient):
    client = signed_in(physician)
    client.get(kiosk_url(patient))
    assert client.post(reverse("logout"))["Location"] == reverse("login")
    assert "_auth_user_id" not in client.session
