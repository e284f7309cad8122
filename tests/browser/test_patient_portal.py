"""The patient's own portal on a phone, from end to end, in English and in Spanish (issue 14).

A patient with a care plan opens their questionnaire link, answers the PEG and sends it; the link has done its
job, but the portal stays open: home, today's check-in, the plan and their numbers. A week later, the old link
closed and the phone forgotten, they come back through "Get my link" with their email and date of birth, open
the link that arrives, and are home again. A Spanish-speaking patient does the same journey entirely in Spanish:
every page and the message that brings the link. axe-core finds no violation of any impact on any of these
pages, and none scrolls sideways.
"""

import re
from dataclasses import dataclass
from datetime import date, timedelta

import pytest
from django.core import mail
from django.utils import timezone
from playwright.sync_api import expect

from careplans.models import DailyLog
from clinic.models import OutboxMessage
from clinic.services import deliver_message
from measures.models import Invitation, Response
from portal.models import PatientLink
from portal.services import issue_link
from tests.browser.accessibility import axe_violations
from tests.browser.conftest import PHONE, browser_context

pytestmark = pytest.mark.browser

NO_SIDEWAYS_SCROLL = "document.documentElement.scrollWidth <= window.innerWidth"
BORN = date(1961, 4, 23)


@dataclass(frozen=True)
class Words:
    """What the patient reads and taps on the way, in one language."""

    language: str
    #: The phone's own language setting (the pages before any sign-in follow it).
    phone_locale: str
    welcome: str
    continue_button: str
    hello: str
    start_peg: str
    question_1: str
    send_answers: str
    thanks: str
    home: str
    check_in_for_today: str
    daily_check_in: str
    pain_question: str
    sleep_question: str
    hours_slept: str
    calm: str
    save_check_in: str
    check_in_saved: str
    back_to_plan: str
    your_plan: str
    my_numbers: str
    link_closed: str
    get_my_link_link: str
    get_my_link: str
    contact_label: str
    birth_label: str
    send_me_my_link: str
    link_on_its_way: str
    message_words: str
    sign_out: str
    signed_out: str


ENGLISH = Words(
    language="en",
    phone_locale="en-US",
    welcome="Welcome",
    continue_button="Continue",
    hello="Hello, Mari",
    start_peg="Start how pain affects your days",
    question_1="Question 1 of 3",
    send_answers="Send my answers",
    thanks="Thank you, Mari",
    home="Home",
    check_in_for_today="Check in for today",
    daily_check_in="Daily check-in",
    pain_question="How much did pain get in the way of your day?",
    sleep_question="How well did you sleep?",
    hours_slept="Hours slept last night",
    calm="Calm",
    save_check_in="Save my check-in",
    check_in_saved="Your check-in is saved.",
    back_to_plan="Back to your plan",
    your_plan="Your plan",
    my_numbers="My numbers",
    link_closed="This link is no longer open",
    get_my_link_link="Get my link with my email or mobile number",
    get_my_link="Get my link",
    contact_label="Your email or mobile number",
    birth_label="Your date of birth",
    send_me_my_link="Send me my link",
    link_on_its_way="If these details match what we have, a new link is on its way",
    message_words="your care team",
    sign_out="Sign out",
    signed_out="You are signed out",
)


SPANISH = Words(
    language="es",
    phone_locale="es-US",
    welcome="Bienvenido/a",
    continue_button="Continuar",
    hello="Hola, Mari",
    start_peg="Empezar cómo el dolor afecta sus días",
    question_1="Pregunta 1 de 3",
    send_answers="Enviar mis respuestas",
    thanks="Gracias, Mari",
    home="Inicio",
    check_in_for_today="Hacer el registro de hoy",
    daily_check_in="Registro diario",
    pain_question="¿Cuánto le afectó el dolor en su día?",
    sleep_question="¿Qué tan bien durmió?",
    hours_slept="Horas que durmió anoche",
    calm="Tranquilo/a",
    save_check_in="Guardar mi registro",
    check_in_saved="Su registro está guardado.",
    back_to_plan="Volver a su plan",
    your_plan="Su plan",
    my_numbers="Mis números",
    link_closed="Este enlace ya no está abierto",
    get_my_link_link="Recibir mi enlace con mi correo electrónico o número de celular",
    get_my_link="Recibir mi enlace",
    contact_label="Su correo electrónico o número de celular",
    birth_label="Su fecha de nacimiento",
    send_me_my_link="Enviarme mi enlace",
    link_on_its_way="Si estos datos coinciden con los que tenemos, un nuevo enlace va en camino",
    message_words="su equipo de atención",
    sign_out="Cerrar sesión",
    signed_out="Su sesión está cerrada",
)


def checked(page, language: str, heading: str) -> None:
    """The page has this heading, says it is in this language, fits a phone, and axe-core finds nothing on it."""
    expect(page.get_by_role("heading", level=1)).to_have_text(heading)
    assert page.evaluate("document.documentElement.lang") == language, page.url
    assert page.evaluate(NO_SIDEWAYS_SCROLL), f"{page.url} scrolls sideways on a phone"
    assert axe_violations(page) == [], page.url


