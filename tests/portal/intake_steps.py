"""What the intake tests share: the section URLs, reading a page as plain text, and a fresh intake row."""

from django.urls import reverse

from patients import redflags
from patients.models import Intake

ALL_NO = {item.code: "no" for item in redflags.ITEMS}


def section_url(code: str) -> str:
    return reverse("portal:intake_section", args=[code])


def autosave_url(code: str) -> str:
    return reverse("portal:intake_autosave", args=[code])


def text(response) -> str:
    return " ".join(response.content.decode().split())


def fresh(intake) -> Intake:
    return Intake.objects.get(pk=intake.pk)
