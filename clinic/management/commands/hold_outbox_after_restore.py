"""The first step after restoring the database from a backup, before any worker or beat starts.

Every outbox message that was not sent at the backup point (waiting, retrying or being sent) may have
gone out after the backup was taken; it is held, and a care coordinator decides on "Messages held after a
restore" whether it is sent or not (clinic/outbox_restore.py). Safe to run again.
"""

from django.core.management.base import BaseCommand

from clinic.outbox_restore import hold_unsent_messages


class Command(BaseCommand):
    help = "After a restore: hold every unsent outbox message for a coordinator to review (run before workers)."

    def handle(self, *args, **options) -> None:
        counts = hold_unsent_messages()
        self.stdout.write(
            f"Held {counts['held']} unsent outbox message(s) ({counts['were_sending']} were being sent at the "
            "backup point). The outbox sweep leaves them alone; coordinators review them at /outbox/held/."
        )
