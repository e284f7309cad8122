"""The staff home page's open tasks (most pressing first, urgent marked) and the top bar's count of the
signed-in person's open urgent tasks."""

from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

from clinic.models import TeamTask
from clinic.roles import Role
from clinic.services import create_task
from tests.measures.responses import phq9

HOME = reverse("home")


def task(title, *, priority="normal", assignee=None, role="", patient=None, days=0, status=TeamTask.Status.OPEN):
    made = create_task(
        title=title,
        source=TeamTask.Source.MENTION,
        source_key=title,
        patient=patient,
        assignee=assignee,
        assignee_role=role,
        priority=priority,
        due_on=timezone.localdate() + timedelta(days=days),
    )
    TeamTask.objects.filter(pk=made.pk).update(status=status)
    return made


def topbar(response) -> str:
    return response.content.decode().split('class="topbar"', 1)[1].split("</header>", 1)[0]


def test_it_lists_the_persons_open_tasks_urgent_first_and_marked(signed_in, physician, psychologist, patient):
    task("Call back about sleep", assignee=physician, days=-3)
    task("Review referral", priority="high", assignee=physician)
    task("Any clinician: check the fax", role=Role.CLINICIAN)
    task("For someone else", priority="urgent", assignee=psychologist)
    task("Already done", priority="urgent", assignee=physician, status=TeamTask.Status.DONE)
    phq9(patient, 1, item9=1)  # the urgent task goes to the lead, the physician
    response = signed_in(physician).get(HOME)
    titles = [t.title for t in response.context["tasks"]]
    assert titles[0] == "PHQ-9 item 9 answered above 0: contact the patient today"
    assert titles[1] == "Review referral"
    assert set(titles[2:]) == {"Call back about sleep", "Any clinician: check the fax"}
    page = response.content.decode().split('id="home-tasks"', 1)[1]
    assert page.index('<span class="badge task-urgent-badge">Urgent</span>') < page.index("Review referral")
    assert reverse("patients:chart", args=[patient.public_id]) in page
    assert "overdue since" in page


def test_the_top_bar_counts_the_persons_open_urgent_tasks(signed_in, physician, psychologist, patient):
    phq9(patient, 1, item9=1)
    task("Another urgent one", priority="urgent", assignee=physician)
    task("Not urgent", priority="high", assignee=physician)
    bar = topbar(signed_in(physician).get(reverse("patients:list")))
    assert '<span class="urgent-number">2</span> urgent tasks' in bar
    assert "No urgent tasks" in topbar(signed_in(psychologist).get(HOME))


def test_the_top_bar_counts_urgent_tasks_for_the_persons_role(signed_in, coordinator):
    task("Patient not reached", priority="urgent", role=Role.COORDINATOR)
    assert '<span class="urgent-number">1</span> urgent task' in topbar(signed_in(coordinator).get(HOME))


def test_the_top_bar_costs_one_query_and_nothing_when_signed_out(
    client, signed_in, physician, django_assert_num_queries
):
    with django_assert_num_queries(0):
        client.get(reverse("login"))
    client = signed_in(physician)
    client.get(reverse("patients:list"))
    with django_assert_num_queries(5) as counted:
        client.get(reverse("patients:list"))
    # The access rule mentions tasks inside the patient query; the top bar's own count is one query.
    heads = [unquoted(q["sql"]).split(" WHERE ")[0] for q in counted.captured_queries]
    task_counts = [head for head in heads if "FROM clinic_teamtask" in head]
    assert len(task_counts) == 1


def unquoted(sql: str) -> str:
    return " ".join(sql.replace('"', "").split())


def test_a_person_with_no_open_tasks_is_told_so(signed_in, coordinator):
    assert b"No open tasks." in signed_in(coordinator).get(HOME).content
