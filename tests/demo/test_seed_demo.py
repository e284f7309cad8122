import re
from datetime import timedelta
from decimal import ROUND_HALF_UP, Decimal
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db.models import Count
from django.urls import reverse
from django.utils import timezone

import demo.clinic
import demo.history
from clinic import selectors
from clinic.models import CareTeamMember, OutboxMessage, TeamTask, User
from clinic.roles import Discipline, Role
from measures.models import Alert, Invitation, MeasurementSchedule, Response
from measures.scheduling import DEFAULT_PROTOCOL
from measures.scoring import score_with
from patients.models import Language, PainCondition, Patient, Sex
from patients.names import normalise
from portal.models import PatientLink
from portal.services import find_link

pytestmark = pytest.mark.django_db


def seed(patients: int) -> str:
    out = StringIO()
    call_command("seed_demo", patients=patients, stdout=out)
    return out.getvalue()


def counts() -> dict[str, int]:
    return {
        "staff": User.objects.count(),
        "patients": Patient.objects.count(),
        "team members": CareTeamMember.objects.count(),
    }


def test_it_creates_staff_of_every_discipline_and_every_role():
    seed(patients=5)
    staff = User.objects.filter(username__in=[s["username"] for s in demo.clinic.DEMO_STAFF])
    assert {person.discipline for person in staff} == set(Discipline.values)
    assert {person.role for person in staff} == set(Role.values)
    assert staff.filter(role=Role.CLINICIAN, discipline=Discipline.PHYSICIAN).count() == 2


