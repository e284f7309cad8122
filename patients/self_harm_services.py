"""The safety net for self-harm words in a patient's own free text (DESIGN.md, "Urgent work").

When a text the patient saves from the portal (a check-in note, a goal comment, an activity-session note,
intake free text) has words that can mean thoughts of self-harm or suicide (patients/self_harm.py, the app's
rule pending clinical sign-off), an urgent task goes to a named person by the routing chain of
clinic.safety_net, in the transaction that saves the text, once per saved text (its ``source_key``). The
portal shows the patient the crisis resources on the page returned by that save.

No patient words in the task: its title and details say where to look, never what was written.

Who may: nobody on the staff calls this. It runs inside the patient's own save (their portal link, checked
by the portal) or the system's, so it takes no staff ``by`` and checks no access rule; the task it raises is
routed by clinic.safety_net.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.db import transaction
from django.urls import reverse

from clinic.models import TeamTask
from clinic.safety_net import raise_routed_task
from patients import self_harm

CHECKIN = "checkin"
GOAL_COMMENT = "goal-comment"
PACING = "pacing"
INTAKE = "intake"

#: Where the words were written, as the task title names it.
WHERE_WORDS = {
    CHECKIN: "check-in note",
    GOAL_COMMENT: "comment on a goal",
    PACING: "note on an activity session",
    INTAKE: "pre-visit questions",
}
TITLE = "Possible self-harm words in the patient's {where}: contact the patient today"
DETAILS = (
    "Haven's phrase check found words in the patient's own writing that can mean thoughts of self-harm or "
    "suicide. The patient was shown crisis resources (988, 911 and the clinic's number) at once. Read what they "
    "wrote in their chart and contact them today. The check is the app's own phrase list (pending clinical "
    "sign-off): a prompt to ask, not a risk assessment."
)


@dataclass(frozen=True)
class SelfHarmCheck:
    #: The urgent task for this text (new or raised before for the same text); None when nothing matched.
    task: TeamTask | None
    #: True when this call created the task (a repeated save of the same text creates nothing).
    new: bool

    @property
    def matched(self) -> bool:
        return self.task is not None


NOTHING = SelfHarmCheck(task=None, new=False)


def source_key(where: str, key: object) -> str:
    """One key per saved text: ``self-harm:<where>:<the text's own id>``."""
    return f"self-harm:{where}:{key}"


def raised_for(*, patient_id: int, where: str, key_prefix: object = "", open_only: bool = False) -> bool:
    """Whether self-harm words raised a task for this patient from ``where`` (its keys starting with
    ``key_prefix``); ``open_only``: a task still open. One query, narrowed by the patient's index first."""
    tasks = TeamTask.objects.filter(patient_id=patient_id, source_key__startswith=source_key(where, key_prefix))
    if open_only:
        tasks = tasks.filter(status=TeamTask.Status.OPEN)
    return tasks.exists()


def chart_link(where: str, patient) -> str:
    """Where a clinician reads the words on the chart."""
    if where == INTAKE:
        return reverse("patients:intake_story", args=[patient.public_id])
    if where == GOAL_COMMENT:
        return reverse("careplans:plan", args=[patient.public_id])
    return reverse("careplans:log_trends", args=[patient.public_id])


@transaction.atomic
def check_patient_text(*, patient, texts: Iterable[str | None], where: str, key: object) -> SelfHarmCheck:
    """Raise the urgent task when any of ``texts`` has self-harm words; return what was found.

    Preconditions: called inside the transaction that saves the texts (so the task exists whenever the text
    does); ``where`` is one of CHECKIN, GOAL_COMMENT, PACING, INTAKE; ``key`` identifies the saved text
    (its public id, or its row id when it has none) and does not change when it is saved again.
    """
    if not self_harm.mentions_in_any(texts):
        return NOTHING
    task_key = source_key(where, key)
    existed = TeamTask.objects.filter(source_key=task_key).exists()
    task = raise_routed_task(
        title=TITLE.format(where=WHERE_WORDS[where]),
        source=TeamTask.Source.ALERT,
        source_key=task_key,
        patient=patient,
        priority=TeamTask.Priority.URGENT,
        details=DETAILS,
        link=chart_link(where, patient),
    )
    return SelfHarmCheck(task=task, new=not existed)
