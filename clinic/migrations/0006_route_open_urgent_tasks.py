"""Open urgent tasks from before the safety net had no escalation timer, and some were for "any clinician":
start their timers, so the escalation sweep gives each unassigned one a person at once (the clinician on
duty, else the medical lead) and the others escalate if nobody acknowledges them."""

from datetime import timedelta

from django.db import migrations
from django.utils import timezone


def start_timers(apps, schema_editor):
    TeamTask = apps.get_model("clinic", "TeamTask")
    now = timezone.now()
    urgent = TeamTask.objects.filter(status="open", priority="urgent", escalate_at__isnull=True)
    urgent.filter(assignee__isnull=True).update(escalate_at=now)
    urgent.filter(assignee__isnull=False).update(escalate_at=now + timedelta(minutes=30))


class Migration(migrations.Migration):
    dependencies = [("clinic", "0005_safety_net")]

    operations = [migrations.RunPython(start_timers, migrations.RunPython.noop)]
