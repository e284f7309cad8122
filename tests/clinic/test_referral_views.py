"""Referral pages: who may open and change them (every role of the cast on every URL), the forms'
checks, steps through the page, the list's filters and pages, and their query counts."""

import uuid
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from audit.models import Action, AuditEvent
from clinic import referrals as rules
from clinic.models import Referral, ReferralEvent
from clinic.referral_views import PAGE_SIZE
from tests.factories import CareTeamMemberFactory, PatientFactory, referral_in_state

pytestmark = pytest.mark.django_db

CHANGERS = ["physician", "psychologist", "coordinator"]
VALID = {
    "service": "physical_therapy",
    "receiving_provider": "Harbourview Physical Therapy",
    "urgency": "routine",
    "reason": "Graded activity for low back pain",
    "question": "Assess and start a walking programme",
    "prior_authorisation": "not_needed",
    "visits_used": "0",
}


@pytest.fixture
def referral(patient, coordinator):
    return referral_in_state("sent", patient=patient, by=coordinator)


def detail_url(referral):
    return reverse("referrals:detail", args=[referral.public_id])


def step_url(referral, action):
    return reverse("referrals:step", args=[referral.public_id, action])


def urls_of(referral, patient) -> dict[str, tuple[str, str, dict]]:
    """Every referral URL: name -> (method, url, data)."""
    return {
        "detail": ("get", detail_url(referral), {}),
        "edit form": ("get", reverse("referrals:edit", args=[referral.public_id]), {}),
        "edit": (
            "post",
            reverse("referrals:edit", args=[referral.public_id]),
            {**VALID, "version": referral.version, "urgency": "soon"},
        ),
        "step": ("post", step_url(referral, "acknowledge"), {"version": referral.version}),
        "new form": ("get", reverse("referrals:new", args=[patient.public_id]), {}),
        "new": ("post", reverse("referrals:new", args=[patient.public_id]), VALID),
    }


def call(client, method, url, data):
    return client.get(url) if method == "get" else client.post(url, data)


# --------------------------------------------------------------------------- access, every role


@pytest.mark.parametrize("who", CHANGERS)
@pytest.mark.parametrize("name", ["detail", "edit form", "edit", "step", "new form", "new"])
def test_the_team_and_coordinators_may_open_and_change_referrals(request, signed_in, patient, referral, who, name):
    method, url, data = urls_of(referral, patient)[name]
    response = call(signed_in(request.getfixturevalue(who)), method, url, data)
    assert response.status_code == (302 if method == "post" else 200)
    if method == "post":
        assert "/referrals/" in response["Location"]


@pytest.mark.parametrize("name", ["detail", "edit form", "edit", "step", "new form", "new"])
def test_a_clinician_on_no_team_gets_a_404_on_every_referral_url_and_only_the_refusal_audited(
    signed_in, outsider, patient, referral, name
):
    method, url, data = urls_of(referral, patient)[name]
    response = call(signed_in(outsider), method, url, data)
    assert response.status_code == 404
    assert b"Harbourview" not in response.content
    assert not AuditEvent.objects.filter(patient=patient).exclude(action=Action.REFUSED).exists()
    assert AuditEvent.objects.filter(patient=patient, action=Action.REFUSED, actor=outsider).count() == 1
    assert Referral.objects.get(pk=referral.pk).version == referral.version


@pytest.mark.parametrize("name", ["detail", "edit form", "edit", "step", "new form", "new"])
def test_a_team_clinician_gets_a_404_for_another_teams_patients_referral(
    signed_in, physician, other_patient, coordinator, name
):
    theirs = referral_in_state("sent", patient=other_patient, by=coordinator)
    method, url, data = urls_of(theirs, other_patient)[name]
    assert call(signed_in(physician), method, url, data).status_code == 404