def questionnaire_link(patient) -> tuple[PatientLink, str]:
    link, token = issue_link(patient=patient, purpose=PatientLink.Purpose.QUESTIONNAIRES)
    Invitation.objects.create(patient=patient, due_on=timezone.localdate(), instrument_codes=["peg"], link=link)
    return link, token


def delivered_link(patient) -> tuple[str, str]:
    """Deliver what waits in the outbox; the path of the link in the one message the patient received, and
    the message's words."""
    for message in OutboxMessage.objects.filter(patient=patient, state=OutboxMessage.State.PENDING):
        assert deliver_message(message_id=message.id)
    assert len(mail.outbox) == 1
    body = mail.outbox[0].subject + "\n" + mail.outbox[0].body
    return re.search(r"/p/[A-Za-z0-9_-]+/", body).group(0), body


def answer_the_peg_and_check_in(phone, words: Words) -> None:
    checked(phone, words.language, words.welcome)
    phone.get_by_role("button", name=words.continue_button).click()
    checked(phone, words.language, words.hello)
    phone.get_by_role("button", name=words.start_peg).click()
    expect(phone.get_by_text(words.question_1)).to_be_visible()
    assert axe_violations(phone) == []
    for value in ("6", "5", "4"):
        phone.get_by_role("button", name=value, exact=True).click()
    phone.get_by_role("button", name=words.send_answers).click()
    checked(phone, words.language, words.thanks)

    # The questionnaires are sent and their link is done with; the portal is not.
    phone.get_by_role("link", name=words.home).click()
    checked(phone, words.language, words.hello)
    phone.get_by_role("link", name=words.check_in_for_today).click()
    checked(phone, words.language, words.daily_check_in)
    phone.get_by_role("group", name=words.pain_question).get_by_role("radio", name="3", exact=True).check()
    phone.get_by_role("group", name=words.sleep_question).get_by_role("radio", name="6", exact=True).check()
    phone.get_by_label(words.hours_slept).fill("7")
    phone.get_by_role("radio", name=words.calm).check()
    phone.get_by_role("button", name=words.save_check_in).click()
    expect(phone.get_by_text(words.check_in_saved)).to_be_visible()
    assert axe_violations(phone) == []
    phone.get_by_role("link", name=words.back_to_plan).click()
    checked(phone, words.language, words.your_plan)
    phone.get_by_role("link", name=words.my_numbers).click()
    checked(phone, words.language, words.my_numbers)
    phone.get_by_role("button", name=words.sign_out, exact=True).click()
    checked(phone, words.language, words.signed_out)


def come_back_through_get_my_link(phone, patient, old_token: str, words: Words) -> None:
    phone.goto(f"/p/{old_token}/")
    checked(phone, words.language, words.link_closed)
    phone.get_by_role("link", name=words.get_my_link_link).click()
    checked(phone, words.language, words.get_my_link)
    phone.get_by_label(words.contact_label).fill(patient.email.upper())  # as a phone's keyboard may type it
    phone.get_by_label(words.birth_label).fill(BORN.strftime("%m/%d/%Y"))
    phone.get_by_role("button", name=words.send_me_my_link).click()
    expect(phone.get_by_text(words.link_on_its_way)).to_be_visible()
    assert axe_violations(phone) == []

    path, message = delivered_link(patient)
    assert words.message_words in message, message
    phone.goto(path)
    checked(phone, words.language, words.welcome)
    phone.get_by_role("button", name=words.continue_button).click()
    checked(phone, words.language, words.hello)
    phone.get_by_role("link", name=words.your_plan, exact=True).click()
    checked(phone, words.language, words.your_plan)


@pytest.mark.parametrize("words", [ENGLISH, SPANISH], ids=lambda words: words.language)
def test_a_patient_keeps_their_portal_after_the_questionnaires_and_comes_back_a_week_later(
    driver, traffic, django_db_serialized_rollback, patient, walking_plan, words
):
    patient.date_of_birth = BORN
    patient.preferred_language = words.language
    patient.save()
    link, token = questionnaire_link(patient)

    phone_settings = PHONE | {"locale": words.phone_locale}
    with browser_context(driver, traffic, phone_settings) as context:
        phone = context.new_page()
        phone.goto(f"/p/{token}/")
        answer_the_peg_and_check_in(phone, words)
    assert Response.objects.get(patient=patient).completed_at is not None
    assert DailyLog.objects.get(patient=patient).pain_interference == 3

    # A week later: the link has closed, and this phone was not remembered.
    PatientLink.objects.filter(id=link.id).update(expires_at=timezone.now() - timedelta(days=1))
    with browser_context(driver, traffic, phone_settings) as context:
        come_back_through_get_my_link(context.new_page(), patient, token, words)
