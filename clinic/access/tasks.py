"""Team tasks: who may open, work on and acknowledge them.

- A task about a patient follows the patient's rule (``patients_visible_to``, which counts an open task as
  access while it is open), so a closed task no longer shows its former assignee that patient. A task about
  nobody: its assignee's, or its role's while unassigned. Coordinators and clinic admins see every task.
- Clinicians and coordinators work on the tasks they may see (take, hand on, mark done) and post team
  messages; clinic admins read everything and change none of it.
- Creating a task of one's own ("New task" on the worklist and the chart): clinicians and coordinators, about
  nobody or about a patient they may see (``may_create_task_for``, the same rule as giving any task).
- Acknowledging urgent work says what was done clinically: a clinician who may see the task's patient
  (the assignee while it is open, the care team), or the assignee of a task about nobody.
"""

from django.db.models import Q, QuerySet

from audit.refusals import NotVisible
from clinic.access.patients import may_see_patient, patients_visible_to
from clinic.models import TeamTask
from clinic.roles import Role

WORKERS_ONLY = "Clinic admins read the team's work; clinicians and coordinators change it."
PATIENTS_WORKERS_ONLY = "Clinicians and coordinators who may see the patient do the team's work about them."
ACKNOWLEDGERS_ONLY = "A clinician who may see the patient acknowledges urgent work."


def tasks_visible_to(user) -> QuerySet[TeamTask]:
    if not (user.is_authenticated and user.is_active):
        return TeamTask.objects.none()
    if user.sees_every_patient:
        return TeamTask.objects.all()
    return TeamTask.objects.filter(
        Q(patient__in=patients_visible_to(user))
        | Q(patient__isnull=True, assignee=user)
        | Q(patient__isnull=True, assignee__isnull=True, assignee_role=user.role)
    )


def tasks_about(user, patient) -> QuerySet[TeamTask]:
    """The tasks about one patient, by the same rule as tasks_visible_to (a patient's tasks go with the patient),
    as a query that starts from the patient: the index on the patient serves it at any clinic size, where the
    general rule's OR over the user's patients cannot."""
    if not (user.is_authenticated and user.is_active and may_see_patient(user, patient)):
        return TeamTask.objects.none()
    return TeamTask.objects.filter(patient=patient)


def may_see_task(user, task: TeamTask) -> bool:
    if not (user.is_authenticated and user.is_active):
        return False
    if user.sees_every_patient:
        return True
    if task.patient_id is not None:
        return may_see_patient(user, task.patient)
    return task.assignee_id == user.pk or (task.assignee_id is None and task.assignee_role == user.role)


def may_coordinate(user) -> bool:
    """Post team messages, work on tasks, run case conferences: clinicians and coordinators."""
    return bool(user.is_active and user.role in (Role.CLINICIAN, Role.COORDINATOR))


def may_coordinate_for(user, patient) -> bool:
    """Post a team message, give a task or put a patient on a conference's agenda: clinicians and coordinators
    who may see the patient (any of them for work about nobody)."""
    return may_coordinate(user) and (patient is None or may_see_patient(user, patient))


def may_create_task_for(user, patient) -> bool:
    """The "New task" page: clinicians and coordinators, about nobody or about a patient they may see. Clinic
    admins read the team's work and create none of it (the app's own choice, as for every task change)."""
    return may_coordinate_for(user, patient)


def may_work_on_task(user, task: TeamTask) -> bool:
    return may_coordinate(user) and may_see_task(user, task)


def may_acknowledge_urgent(user, task: TeamTask) -> bool:
    return may_acknowledge_all(user, [task])


def may_acknowledge_all(user, tasks: list[TeamTask]) -> bool:
    """``may_acknowledge_urgent`` for every task at once (True for none), with one query for all their patients."""
    if not tasks:
        return True
    if not (user.is_active and user.role == Role.CLINICIAN):
        return False
    patient_ids = {task.patient_id for task in tasks if task.patient_id is not None}
    visible = (
        set(patients_visible_to(user).filter(pk__in=patient_ids).values_list("pk", flat=True)) if patient_ids else set()
    )
    return all(task.assignee_id == user.pk if task.patient_id is None else task.patient_id in visible for task in tasks)


def get_task_for_user(user, task_id) -> TeamTask:
    try:
        return (
            tasks_visible_to(user)
            .select_related("patient", "assignee", "done_by", "acknowledged_by")
            .get(public_id=task_id)
        )
    except TeamTask.DoesNotExist:
        raise NotVisible("team task", task_id, "No such task.") from None