@pytest.mark.parametrize("name", ["edit form", "edit", "step", "new form", "new"])
def test_a_clinic_admin_may_read_but_not_change_referrals(signed_in, clinic_admin, patient, referral, name):
    client = signed_in(clinic_admin)
    assert client.get(detail_url(referral)).status_code == 200
    method, url, data = urls_of(referral, patient)[name]
    assert call(client, method, url, data).status_code == 403
    assert Referral.objects.count() == 1
    assert Referral.objects.get(pk=referral.pk).version == referral.version


def test_the_admin_sees_no_step_buttons(signed_in, clinic_admin, referral):
    content = signed_in(clinic_admin).get(detail_url(referral)).content.decode()
    assert "Next steps" not in content
    assert "Edit the details" not in content


@pytest.mark.parametrize("name", ["detail", "edit form", "edit", "step", "new form", "new"])
def test_anonymous_visitors_are_sent_to_sign_in(client, patient, referral, name):
    method, url, data = urls_of(referral, patient)[name]
    response = call(client, method, url, data)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_an_unknown_referral_is_a_404_even_for_a_coordinator(signed_in, coordinator):
    assert signed_in(coordinator).get(reverse("referrals:detail", args=[uuid.uuid4()])).status_code == 404


def test_an_unknown_step_is_a_404_and_a_get_is_refused(signed_in, coordinator, referral):
    client = signed_in(coordinator)
    assert client.post(step_url(referral, "teleport"), {"version": referral.version}).status_code == 404
    assert client.get(step_url(referral, "acknowledge")).status_code == 405


# --------------------------------------------------------------------------- the detail page


def test_the_page_shows_the_state_history_and_the_steps_allowed_now_and_is_audited(
    signed_in, physician, patient, referral
):
    response = signed_in(physician).get(detail_url(referral))
    content = response.content.decode()
    assert "Physical therapy referral · Harbourview Physical Therapy" in content
    assert ">Sent<" in content
    assert "Written as a draft" in content
    for step in rules.steps_from("sent"):
        assert step.label in content
    assert "Close the referral" not in content
    event = AuditEvent.objects.get()
    assert (event.actor, event.patient, event.action, event.target) == (physician, patient, Action.VIEW, "referral")


def test_the_page_warns_two_visits_before_the_insurance_cap(signed_in, coordinator, patient):
    referral = referral_in_state("attended", patient=patient, by=coordinator, visits_authorised=12, visits_used=9)
    content = signed_in(coordinator).get(detail_url(referral)).content.decode()
    assert "2 visits left of 12 authorised" in content


def test_the_page_says_when_a_referral_is_late(signed_in, coordinator, patient, referral):
    Referral.objects.filter(pk=referral.pk).update(sent_at=timezone.now() - timedelta(days=20))
    content = signed_in(coordinator).get(detail_url(referral)).content.decode()
    assert "Late: Not acknowledged within 5 business days" in content


def test_the_page_runs_a_constant_number_of_queries_however_long_the_history(
    signed_in, coordinator, patient, django_assert_max_num_queries
):
    short = referral_in_state("sent", patient=patient, by=coordinator)
    long = referral_in_state("scheduled", patient=patient, by=coordinator)
    for n in range(20):
        long.update_details(by=coordinator, changes={"receiving_provider": f"Clinic {n}"})
    client = signed_in(coordinator)
    client.get(detail_url(short))  # the first page after signing in also saves the session
    with django_assert_max_num_queries(20) as one:
        client.get(detail_url(short))
    with django_assert_max_num_queries(20) as many:
        client.get(detail_url(long))
    assert len(many.captured_queries) == len(one.captured_queries)


# --------------------------------------------------------------------------- steps through the page


def test_a_coordinator_acknowledges_and_schedules_a_referral(signed_in, coordinator, patient, referral):
    client = signed_in(coordinator)
    response = client.post(step_url(referral, "acknowledge"), {"version": referral.version}, follow=True)
    assert "Physical therapy referral acknowledged." in response.content.decode()
    referral.refresh_from_db()
    day = timezone.localdate() + timedelta(days=12)
    client.post(step_url(referral, "schedule"), {"version": referral.version, "on": day.isoformat()})
    referral.refresh_from_db()
    assert (referral.state, referral.appointment_on, referral.state_changed_by) == ("scheduled", day, coordinator)
    targets = list(AuditEvent.objects.filter(action=Action.UPDATE).values_list("target", flat=True))
    assert targets == ["referral acknowledged", "referral scheduled"]


