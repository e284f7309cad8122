"""Check-in reminders are written in each patient's language on file (portal.language), in one sweep."""

from datetime import datetime, timedelta

import pytest
from django.conf import settings
from django.utils import timezone

from careplans.logs.reminders import REMINDER_TIME, set_log_reminder, sweep_log_reminders
from clinic.models import OutboxMessage
from patients.models import Language
from tests.careplans.logkit import active_plan
from tests.factories import PatientFactory

pytestmark = pytest.mark.django_db
SENDER = settings.MESSAGE_SENDER


def test_each_patient_gets_the_reminder_in_their_language(physician):
    today = timezone.localdate()
    evening = timezone.make_aware(datetime.combine(today, REMINDER_TIME))
    spanish = PatientFactory(preferred_language=Language.SPANISH)
    english = PatientFactory(preferred_language=Language.ENGLISH)
    for patient in (spanish, english):
        active_plan(patient, physician)
        set_log_reminder(patient=patient, frequency="daily", now=evening - timedelta(hours=9))

    sweep_log_reminders(now=evening + timedelta(minutes=5))

    to_spanish = OutboxMessage.objects.get(patient=spanish)
    to_english = OutboxMessage.objects.get(patient=english)
    assert to_spanish.subject == f"Un mensaje de {SENDER}"
    assert to_spanish.body.startswith(f"{SENDER}: su equipo de atención tiene un breve cuestionario para usted.")
    assert to_english.subject == f"A message from {SENDER}"
    assert to_english.body.startswith(f"{SENDER}: your care team has a short check-in for you.")
    assert "/p/" in to_spanish.body and "/p/" in to_english.body
