"""Team messages on the chart: staff only (never in the portal), mentions create one task per colleague
who may see the patient, audited; the chart's team section stays a constant number of queries."""

import pytest
from django.urls import reverse

from audit.models import Action, AuditEvent
from clinic.models import TeamMessage, TeamTask
from clinic.team_services import post_team_message
from tests.factories import CareTeamMemberFactory, StaffFactory
from tests.portal.journey import open_link

BODY = "Mari says the new pacing plan helps on work days; @Elin can we add sleep?"


def post_url(patient):
    return reverse("team:message", args=[patient.public_id])


def chart(patient):
    return reverse("patients:chart", args=[patient.public_id])


def test_the_chart_shows_the_care_team_and_the_message_form_to_the_team(signed_in, physician, psychologist, patient):
    page = signed_in(physician).get(chart(patient)).content.decode()
    section = page.split('id="team-heading"', 1)[1]
    assert "Care team" in page and psychologist.display_name in section
    assert "Post to the team" in section
    assert "the patient never sees these" in section
    # A colleague to mention: the psychologist, not the author.
    mentions = section.split('name="mentions"', 1)[1]
    assert f'value="{psychologist.pk}"' in section and f'value="{physician.pk}"' not in mentions


def test_posting_a_message_with_a_mention_creates_one_task_for_the_colleague(
    signed_in, physician, psychologist, patient
):
    client = signed_in(physician)
    response = client.post(post_url(patient), {"body": BODY, "mentions": [psychologist.pk]})
    message = TeamMessage.objects.get()
    assert response.status_code == 302
    assert response["Location"] == chart(patient) + f"#team-message-{message.public_id}"
    assert (message.author, message.body, list(message.mentions.all())) == (physician, BODY, [psychologist])
    task = TeamTask.objects.get(source=TeamTask.Source.MENTION)
    assert (task.assignee, task.patient, task.title) == (
        psychologist,
        patient,
        f"{physician.display_name} mentioned you in a team message",
    )
    assert task.link == chart(patient) + f"#team-message-{message.public_id}"
    assert task.details == BODY
    assert task.events.get().by == physician
    event = AuditEvent.objects.get(target="team message")
    assert (event.action, event.patient, event.actor) == (Action.CREATE, patient, physician)
    page = client.get(chart(patient)).content.decode()
    assert f'id="team-message-{message.public_id}"' in page and "mentioned " + psychologist.display_name in page


def test_a_coordinator_posts_and_mentions_the_lead(signed_in, coordinator, physician, patient):
    signed_in(coordinator).post(post_url(patient), {"body": "Insurance approved 8 visits.", "mentions": [physician.pk]})
    assert TeamTask.objects.get(source=TeamTask.Source.MENTION).assignee == physician


def test_mentions_create_tasks_once_even_when_the_service_runs_again(physician, psychologist, patient):
    message = post_team_message(patient=patient, author=physician, body="Hello", mentions=[psychologist, psychologist])
    assert TeamTask.objects.filter(source=TeamTask.Source.MENTION).count() == 1
    from clinic.services import create_task
    from clinic.team_services import mention_key

    create_task(title="again", source="mention", source_key=mention_key(message, psychologist), assignee=psychologist)
    assert TeamTask.objects.filter(source=TeamTask.Source.MENTION).count() == 1


def test_the_service_drops_mentions_of_the_author_and_of_staff_who_may_not_see_the_patient(
    physician, outsider, clinic_admin, patient
):
    inactive = StaffFactory(is_active=False)
    CareTeamMemberFactory(patient=patient, member=inactive)
    message = post_team_message(
        patient=patient, author=physician, body="Hi", mentions=[physician, outsider, clinic_admin, inactive]
    )
    assert list(message.mentions.all()) == []
    assert not TeamTask.objects.exists()


def test_mentioning_someone_not_offered_is_a_form_error_and_keeps_what_was_typed(
    signed_in, physician, outsider, patient
):
    response = signed_in(physician).post(post_url(patient), {"body": BODY, "mentions": [outsider.pk]})
    assert response.status_code == 400
    assert "Mention only colleagues on this patient" in response.content.decode()
    assert "the new pacing plan helps" in response.content.decode()
    assert not TeamMessage.objects.exists() and not TeamTask.objects.exists()


@pytest.mark.parametrize("body", ["", "   ", "a\x00b", "x" * 4001])
def test_an_empty_or_unreadable_message_is_refused_without_a_500(signed_in, physician, patient, body):
    response = signed_in(physician).post(post_url(patient), {"body": body})
    assert response.status_code == 400
    assert not TeamMessage.objects.exists()


def test_a_clinician_off_the_team_gets_404_and_posts_nothing(signed_in, outsider, patient):
    assert signed_in(outsider).post(post_url(patient), {"body": "Hi"}).status_code == 404
    assert not TeamMessage.objects.exists()


def test_clinic_admins_read_team_messages_but_do_not_post(signed_in, clinic_admin, physician, patient):
    post_team_message(patient=patient, author=physician, body="Team only note", mentions=[])
    client = signed_in(clinic_admin)
    page = client.get(chart(patient)).content.decode()
    assert "Team only note" in page and "Post to the team" not in page
    assert client.post(post_url(patient), {"body": "Hi"}).status_code == 403
    assert TeamMessage.objects.count() == 1


def test_team_messages_never_reach_the_portal(client, patient_link, physician, patient):
    post_team_message(patient=patient, author=physician, body="Internal: discuss at the conference", mentions=[])
    _, token = patient_link
    response = open_link(client, token, follow=True)
    assert response.status_code == 200
    assert b"Internal: discuss" not in response.content
    assert b"team message" not in response.content.lower()


def test_the_team_section_costs_the_same_queries_for_one_message_or_many(
    signed_in, physician, psychologist, patient, django_assert_max_num_queries
):
    post_team_message(patient=patient, author=physician, body="First", mentions=[psychologist])
    client = signed_in(physician)
    client.get(chart(patient))
    with django_assert_max_num_queries(60) as one:
        client.get(chart(patient))
    for n in range(30):
        post_team_message(patient=patient, author=psychologist, body=f"Note {n}", mentions=[physician])
    with django_assert_max_num_queries(60) as many:
        response = client.get(chart(patient))
    page = response.content.decode()
    assert "Note 29" in page and "Note 5" not in page  # the latest 20
    assert "Showing the latest 20 messages." in page
    assert len(one) == len(many), [q["sql"][:90] for q in many.captured_queries]