def test_an_illegal_step_is_refused_with_the_reason_and_no_500(signed_in, coordinator, referral):
    response = signed_in(coordinator).post(step_url(referral, "close"), {"version": referral.version}, follow=True)
    assert response.status_code == 200
    assert rules.refusal("close", "sent") in response.content.decode()
    assert Referral.objects.get(pk=referral.pk).state == "sent"
    assert not AuditEvent.objects.filter(action=Action.UPDATE).exists()


def test_a_step_from_a_stale_page_is_refused_with_a_message(signed_in, coordinator, physician, referral):
    shown = referral.version
    Referral.objects.get(pk=referral.pk).acknowledge(by=physician)
    response = signed_in(coordinator).post(
        step_url(referral, "decline"), {"version": shown, "reason": "Full"}, follow=True
    )
    assert "Someone else changed this referral" in response.content.decode()
    assert Referral.objects.get(pk=referral.pk).state == "acknowledged"


def test_a_step_missing_its_date_or_reason_shows_the_page_again_with_what_was_typed(signed_in, coordinator, patient):
    referral = referral_in_state("acknowledged", patient=patient, by=coordinator)
    client = signed_in(coordinator)
    response = client.post(step_url(referral, "schedule"), {"version": referral.version, "on": "not a date"})
    assert response.status_code == 400
    content = response.content.decode()
    assert "Enter the appointment date as a date" in content
    assert 'value="not a date"' in content
    response = client.post(step_url(referral, "cancel"), {"version": referral.version, "reason": " "})
    assert response.status_code == 400
    assert "Say why the referral is cancelled." in response.content.decode()
    assert Referral.objects.get(pk=referral.pk).state == "acknowledged"


@pytest.mark.parametrize("version", ["", "abc", "-1"])
def test_a_step_with_a_broken_version_never_fails_with_a_500(signed_in, coordinator, referral, version):
    response = signed_in(coordinator).post(step_url(referral, "acknowledge"), {"version": version})
    assert response.status_code in (302, 400)
    assert Referral.objects.get(pk=referral.pk).state == "sent"


# --------------------------------------------------------------------------- writing and editing


def test_a_clinician_writes_a_referral_as_a_draft(signed_in, physician, patient):
    response = signed_in(physician).post(reverse("referrals:new", args=[patient.public_id]), VALID)
    referral = Referral.objects.get()
    assert response["Location"] == detail_url(referral)
    assert (referral.patient, referral.state, referral.created_by) == (patient, "draft", physician)
    assert referral.question == VALID["question"]
    event = AuditEvent.objects.get(action=Action.CREATE)
    assert (event.patient, event.target) == (patient, "referral written")


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"expected_wait_days": "30"}, "bridge_plan", "The wait is 30 days (over 2 weeks): write what the patient"),
        ({"expected_wait_days": "30", "bridge_plan": "Walk"}, "bridge_contact", "say who the patient can call"),
        ({"prior_authorisation": "approved"}, "authorisation_reference", "An approved prior authorisation needs"),
        ({"visits_used": "-1"}, "visits_used", "Used visits cannot be negative."),
        ({"visits_authorised": "0"}, "visits_authorised", "Visits authorised: at least 1."),
        ({"visits_used": "lots"}, "visits_used", "Visits used: enter a whole number."),
        ({"service": "other"}, "service_other", "Name the service"),
        ({"service": "astrology"}, "service", "Choose a service from the list."),
        ({"reason": ""}, "reason", "Write the reason for the referral."),
        ({"expected_wait_days": "9999"}, "expected_wait_days", "Expected wait (days): at most 730."),
    ],
)
def test_the_form_refuses_what_does_not_fit_and_keeps_what_was_typed(
    signed_in, coordinator, patient, changes, field, message
):
    data = {**VALID, "receiving_provider": "Lakeside Therapy", **changes}
    response = signed_in(coordinator).post(reverse("referrals:new", args=[patient.public_id]), data)
    assert response.status_code == 400
    assert message in str(response.context["form"].errors[field])
    assert "Lakeside Therapy" in response.content.decode()
    assert not Referral.objects.exists()