def test_demo_staff_sign_in_with_the_demo_password(client):
    seed(patients=5)
    response = client.post(reverse("login"), {"username": "sofia.rossi", "password": demo.clinic.DEMO_PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == reverse("home")


def test_it_adds_nothing_on_a_second_run():
    seed(patients=40)
    before = counts()
    output = seed(patients=40)
    assert counts() == before
    assert "nothing added" in output


def test_it_adds_only_the_missing_patients_when_asked_for_more():
    seed(patients=20)
    output = seed(patients=30)
    assert Patient.objects.filter(mrn__in=[demo.clinic.demo_mrn(n) for n in range(30)]).count() == 30
    assert "Created 0 staff, 10 patients" in output


def test_it_seeds_hundreds_of_patients_each_with_exactly_one_lead_in_batches():
    call_command("seed_demo", patients=300, batch_size=70, stdout=StringIO())
    assert Patient.objects.count() >= 300
    patients = Patient.objects.all()
    assert patients.filter(care_team__is_lead=True).count() == patients.count()
    leads = CareTeamMember.objects.filter(is_lead=True).values_list("member__discipline", flat=True).distinct()
    assert set(leads) <= {Discipline.PHYSICIAN, Discipline.NURSE_PRACTITIONER}
    team_sizes = {patient.care_team.count() for patient in patients.prefetch_related("care_team")}
    assert team_sizes <= {2, 3, 4}


def test_it_keeps_the_patients_plausible():
    seed(patients=300)
    patients = list(Patient.objects.all())
    assert {p.primary_condition for p in patients} == set(PainCondition.values)
    assert all(19 <= p.age <= 88 for p in patients)
    assert all(p.age >= 50 for p in patients if p.primary_condition == PainCondition.OSTEOARTHRITIS)
    assert all(p.age <= 52 for p in patients if p.primary_condition == PainCondition.ENDOMETRIOSIS)
    assert len({p.mrn for p in patients}) == len(patients)
    assert sum(bool(p.email) for p in patients) > len(patients) / 2


def test_endometriosis_patients_have_female_first_names():
    seed(patients=300)
    female = {name for pool in demo.clinic.name_pools().values() for name in pool.female}
    endometriosis = Patient.objects.filter(primary_condition=PainCondition.ENDOMETRIOSIS)
    assert endometriosis.exists()
    assert all(p.given_name in female for p in endometriosis)


def test_demo_patients_have_the_sex_of_the_name_pool_their_given_name_came_from():
    seed(patients=300)
    pools = demo.clinic.name_pools().values()
    female = {name for pool in pools for name in pool.female}
    male = {name for pool in pools for name in pool.male}
    others = Patient.objects.exclude(mrn=demo.clinic.DEMO_PATIENT["mrn"])
    assert {p.sex for p in others} == {Sex.FEMALE, Sex.MALE}
    assert all(p.given_name in (female if p.sex == Sex.FEMALE else male) for p in others)
    assert Patient.objects.get(mrn=demo.clinic.DEMO_PATIENT["mrn"]).sex == Sex.FEMALE  # Maria


def test_the_demo_patient_is_on_the_team_of_the_first_physician_as_lead_and_of_the_psychologist():
    seed(patients=5)
    patient = demo.clinic.demo_patient()
    assert (patient.full_name, patient.preferred_name) == ("Maria Garcia-López", "Mari")
    team = dict(patient.care_team.values_list("member__username", "is_lead"))
    assert team[demo.clinic.demo_staff_username(Discipline.PHYSICIAN)] is True
    assert team[demo.clinic.demo_staff_username(Discipline.PSYCHOLOGIST)] is False


def test_search_finds_accented_names_typed_without_accents():
    seed(patients=300)
    assert demo.clinic.demo_patient() in Patient.objects.search("garcia lopez")
    accented = [p for p in Patient.objects.all() if p.family_name != p.family_name.encode("ascii", "ignore").decode()]
    assert accented, "the demo clinic should have accented names"
    for patient in accented[:10]:
        assert patient.search_name, "search_name must be filled for bulk-created patients"
        typed = normalise(patient.family_name)
        assert typed.isascii(), f"{patient.family_name!r} cannot be typed without accents"
        assert patient in Patient.objects.search(typed)


def run_welcome() -> tuple[str, str]:
    out = StringIO()
    call_command("demo_welcome", address="http://127.0.0.1:8000", stdout=out)
    output = out.getvalue()
    return output, re.search(r"http://127\.0\.0\.1:8000(/p/[\w-]+/)", output).group(1)


def test_demo_welcome_prints_every_sign_in_and_a_portal_link_that_opens_the_portal(client):
    seed(patients=5)
    output, path = run_welcome()
    assert "http://127.0.0.1:8000/" in output
    assert all(s["username"] in output for s in demo.clinic.DEMO_STAFF)
    assert demo.clinic.DEMO_PASSWORD in output
    response = client.post(path)  # the link's Continue button
    assert response.status_code == 302
    assert response["Location"] == reverse("portal:home")
    assert client.get(reverse("portal:home")).status_code == 200


def test_demo_welcome_says_how_to_try_get_my_link_as_the_demo_patient(client):
    seed(patients=5)
    output, _ = run_welcome()
    patient = demo.clinic.demo_patient()
    assert f"http://127.0.0.1:8000{reverse('portal:get_my_link')}" in output
    assert f"type {patient.email} and the date of birth 03/14/1971" in output
    sent = client.post(reverse("portal:get_my_link"), {"contact": patient.email, "date_of_birth": "03/14/1971"})
    assert sent.status_code == 200
    assert OutboxMessage.objects.filter(patient=patient).count() == 1  # the details printed are the ones on file


def test_demo_welcome_revokes_the_earlier_link(client):
    seed(patients=5)
    _, first_path = run_welcome()
    _, second_path = run_welcome()
    links = PatientLink.objects.filter(patient=demo.clinic.demo_patient()).order_by("created_at", "id")
    assert [link.revoked_at is not None for link in links] == [True, False]
    assert client.post(first_path).status_code == 200  # the calm "this link is closed" page
    assert client.post(second_path).status_code == 302


def test_demo_welcome_prints_a_link_for_a_patient_who_reads_spanish(client):
    seed(patients=15)  # demo patient 12 is the first whose language on file is Spanish
    output, _ = run_welcome()
    reader = Patient.objects.get(preferred_language=Language.SPANISH)
    assert f"{reader.full_name} (MRN {reader.mrn}) reads Spanish best" in output
    paths = re.findall(r"http://127\.0\.0\.1:8000(/p/[\w-]+/)", output)
    assert len([path for path in paths if path != reverse("portal:get_my_link")]) == 2
    assert [link.patient for link in PatientLink.objects.filter(revoked_at__isnull=True).order_by("id")][-1] == reader


def test_demo_welcome_explains_that_the_demo_must_be_seeded_first():
    with pytest.raises(CommandError, match="seed_demo"):
        call_command("demo_welcome", stdout=StringIO())


# --- Questionnaire history, schedules, consents and the safety alert


def stored(total) -> Decimal:
    """A total as the database keeps it (numeric with 4 decimals, rounded half away from zero, as Postgres does)."""
    return Decimal(str(total)).quantize(Decimal("0.0001"), rounding=ROUND_HALF_UP)


def recomputed(response):
    return score_with(response.instrument.spec, response.answers, response.context or None)


def test_every_seeded_response_carries_the_exact_score_of_its_answers():
    seed(patients=60)
    responses = list(Response.objects.select_related("instrument"))
    assert len(responses) > 60 * 3
    for response in responses:
        result = recomputed(response)
        assert response.completed_at is not None
        assert response.total == stored(result.total), response.answers
        assert (response.band, response.positive, response.flags, response.valid) == (
            result.band or "",
            result.positive,
            sorted(result.flags),
            result.valid,
        )
    assert {r.instrument.code for r in responses} == {"peg", "phq9", "gad7"}


def series(patient, code) -> list[Decimal]:
    return list(
        Response.objects.completed()
        .filter(patient=patient, instrument__code=code)
        .order_by("completed_at")
        .values_list("total", flat=True)
    )


def test_the_demo_patient_has_five_months_of_improving_peg_phq9_and_gad7():
    seed(patients=5)
    maria = demo.clinic.demo_patient()
    responses = Response.objects.filter(patient=maria)
    first, last = responses.earliest("completed_at").completed_at, responses.latest("completed_at").completed_at
    assert 140 <= (last - first).days <= 170
    peg, phq9, gad7 = series(maria, "peg"), series(maria, "phq9"), series(maria, "gad7")
    assert (len(peg), len(phq9), len(gad7)) == (12, 6, 6)
    assert peg[0] >= Decimal("6.3") and peg[-1] <= Decimal("4.7")
    assert peg[-1] <= peg[0] * Decimal("0.7")  # a responder: at least 30% better
    bands = {code: list(responses.filter(instrument__code=code).order_by("completed_at").values_list("band", flat=True))
             for code in ("phq9", "gad7")}  # fmt: skip
    assert bands["phq9"][0] == "moderate" and bands["phq9"][-1] == "mild"
    assert bands["gad7"][0] == "moderate" and bands["gad7"][-1] in ("mild", "minimal")


def test_it_seeds_improvers_and_non_improvers():
    seed(patients=60)
    improved = flat_or_worse = 0
    for patient in Patient.objects.exclude(mrn=demo.clinic.DEMO_PATIENT["mrn"]):
        peg = series(patient, "peg")
        if len(peg) < 6:
            continue
        if peg[-1] <= peg[0] * Decimal("0.7"):
            improved += 1
        elif peg[-1] >= peg[0] - 1:
            flat_or_worse += 1
    assert improved >= 10
    assert flat_or_worse >= 5


def test_exactly_one_patient_has_a_real_safety_alert_with_an_urgent_task_for_the_lead():
    seed(patients=60)
    alert = Alert.objects.get()
    assert alert.kind == Alert.Kind.SAFETY
    assert alert.acknowledged_at is None
    assert alert.patient.mrn == demo.clinic.demo_mrn(demo.history.ALERT_PATIENT_NUMBER)
    assert alert.response.answers["phq9_9"] > 0
    assert "safety_alert" in alert.response.flags
    assert alert.task.priority == TeamTask.Priority.URGENT
    assert alert.task.assignee.username == demo.clinic.demo_staff_username(Discipline.PHYSICIAN)
    assert Response.objects.filter(flags__contains=["safety_alert"]).count() == 1


def test_patients_get_the_default_schedule_in_the_rhythm_of_their_history():
    seed(patients=20)
    today = timezone.localdate()
    for patient in Patient.objects.all():
        schedules = {s.instrument_code: s for s in patient.measurement_schedules.all()}
        assert {code: s.every_days for code, s in schedules.items()} == {
            line.instrument_code: line.every_days for line in DEFAULT_PROTOCOL
        }
        assert all(today <= s.next_due_on <= today + timedelta(days=28) for s in schedules.values())
    maria = {s.instrument_code: s.next_due_on for s in demo.clinic.demo_patient().measurement_schedules.all()}
    assert maria["peg"] == maria["phq9"] == maria["gad7"] == today


def test_patients_consent_to_email_or_else_to_texts():
    seed(patients=300)
    patients = Patient.objects.all()
    assert patients.filter(consents_to_email=True).count() > patients.count() * 0.7
    assert all(p.email for p in patients.filter(consents_to_email=True))
    texted = patients.filter(consents_to_sms=True)
    assert texted.exists()
    assert all(p.mobile and not p.email for p in texted)
    assert demo.clinic.demo_patient().contact_channel() == ("email", demo.clinic.DEMO_PATIENT["email"])


def history_counts() -> dict[str, int]:
    return {
        **counts(),
        "responses": Response.objects.count(),
        "schedules": MeasurementSchedule.objects.count(),
        "alerts": Alert.objects.count(),
        "tasks": TeamTask.objects.count(),
    }


def test_a_second_run_adds_no_response_schedule_alert_or_task():
    seed(patients=30)
    before = history_counts()
    assert before["responses"] and before["alerts"] == 1

    output = seed(patients=30)

    assert history_counts() == before
    assert "nothing added" in output


def test_it_gives_existing_patients_without_history_their_history():
    seed(patients=10)
    Response.objects.filter(patient__mrn=demo.clinic.demo_mrn(5)).delete()
    MeasurementSchedule.objects.filter(patient__mrn=demo.clinic.demo_mrn(5)).delete()

    seed(patients=10)

    assert Response.objects.filter(patient__mrn=demo.clinic.demo_mrn(5)).exists()
    assert MeasurementSchedule.objects.filter(patient__mrn=demo.clinic.demo_mrn(5)).count() == len(DEFAULT_PROTOCOL)


def test_scale_mode_gives_every_patient_the_number_of_responses_asked_for():
    out = StringIO()
    call_command("seed_demo", patients=40, responses_per_patient=10, batch_size=15, stdout=out)
    per_patient = dict(Response.objects.values("patient__mrn").annotate(n=Count("id")).values_list("patient__mrn", "n"))
    assert len(per_patient) == 40
    alert_mrn = demo.clinic.demo_mrn(demo.history.ALERT_PATIENT_NUMBER)
    assert {n for mrn, n in per_patient.items() if mrn not in (demo.clinic.DEMO_PATIENT["mrn"], alert_mrn)} == {10}
    assert per_patient[alert_mrn] == 11  # and the PHQ-9 that raised the alert
    assert per_patient[demo.clinic.DEMO_PATIENT["mrn"]] == 24  # the demo patient keeps her five months
    assert "completed questionnaires" in out.getvalue()


# --- demo_welcome: a link to today's questionnaires


def invitation_of(path: str) -> Invitation:
    token = path.strip("/").split("/")[-1]
    return find_link(token).invitation


def test_demo_welcome_links_to_todays_peg_phq9_and_gad7(client):
    seed(patients=5)
    output, path = run_welcome()

    invitation = invitation_of(path)
    assert invitation.patient == demo.clinic.demo_patient()
    assert invitation.due_on == timezone.localdate()
    assert invitation.instrument_codes == ["peg", "phq9", "gad7"]
    assert invitation.completed_at is None
    assert "questionnaires due today (PEG, PHQ-9, GAD-7)" in output
    assert not OutboxMessage.objects.filter(patient__isnull=False).exists()  # the link is printed, never sent
    assert client.post(path)["Location"] == reverse("portal:home")  # the link's Continue button
    home = client.get(reverse("portal:home"))
    assert home.status_code == 200
    assert "PHQ-9" in home.content.decode()


def test_demo_welcome_gives_todays_open_invitation_a_fresh_link():
    seed(patients=5)
    _, first_path = run_welcome()
    first = invitation_of(first_path)

    _, second_path = run_welcome()

    second = invitation_of(second_path)
    assert second.pk == first.pk
    assert Invitation.objects.filter(patient=demo.clinic.demo_patient()).count() == 1
    assert PatientLink.objects.get(pk=first.link_id).revoked_at is not None
    assert second.link.is_usable()


def test_demo_welcome_adds_the_demo_questionnaires_to_an_invitation_the_sweep_made_first():
    seed(patients=5)
    maria = demo.clinic.demo_patient()
    Invitation.objects.create(patient=maria, due_on=timezone.localdate(), instrument_codes=["peg"])

    _, path = run_welcome()

    assert invitation_of(path).instrument_codes == ["peg", "phq9", "gad7"]


def test_demo_welcome_links_to_the_portal_once_todays_questionnaires_are_answered():
    seed(patients=5)
    _, path = run_welcome()
    invitation = invitation_of(path)
    Invitation.objects.filter(pk=invitation.pk).update(completed_at=timezone.now())

    output, path = run_welcome()

    assert "has already answered today's questionnaires" in output
    link = find_link(path.strip("/").split("/")[-1])
    assert link.is_usable() and not hasattr(link, "invitation")


def test_the_demo_has_a_full_rota_a_medical_lead_and_one_clinician_away_and_the_welcome_names_them():
    import demo.duty
    from clinic.models import DutyShift, StaffAbsence

    seed(patients=5)
    overview = selectors.duty_overview()
    assert overview.on_duty is not None
    assert overview.medical_lead.username == demo.duty.MEDICAL_LEAD
    assert overview.tomorrow_gaps == []
    away = StaffAbsence.objects.get()
    assert away.staff.username == demo.duty.AWAY and away.starts_on == timezone.localdate()
    slots = DutyShift.objects.count()
    seed(patients=5)  # a second run adds nothing
    assert DutyShift.objects.count() == slots and StaffAbsence.objects.count() == 1
    output, _ = run_welcome()
    assert f"On duty now ({overview.now_slot.words.lower()}): {overview.on_duty.display_name}" in output
    assert f"Medical lead: {overview.medical_lead.display_name}" in output
    assert f"Away today: {away.staff.display_name}" in output
