"""Build questionnaire histories through the real services (start, answer, submit), then move them
back in time where a test needs a history."""

from datetime import timedelta

from django.utils import timezone

from measures.models import Alert, Response
from measures.services import latest_instrument, save_answer, start_response, submit_response


def answer(patient, code, answers, *, days_ago=0, source=Response.Source.PORTAL, entered_by=None, context=None):
    response = start_response(patient=patient, instrument=latest_instrument(code), source=source, entered_by=entered_by)
    for item_code, value in answers.items():
        save_answer(response=response, item_code=item_code, value=value)
    submission = submit_response(response=response, context=context)
    if days_ago:
        when = timezone.now() - timedelta(days=days_ago)
        Response.objects.filter(pk=response.pk).update(started_at=when, completed_at=when)
        Alert.objects.filter(response=response).update(created_at=when)
    return submission


def peg(patient, value, **kwargs):
    return answer(patient, "peg", {"peg_1": value, "peg_2": value, "peg_3": value}, **kwargs)


def phq9(patient, each=1, *, item9=0, **kwargs):
    answers = {f"phq9_{n}": each for n in range(1, 9)} | {"phq9_9": item9, "phq9_difficulty": 1}
    return answer(patient, "phq9", answers, **kwargs)


def gad7(patient, each=1, **kwargs):
    return answer(patient, "gad7", {f"gad7_{n}": each for n in range(1, 8)}, **kwargs)