def test_a_long_wait_with_a_bridge_plan_is_saved(signed_in, coordinator, patient):
    data = {**VALID, "expected_wait_days": "30", "bridge_plan": "Walk 10 minutes", "bridge_contact": "Sofia, 555-0100"}
    signed_in(coordinator).post(reverse("referrals:new", args=[patient.public_id]), data)
    referral = Referral.objects.get()
    assert (referral.expected_wait_days, referral.bridge_contact) == (30, "Sofia, 555-0100")


def test_an_edit_saves_the_changes_with_an_event_and_an_audit(signed_in, coordinator, patient, referral):
    data = {**VALID, "version": referral.version, "expected_wait_days": "30"}
    data |= {"bridge_plan": "Walk 10 minutes a day", "bridge_contact": "Sofia at the clinic, 555-0100"}
    response = signed_in(coordinator).post(reverse("referrals:edit", args=[referral.public_id]), data)
    assert response["Location"] == detail_url(referral)
    saved = Referral.objects.get(pk=referral.pk)
    assert (saved.expected_wait_days, saved.bridge_plan, saved.state) == (30, "Walk 10 minutes a day", "sent")
    assert ReferralEvent.objects.filter(referral=referral, note__startswith="Changed: ").count() == 1
    assert AuditEvent.objects.filter(action=Action.UPDATE, target="referral details changed").count() == 1


def test_an_edit_of_a_stale_form_is_refused_keeping_what_was_typed(signed_in, coordinator, physician, referral):
    shown = referral.version
    Referral.objects.get(pk=referral.pk).update_details(by=physician, changes={"urgency": "urgent"})
    data = {**VALID, "version": shown, "receiving_provider": "Lakeside Therapy"}
    response = signed_in(coordinator).post(reverse("referrals:edit", args=[referral.public_id]), data)
    assert response.status_code == 409
    content = response.content.decode()
    assert "Someone else changed this referral while you had it open, so nothing was saved." in content
    assert "Ada Okafor, MD changed it at" in content
    assert "Lakeside Therapy" in content
    saved = Referral.objects.get(pk=referral.pk)
    assert (saved.receiving_provider, saved.urgency) == ("Harbourview Physical Therapy", "urgent")
    assert response.context["form"]["version"].value() == saved.version  # saving again is a decision now


def test_the_edit_form_shows_the_current_details(signed_in, coordinator, referral):
    response = signed_in(coordinator).get(reverse("referrals:edit", args=[referral.public_id]))
    assert response.context["form"]["receiving_provider"].value() == "Harbourview Physical Therapy"
    assert response.context["form"]["version"].value() == referral.version


# --------------------------------------------------------------------------- the chart section


def test_the_chart_lists_the_patients_referrals_with_warnings(signed_in, physician, coordinator, patient):
    referral_in_state("attended", patient=patient, by=coordinator, visits_authorised=12, visits_used=10)
    referral_in_state("closed", patient=patient, by=coordinator, service="sleep_medicine")
    content = signed_in(physician).get(reverse("patients:chart", args=[patient.public_id])).content.decode()
    section = content.split('id="referrals-heading"', 1)[1]
    assert "Insurance: 1 visit left of 12 authorised" in section
    assert section.index("Physical therapy") < section.index("Sleep medicine")  # open before ended
    assert reverse("referrals:new", args=[patient.public_id]) in section


def test_the_chart_section_runs_a_constant_number_of_queries(
    signed_in, physician, coordinator, patient, django_assert_max_num_queries
):
    referral_in_state("sent", patient=patient, by=coordinator)
    client = signed_in(physician)
    url = reverse("patients:chart", args=[patient.public_id])
    client.get(url)  # the first page after signing in also saves the session
    with django_assert_max_num_queries(40) as one:
        client.get(url)
    for state in list(rules.STATES) * 3:
        referral_in_state(state, patient=patient, by=coordinator)
    with django_assert_max_num_queries(40) as many:
        client.get(url)
    assert len(many.captured_queries) == len(one.captured_queries)


