"""factory-boy factories for the whole suite. Build complex states with real services instead."""

import datetime

import factory
from django.utils import timezone

from clinic.models import CareTeamMember, User
from clinic.roles import Discipline, Role
from patients.models import PainCondition, Patient

PASSWORD = "correct horse battery staple"


class StaffFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"staff{n}")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    email = factory.LazyAttribute(lambda u: f"{u.username}@clinic.test")
    role = Role.CLINICIAN
    discipline = Discipline.NURSE
    password = factory.django.Password(PASSWORD)


class PatientFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Patient
        skip_postgeneration_save = True

    mrn = factory.Sequence(lambda n: f"{500000 + n}")  # clear of the cast's 100xxx MRNs
    given_name = factory.Faker("first_name")
    family_name = factory.Faker("last_name")
    preferred_name = ""
    date_of_birth = factory.Faker("date_of_birth", minimum_age=18, maximum_age=90)
    primary_condition = PainCondition.LOW_BACK_PAIN
    email = factory.LazyAttribute(lambda p: f"patient{p.mrn}@example.test")
    mobile = ""
    consents_to_email = True
    created_at = factory.LazyFunction(timezone.now)
    search_name = ""

    @factory.post_generation
    def names(obj, create, extracted, **kwargs):
        obj.set_names(given=obj.given_name, family=obj.family_name, preferred=obj.preferred_name)
        if create:
            obj.save(update_fields=["given_name", "family_name", "preferred_name", "search_name"])

    class Params:
        born = factory.Trait(date_of_birth=datetime.date(1961, 4, 30))


class CareTeamMemberFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CareTeamMember

    patient = factory.SubFactory(PatientFactory)
    member = factory.SubFactory(StaffFactory)
    is_lead = False


class EncounterFactory(factory.django.DjangoModelFactory):
    """A visit note; a draft unless signed_at is given (build signed ones with Encounter.sign where it matters)."""

    class Meta:
        model = "patients.Encounter"

    patient = factory.SubFactory(PatientFactory)
    author = factory.SubFactory(StaffFactory, password="!")
    discipline = factory.LazyAttribute(lambda e: e.author.discipline)
    occurred_on = factory.LazyFunction(timezone.localdate)
    kind = "follow_up"
    priorities = "Walk the dog again"
    findings = "Guarded movement"
    assessment = "Improving slowly"
    plan = "Pacing; review in 4 weeks"
    status = factory.LazyAttribute(lambda e: "signed" if e.signed_at else "draft")
    signed_at = None


class PsychotherapyNoteFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "patients.PsychotherapyNote"

    patient = factory.SubFactory(PatientFactory)
    author = factory.SubFactory(StaffFactory, password="!", discipline=Discipline.PSYCHOLOGIST)
    occurred_on = factory.LazyFunction(timezone.localdate)
    text = "Process note"


def referral_in_state(state: str, *, patient, by, appointment_on=None, **details):
    """A referral brought to `state` by the services' own writes and the model methods (a physical therapy
    referral unless `details` say otherwise). Setup, not a person's act: no audit event, so a test sees only
    the events of what it does itself."""
    from clinic.referral_services import move_on, write_draft
    from clinic.referrals import PATHS

    fields = {
        "service": "physical_therapy",
        "receiving_provider": "Harbourview Physical Therapy",
        "reason": "Graded activity for chronic low back pain",
        "question": "Please assess and start a graded activity programme.",
        **details,
    }
    referral = write_draft(patient=patient, by=by, details=fields)
    day = appointment_on or timezone.localdate() + datetime.timedelta(days=7)
    for action in PATHS[state]:
        move_on(referral, action, by=by, expected_version=referral.version, on=day, reason="Test reason", note="")
    return referral


class ProblemFactory(factory.django.DjangoModelFactory):
    """One entry of the problem list (build changes with patients.problem_services)."""

    class Meta:
        model = "patients.Problem"

    patient = factory.SubFactory(PatientFactory)
    domain = "pain"
    title = factory.Sequence(lambda n: f"Problem {n}")
    status = "active"
    notes = ""


def put_on_duty(person, *, now=None):
    """Put this clinician on the rota for the slot that covers now (or ``now``); returns them."""
    from clinic.models import DutyShift
    from clinic.safety_net import current_slot

    slot = current_slot(now)
    DutyShift.objects.update_or_create(on=slot.on, slot=slot.slot, defaults={"clinician": person})
    return person


def mark_away(person, *, days: int = 7):
    """Mark this person away from today for ``days`` days (today included); returns them."""
    from datetime import timedelta

    from clinic.models import StaffAbsence

    today = timezone.localdate()
    StaffAbsence.objects.create(staff=person, starts_on=today, ends_on=today + timedelta(days=days - 1))
    return person


class AppointmentFactory(factory.django.DjangoModelFactory):
    """A booked follow-up in person, tomorrow at 10:00 clinic time, with a clinician (the physician's discipline
    unless given). Setup only: no history event and no audit row; book through
    clinic.appointment_services.book_appointment where the booking itself is under test.

    ``AppointmentFactory(patient=p, clinician=c, starts_at=..., minutes=45)``; a telehealth one:
    ``AppointmentFactory(kind="telehealth", place="", video_link="https://video.example.test/room")``;
    a group session: ``AppointmentFactory(kind="group", group_name="Pain self-management", clinician=None,
    discipline="psychologist")``."""

    class Meta:
        model = "clinic.Appointment"
        exclude = ("minutes",)

    patient = factory.SubFactory(PatientFactory)
    clinician = factory.SubFactory(StaffFactory, password="!", discipline=Discipline.PHYSICIAN)
    group_name = ""
    discipline = factory.LazyAttribute(lambda a: a.clinician.discipline if a.clinician else Discipline.PSYCHOLOGIST)
    kind = "follow_up"
    starts_at = factory.LazyFunction(
        lambda: timezone.make_aware(
            datetime.datetime.combine(timezone.localdate() + datetime.timedelta(days=1), datetime.time(10, 0))
        )
    )
    minutes = 30
    ends_at = factory.LazyAttribute(lambda a: a.starts_at + datetime.timedelta(minutes=a.minutes))
    place = "Room 3, Riverside clinic"
    video_link = ""
    note_for_patient = ""
    status = "booked"
    created_at = factory.LazyFunction(timezone.now)
