"""The questionnaire sweeps write each patient's invitation and reminders in the patient's language on file
(portal.language): Spanish for a Spanish-speaking patient, English for everyone else, in the same run."""

import datetime

import pytest
from django.conf import settings
from django.utils import timezone

from clinic.models import OutboxMessage
from measures.models import MeasurementSchedule
from measures.sweeps import sweep_due_measures, sweep_reminders
from patients.models import Language
from tests.factories import PatientFactory

TODAY = datetime.date(2026, 3, 10)
NOW = timezone.make_aware(datetime.datetime(2026, 3, 10, 10, 0))
SENDER = settings.MESSAGE_SENDER
pytestmark = pytest.mark.django_db


def due_today(patient):
    MeasurementSchedule.objects.create(patient=patient, instrument_code="peg", every_days=14, next_due_on=TODAY)


def messages_to(patient) -> list[OutboxMessage]:
    return list(OutboxMessage.objects.filter(patient=patient).order_by("created_at", "id"))


def test_the_due_sweep_invites_each_patient_in_their_language():
    spanish = PatientFactory(preferred_language=Language.SPANISH)
    english = PatientFactory(preferred_language=Language.ENGLISH)
    french = PatientFactory(preferred_language=Language.FRENCH)  # no translation yet: English
    for patient in (spanish, english, french):
        due_today(patient)

    sweep_due_measures(today=TODAY, now=NOW)

    [to_spanish], [to_english], [to_french] = messages_to(spanish), messages_to(english), messages_to(french)
    assert to_spanish.subject == f"Un mensaje de {SENDER}"
    assert "su equipo de atención tiene un breve cuestionario para usted" in to_spanish.body
    assert to_english.subject == to_french.subject == f"A message from {SENDER}"
    assert "your care team has a short check-in for you" in to_english.body
    assert "your care team has a short check-in for you" in to_french.body


def test_the_reminder_sweep_reminds_each_patient_in_their_language():
    spanish = PatientFactory(preferred_language=Language.SPANISH)
    english = PatientFactory(preferred_language=Language.ENGLISH)
    for patient in (spanish, english):
        due_today(patient)
    sweep_due_measures(today=TODAY, now=NOW)

    sweep_reminders(now=NOW + datetime.timedelta(days=2))

    reminder_es, reminder_en = messages_to(spanish)[-1], messages_to(english)[-1]
    assert reminder_es.dedupe_key.endswith(":reminder:1") and reminder_en.dedupe_key.endswith(":reminder:1")
    assert reminder_es.body.startswith(f"{SENDER}: le recordamos que el breve cuestionario")
    assert reminder_en.body.startswith(f"{SENDER}: a reminder that your care team's short check-in")
