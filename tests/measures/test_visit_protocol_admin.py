"""The clinic's visit protocol in the admin (measures/admin.py): clinic admins change it; the seeded default."""

import pytest
from django.urls import reverse

from measures.models import VisitProtocol

LIST = reverse("admin:measures_visitprotocol_changelist")
ADD = reverse("admin:measures_visitprotocol_add")

pytestmark = pytest.mark.django_db


def test_the_clinic_starts_with_the_default_line_peg_and_what_is_due_three_days_before_a_follow_up():
    line = VisitProtocol.objects.get()
    assert (line.days_before, line.instrument_codes, line.with_due_schedules) == (3, ["peg"], True)
    assert line.appointment_kinds == ["follow_up", "telehealth"]


def test_a_clinic_admin_adds_a_line_with_known_instruments_and_kinds(signed_in, clinic_admin):
    client = signed_in(clinic_admin)
    data = {"name": "Mood before the first visit", "days_before": "7", "instrument_codes": ["phq9", "gad7"]}
    data |= {"appointment_kinds": ["new"], "active": "on"}

    assert client.post(ADD, data).status_code == 302

    line = VisitProtocol.objects.get(name="Mood before the first visit")
    assert (line.days_before, line.instrument_codes, line.appointment_kinds) == (7, ["phq9", "gad7"], ["new"])


@pytest.mark.parametrize("days, codes", [("0", ["peg"]), ("15", ["peg"]), ("3", ["not-an-instrument"])])
def test_a_line_out_of_range_or_with_an_unknown_instrument_is_refused_with_the_typing_kept(
    signed_in, clinic_admin, days, codes
):
    data = {"name": "Odd line", "days_before": days, "instrument_codes": codes, "appointment_kinds": ["follow_up"]}

    response = signed_in(clinic_admin).post(ADD, data)

    assert response.status_code == 200 and 'value="Odd line"' in response.content.decode()
    assert not VisitProtocol.objects.filter(name="Odd line").exists()


@pytest.mark.parametrize("member", ["coordinator", "physician"])
def test_other_staff_cannot_open_it(request, signed_in, member):
    response = signed_in(request.getfixturevalue(member)).get(LIST)
    assert response.status_code in (302, 403, 404)
    assert "Before a follow-up visit" not in response.content.decode()