# --------------------------------------------------------------------------- the list


def list_rows(response) -> list[Referral]:
    return list(response.context["referrals"])


def test_the_list_shows_open_referrals_by_default_and_filters_by_state_service_and_lateness(
    signed_in, coordinator, patient
):
    sent = referral_in_state("sent", patient=patient, by=coordinator)
    closed = referral_in_state("closed", patient=patient, by=coordinator)
    sleep = referral_in_state("scheduled", patient=patient, by=coordinator, service="sleep_medicine")
    Referral.objects.filter(pk=sent.pk).update(sent_at=timezone.now() - timedelta(days=20))
    client = signed_in(coordinator)
    url = reverse("referrals:list")

    assert {r.pk for r in list_rows(client.get(url))} == {sent.pk, sleep.pk}
    assert {r.pk for r in list_rows(client.get(url, {"state": ""}))} == {sent.pk, closed.pk, sleep.pk}
    assert [r.pk for r in list_rows(client.get(url, {"state": "closed"}))] == [closed.pk]
    assert [r.pk for r in list_rows(client.get(url, {"service": "sleep_medicine"}))] == [sleep.pk]
    late = client.get(url, {"overdue": "on"})
    assert [r.pk for r in list_rows(late)] == [sent.pk]
    assert "Not acknowledged within 5 business days" in late.content.decode()


@pytest.mark.parametrize(
    "query", [{"state": "bogus"}, {"service": "x" * 300}, {"after": "not-a-uuid"}, {"overdue": "x"}]
)
def test_the_list_ignores_filters_it_cannot_read(signed_in, coordinator, referral, query):
    response = signed_in(coordinator).get(reverse("referrals:list"), query)
    assert response.status_code == 200


def test_the_list_shows_a_clinician_only_their_teams_referrals(signed_in, physician, outsider, coordinator, patient):
    mine = referral_in_state("sent", patient=patient, by=coordinator)
    referral_in_state("sent", patient=PatientFactory(), by=coordinator)
    assert [r.pk for r in list_rows(signed_in(physician).get(reverse("referrals:list")))] == [mine.pk]
    assert list_rows(signed_in(outsider).get(reverse("referrals:list"))) == []


def test_the_list_pages_by_keyset_without_repeating_or_skipping(signed_in, coordinator):
    patient = PatientFactory()
    made = [referral_in_state("sent", patient=patient, by=coordinator) for _ in range(PAGE_SIZE + 3)]
    client = signed_in(coordinator)
    first = client.get(reverse("referrals:list"))
    assert len(list_rows(first)) == PAGE_SIZE
    next_query = first.context["next_query"]
    assert next_query
    second = client.get(reverse("referrals:list") + "?" + next_query)
    assert second.context["next_query"] is None
    seen = [r.pk for r in list_rows(first) + list_rows(second)]
    assert sorted(seen) == sorted(r.pk for r in made)
    assert AuditEvent.objects.filter(target="referral list", patient=None).count() == 2


def test_the_list_runs_a_constant_number_of_queries(signed_in, coordinator, django_assert_max_num_queries):
    patient = PatientFactory()
    CareTeamMemberFactory(patient=patient)
    referral_in_state("sent", patient=patient, by=coordinator)
    client = signed_in(coordinator)
    client.get(reverse("referrals:list"))  # the first page after signing in also saves the session
    with django_assert_max_num_queries(10) as one:
        client.get(reverse("referrals:list"))
    for _ in range(30):
        referral_in_state("scheduled", patient=PatientFactory(), by=coordinator, visits_authorised=3, visits_used=2)
    with django_assert_max_num_queries(10) as many:
        client.get(reverse("referrals:list"))
    assert len(many.captured_queries) == len(one.captured_queries)
