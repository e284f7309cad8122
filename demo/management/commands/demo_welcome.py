"""What a newcomer sees after `make demo`: where to go, how to sign in, and a link that opens the demo
patient's questionnaires due today (PEG, PHQ-9 and GAD-7) in the patient portal."""

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.urls import reverse

from clinic import selectors
from clinic.roles import Discipline, Role
from demo import two_step
from demo.clinic import (
    DEMO_PASSWORD,
    DEMO_STAFF,
    demo_patient,
    fresh_demo_link,
    fresh_portal_link,
    spanish_speaking_demo_patient,
)
from demo.team import LEAD
from measures.models import Instrument

ROLE_HEADINGS = {Role.CLINICIAN: "Clinicians", Role.COORDINATOR: "Care coordinators", Role.ADMIN: "Clinic admin"}


class Command(BaseCommand):
    help = (
        "Print the demo's address, one sign-in per member of staff, and a fresh link to the demo patient's "
        "questionnaires due today."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--address", default="http://127.0.0.1:8000", help="Where the app is served.")

    def handle(self, *args, address: str, **options) -> None:
        address = address.rstrip("/")
        patient = demo_patient()
        if patient is None:
            raise CommandError("The demo patient is missing: run `python manage.py seed_demo` first.")
        link = fresh_demo_link(patient)
        self.stdout.write(f"\nHaven is running at {address}/\n")
        self.stdout.write(self.sign_in_table())
        self.stdout.write(two_step.welcome_lines())
        self.stdout.write(self.duty_lines())
        self.stdout.write(self.day_lines(patient))
        if link.invitation is not None:
            codes = link.invitation.instrument_codes
            known = dict(Instrument.objects.filter(code__in=codes).values_list("code", "name"))
            names = ", ".join(known.get(code, code) for code in codes)
            self.stdout.write(
                f"\nThe demo patient, {patient.full_name} (MRN {patient.mrn}), has questionnaires due today "
                f"({names}). Open them as she would, on a phone, with this private link "
                "(valid 7 days; earlier demo links no longer work):\n"
            )
        else:
            self.stdout.write(
                f"\nThe demo patient, {patient.full_name} (MRN {patient.mrn}), has already answered today's "
                "questionnaires. Her patient portal opens with this private link "
                "(valid 7 days; earlier demo links no longer work):\n"
            )
        self.stdout.write(f"  {address}{reverse('portal:open', args=[link.token])}\n")
        self.stdout.write(self.get_my_link_lines(address, patient))
        self.stdout.write(self.spanish_lines(address))

    @staticmethod
    def day_lines(patient) -> str:
        """Where clinicians land, and the demo day that shows it."""
        return (
            f"\nClinicians land on Today: {LEAD} has a day of appointments, {patient.full_name} first; open her "
            "pre-visit summary and start the visit note from it. Coordinators book appointments from a chart or "
            "from Appointments in the top bar.\n"
        )

    @staticmethod
    def get_my_link_lines(address: str, patient) -> str:
        """How to try "Get my link" as the demo patient: the details on file, and where the message shows."""
        return (
            f"\nLost the link? {address}{reverse('portal:get_my_link')} sends a new one to the email on file: "
            f"type {patient.email} and the date of birth {patient.date_of_birth:%m/%d/%Y}. "
            "In the demo, emails and texts are printed in this terminal (by the worker).\n"
        )

    @staticmethod
    def spanish_lines(address: str) -> str:
        """A link for a patient whose language on file is Spanish: their portal speaks Spanish."""
        patient = spanish_speaking_demo_patient()
        if patient is None:
            return ""
        token = fresh_portal_link(patient)
        return (
            f"\n{patient.full_name} (MRN {patient.mrn}) reads Spanish best; their portal is in Spanish "
            f"(valid 7 days):\n  {address}{reverse('portal:open', args=[token])}\n"
        )

    @staticmethod
    def duty_lines() -> str:
        """Who urgent work reaches now: on duty, the medical lead, and who is away (the Team page has more)."""
        overview = selectors.duty_overview()
        on_duty = overview.on_duty.display_name if overview.on_duty else "nobody (urgent work goes to the medical lead)"
        lead = overview.medical_lead.display_name if overview.medical_lead else "none named"
        away = ", ".join(
            f"{a.staff.display_name} (to {a.ends_on:%b} {a.ends_on.day})"
            for a in overview.away
            if a.staff_id in overview.away_today
        )
        lines = [
            f"On duty now ({overview.now_slot.words.lower()}): {on_duty}",
            f"Medical lead: {lead}",
            f"Away today: {away or 'nobody'}",
            "The Team page (/team/) shows the rota; coordinators and admins change it.",
        ]
        return "\n".join(f"  {line}" for line in lines) + "\n"

    @staticmethod
    def sign_in_table() -> str:
        width = max(len(s["username"]) for s in DEMO_STAFF) + 2
        lines = [f"\nSign in at /accounts/sign-in/ — every demo account uses the password {DEMO_PASSWORD}\n"]
        for role, heading in ROLE_HEADINGS.items():
            lines.append(f"  {heading}")
            for person in (s for s in DEMO_STAFF if s["role"] == role):
                name = f"{person['first_name']} {person['last_name']}"
                if person["credentials"]:
                    name += f", {person['credentials']}"
                lines.append(
                    f"    {person['username']:<{width}} {DEMO_PASSWORD}   "
                    f"{Discipline(person['discipline']).label:<24} {name}"
                )
            lines.append("")
        return "\n".join(lines)
