"""The portal in the patient's language (issue 14, "In the patient's language"): the Spanish catalogue is
complete and compiled; a Spanish-speaking patient's pages, crisis resources and messages are in Spanish; the
language switch keeps its choice for the session; English-speaking patients and staff pages are unchanged."""

import gettext
import re
import shutil
import subprocess
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone, translation

from careplans.models import Goal
from clinic import dates
from clinic.models import OutboxMessage
from measures.definitions import get_definition
from measures.scheduling import create_invitation
from medications.rules.tapering import plan_taper
from medications.services.tapers import confirm_doses, start_taper
from patients.models import Language
from portal.language import language_of, portal_language
from portal.numbers_words import day_words
from portal.questionnaire import number_words
from portal.safety import words_for
from tests.careplans.logkit import active_plan, check_in
from tests.clock import SATURDAY_NIGHT
from tests.factories import referral_in_state
from tests.medications.medkit import add_line
from tests.portal.journey import invite, open_link, question_url, start, tap

ROOT = Path(settings.BASE_DIR)
#: Every catalogue: the project's (locale/) and the apps' own (patients/locale/: the intake's wording).
CATALOGUES = sorted([*ROOT.glob("locale/*/LC_MESSAGES/django.po"), *ROOT.glob("*/locale/*/LC_MESSAGES/django.po")])
HOME = reverse("portal:home")
SWITCH = reverse("portal:language")
MSGFMT = shutil.which("msgfmt")
needs_msgfmt = pytest.mark.skipif(MSGFMT is None, reason="gettext's msgfmt is not installed")


def text(response) -> str:
    return " ".join(response.content.decode().split())


@pytest.fixture
def spanish(patient):
    patient.preferred_language = Language.SPANISH
    patient.save(update_fields=["preferred_language"])
    return patient


@pytest.fixture
def invited(spanish):
    return invite(spanish, codes=("peg", "phq9"))


@pytest.fixture
def opened(client, invited):
    open_link(client, invited[1])
    return client


# --------------------------------------------------------------------------- the catalogue


def test_the_project_and_the_patients_app_have_a_spanish_catalogue():
    found = {po.relative_to(ROOT).as_posix() for po in CATALOGUES}
    assert {"locale/es/LC_MESSAGES/django.po", "patients/locale/es/LC_MESSAGES/django.po"} <= found


def catalogue_id(po: Path) -> str:
    """The test id: "project" for locale/, else the app's name."""
    first = po.relative_to(ROOT).parts[0]
    return "project" if first == "locale" else first


@needs_msgfmt
@pytest.mark.parametrize("po", CATALOGUES, ids=catalogue_id)
def test_the_catalogue_has_no_untranslated_or_fuzzy_message(po):
    result = subprocess.run(
        [MSGFMT, "--check", "--statistics", "-o", "/dev/null", str(po)], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr
    assert "translated message" in result.stderr
    assert "untranslated" not in result.stderr
    assert "fuzzy" not in result.stderr


@needs_msgfmt
@pytest.mark.parametrize("po", CATALOGUES, ids=catalogue_id)
def test_the_committed_mo_is_compiled_from_the_current_po(po, tmp_path):
    fresh = tmp_path / "django.mo"
    subprocess.run([MSGFMT, "--check-format", "-o", str(fresh), str(po)], check=True)
    with po.with_suffix(".mo").open("rb") as committed, fresh.open("rb") as compiled:
        assert gettext.GNUTranslations(committed)._catalog == gettext.GNUTranslations(compiled)._catalog  # type: ignore[attr-defined]


# --------------------------------------------------------------------------- which language


@pytest.mark.parametrize(
    ("preferred", "expected"),
    [(Language.SPANISH, "es"), (Language.ENGLISH, "en"), (Language.FRENCH, "en"), (Language.OTHER, "en")],
)
def test_a_language_with_no_catalogue_falls_back_to_english(patient, preferred, expected):
    patient.preferred_language = preferred
    assert language_of(patient) == expected
    assert portal_language(patient, {}) == expected


def test_the_sessions_choice_wins_over_the_language_on_file(spanish):
    assert portal_language(spanish, {"portal_language": "en"}) == "en"
    assert portal_language(None, {}) == "en"


# --------------------------------------------------------------------------- a Spanish-speaking patient's pages


def test_a_spanish_speaking_patients_home_page_is_in_spanish(opened):
    page = text(opened.get(HOME))
    assert '<html lang="es">' in page
    assert "Hola, Mari" in page
    assert "Su equipo de atención tiene 2 breves cuestionarios para usted." in page
    assert "Hello," not in page


def test_the_questionnaire_page_says_in_spanish_that_the_questions_are_only_in_english(opened, invited):
    peg = start(opened, invited[0], "peg")
    page = text(opened.get(question_url(peg, 1)))
    assert "Estas preguntas solo están en inglés por ahora." in page
    assert "Pregunta 1 de 3" in page
    assert "What number best describes your pain on average in the past week?" in page  # the official wording


def test_the_answers_are_recorded_with_the_language_their_questions_were_given_in(opened, invited):
    peg = start(opened, invited[0], "peg")
    tap(opened, peg, 1, 5)
    peg.refresh_from_db()
    assert peg.language == "en"


def test_an_english_speaking_patient_is_not_told_about_the_language_of_the_questions(client, patient):
    invitation, token = invite(patient, codes=("peg",))
    open_link(client, token)
    peg = start(client, invitation, "peg")
    page = text(client.get(question_url(peg, 1)))
    assert "only in English" not in page
    assert "Question 1 of 3" in page


def test_a_spanish_speaking_patients_plan_page_is_in_spanish(client, spanish, patient_link, physician):
    active_plan(spanish, physician)
    open_link(client, patient_link[1])
    page = text(client.get(reverse("portal:plan")))
    assert "<h1>Su plan</h1>" in page
    assert "Registro diario (30 segundos)" in page
    assert "Su plan para brotes de dolor" in page
    assert "Recordatorios: sin recordatorios" in page


@pytest.mark.django_db
def test_the_link_closed_page_is_in_the_language_chosen_there(client):
    closed = reverse("portal:open", args=["no-such-token"])
    response = client.post(SWITCH, {"language": "es"}, HTTP_REFERER=f"http://testserver{closed}")
    assert response.status_code == 302
    assert response["Location"] == closed
    page = text(client.get(closed))
    assert "Este enlace ya no está abierto" in page
    assert "Envíenme un enlace nuevo" in page


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("browser", "heading"),
    [("es-US,es;q=0.9", "Este enlace ya no está abierto"), ("en-US,en;q=0.9", "This link is no longer open")],
)
def test_before_any_sign_in_the_pages_follow_the_phone_s_language(client, browser, heading):
    page = text(client.get(reverse("portal:open", args=["no-such-token"]), HTTP_ACCEPT_LANGUAGE=browser))
    assert heading in page
    get_my_link = text(client.get(reverse("portal:get_my_link"), HTTP_ACCEPT_LANGUAGE=browser))
    assert ("Recibir mi enlace" in get_my_link) == browser.startswith("es")


@pytest.mark.django_db
def test_an_expired_link_s_page_does_not_tell_the_patient_s_language(client, patient_link, spanish):
    """The closed page is the same for an unknown and an expired link in the same browser: a Spanish-speaking
    patient's expired link does not turn the page Spanish for an English phone."""
    link, token = patient_link
    type(link).objects.filter(pk=link.pk).update(expires_at=timezone.now() - timedelta(days=1))
    expired = text(client.get(reverse("portal:open", args=[token]), HTTP_ACCEPT_LANGUAGE="en-US"))
    unknown = text(client.get(reverse("portal:open", args=["no-such-token"]), HTTP_ACCEPT_LANGUAGE="en-US"))
    assert "This link is no longer open" in expired and "This link is no longer open" in unknown
    assert without_csrf(expired.replace(token, "")) == without_csrf(unknown.replace("no-such-token", ""))


def without_csrf(page: str) -> str:
    """The page without its CSRF token, which is masked afresh on every page drawn."""
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", page)


# --------------------------------------------------------------------------- the switch


def test_the_language_switch_keeps_the_choice_for_the_session(opened, patient_link):
    assert "Hola, Mari" in text(opened.get(HOME))
    response = opened.post(SWITCH, {"language": "en"}, HTTP_REFERER=f"http://testserver{HOME}")
    assert response["Location"] == HOME
    assert "Hello, Mari" in text(opened.get(HOME))
    assert "Your referrals" in text(opened.get(reverse("portal:referrals")))  # another page, same session


def test_the_switch_goes_back_only_to_a_portal_page_and_ignores_unknown_languages(opened):
    away = opened.post(SWITCH, {"language": "xx"}, HTTP_REFERER="https://example.com/p/")
    assert away["Location"] == HOME
    staff = opened.post(SWITCH, {"language": "en"}, HTTP_REFERER="http://testserver/patients/")
    assert staff["Location"] == HOME
    assert "Hola, Mari" not in text(opened.get(HOME))  # "en" was kept; "xx" changed nothing


def test_every_portal_page_offers_the_switch(opened):
    page = text(opened.get(HOME))
    assert f'action="{SWITCH}"' in page
    assert ">English</button>" in page
    assert 'lang="es" aria-pressed="true">Español</button>' in page  # the page's language is the pressed one


def test_staff_pages_stay_english_after_a_spanish_portal_session(opened, signed_in, coordinator):
    opened.get(HOME)
    page = text(signed_in(coordinator).get(reverse("home"), follow=True))
    assert 'lang="es"' not in page.split(">", 2)[1]  # the <html> tag
    assert "Su equipo" not in page


# --------------------------------------------------------------------------- crisis resources


def test_the_crisis_resources_in_spanish_include_988s_spanish_option(opened, invited):
    phq9 = start(opened, invited[0], "phq9")
    for number in range(1, 9):
        tap(opened, phq9, number, 0)
    page = text(opened.post(question_url(phq9, 9), {"answer": "1"}, follow=True))
    assert "Tiene apoyo aquí, en cualquier momento" in page
    assert "marque 988 y oprima el 2" in page
    assert 'href="tel:988">Llamar al 988</a>' in page


def test_english_crisis_resources_are_unchanged(client, patient):
    invitation, token = invite(patient, codes=("phq9",))
    open_link(client, token)
    phq9 = start(client, invitation, "phq9")
    for number in range(1, 9):
        tap(client, phq9, number, 0)
    page = text(client.post(question_url(phq9, 9), {"answer": "1"}, follow=True))
    assert "<strong>Call or text 988</strong>, the Suicide &amp; Crisis Lifeline. It is free and private." in page
    assert "oprima" not in page


# --------------------------------------------------------------------------- messages to the patient


def test_the_message_to_a_spanish_speaking_patient_is_in_spanish(spanish, in_clinic_hours):
    create_invitation(patient=spanish, due_on=timezone.localdate(), instrument_codes=["peg"])
    message = OutboxMessage.objects.get(patient=spanish)
    assert message.subject == f"Un mensaje de {settings.MESSAGE_SENDER}"
    assert message.body.startswith(
        f"{settings.MESSAGE_SENDER}: su equipo de atención tiene un breve cuestionario para usted. "
        "Abra este enlace privado: "
    )


def test_the_message_to_an_english_speaking_patient_is_unchanged(patient, in_clinic_hours):
    create_invitation(patient=patient, due_on=timezone.localdate(), instrument_codes=["peg"])
    message = OutboxMessage.objects.get(patient=patient)
    assert message.subject == f"A message from {settings.MESSAGE_SENDER}"
    assert message.body.startswith(
        f"{settings.MESSAGE_SENDER}: your care team has a short check-in for you. Open this private link: "
    )


# --------------------------------------------------------------------------- words built in Python


def test_dates_on_a_spanish_page_read_day_then_month(client, invited):
    open_link(client, invited[1], remember=True)
    page = text(client.get(HOME))
    assert re.search(
        r"Este teléfono mantiene la sesión abierta hasta el "
        r"(lunes|martes|miércoles|jueves|viernes|sábado|domingo) \d+ de \w+\.",
        page,
    )
    assert "This phone stays signed in" not in page


@pytest.mark.parametrize(
    ("change", "english", "spanish"),
    [
        (-1, "lower", "El efecto del dolor en su vida diaria está más bajo que cuando empezó."),
        (2, "higher", "El efecto del dolor en su vida diaria está más alto que cuando empezó."),
        (0, "the same", "El efecto del dolor en su vida diaria está igual que cuando empezó."),
    ],
)
def test_your_numbers_are_written_in_the_pages_language(change, english, spanish):
    peg = get_definition("peg")
    with translation.override("es"):
        assert number_words(peg, change, english="(English)") == spanish
    with translation.override("en"):
        assert number_words(peg, change, english=f"Your pain is {english}.") == f"Your pain is {english}."


def test_the_clinics_reply_after_hours_is_in_spanish():
    with translation.override("es"):
        reply = words_for(now=SATURDAY_NIGHT, in_hours=False, opens_at=SATURDAY_NIGHT + timedelta(days=2, hours=-14))
    assert reply.when == (
        "Nuestra clínica está cerrada en este momento. Su equipo de atención verá esto cuando abramos, "
        "el lunes a las 8:00 am."
    )
    assert "oprima el 2" in reply.meanwhile


def test_a_session_started_without_a_language_takes_the_pages_patients(opened):
    """A portal session started elsewhere (no language kept yet): the page's patient decides before it renders."""
    session = opened.session
    del session["portal_language"]
    session.save()
    assert "Hola, Mari" in text(opened.get(HOME))


# --------------------------------------------------------------------------- signing in and out


GET_MY_LINK = reverse("portal:get_my_link")
SIGN_OUT = reverse("portal:sign_out")


def ask_in_spanish(client, **typed):
    """Get my link, on a page switched to Spanish (no patient session: the switch alone sets the language)."""
    client.post(SWITCH, {"language": "es"}, HTTP_REFERER=f"http://testserver{GET_MY_LINK}")
    return client.post(GET_MY_LINK, typed)


def test_the_continue_page_is_in_spanish_for_a_spanish_speaking_patient(client, invited):
    page = text(client.get(reverse("portal:open", args=[invited[1]])))
    assert "<h1>Bienvenido/a</h1>" in page
    assert "Recordar este teléfono" in page
    assert "Mantener la sesión abierta en este teléfono por 30 días." in page
    assert ">Continuar</button>" in page
    assert "Remember this phone" not in page
    assert "This is your private link" not in page


@pytest.mark.django_db
def test_get_my_link_and_its_errors_are_in_spanish(client):
    client.post(SWITCH, {"language": "es"}, HTTP_REFERER=f"http://testserver{GET_MY_LINK}")
    page = text(client.get(GET_MY_LINK))
    assert "<h1>Recibir mi enlace</h1>" in page
    assert 'for="id_contact">Su correo electrónico o número de celular</label>' in page
    assert "Mes/día/año, por ejemplo 04/23/1980." in page
    assert "Your date of birth" not in page
    invalid = ask_in_spanish(client, contact="mari@example.test", date_of_birth="23 April")
    assert invalid.status_code == 400
    page = text(invalid)
    assert "Por favor, revise las respuestas marcadas abajo." in page
    assert "Por favor, escriba su fecha de nacimiento como mes/día/año, por ejemplo 04/23/1980." in page
    assert 'value="23 April"' in page  # what was typed is kept
    assert "Please type your date of birth" not in page


def test_the_link_sent_by_get_my_link_and_its_page_are_in_spanish(client, spanish):
    spanish.email, spanish.date_of_birth, spanish.consents_to_email = "mari@example.test", date(1961, 4, 23), True
    spanish.save()
    page = text(ask_in_spanish(client, contact="mari@example.test", date_of_birth="04/23/1961"))
    assert "<h1>Gracias</h1>" in page
    assert "Si estos datos coinciden con los que tenemos, un nuevo enlace va en camino" in page
    assert "If these details match" not in page
    message = OutboxMessage.objects.get(patient=spanish)
    assert message.subject == f"Un mensaje de {settings.MESSAGE_SENDER}"
    assert message.body.startswith(
        f"{settings.MESSAGE_SENDER}: su equipo de atención tiene un breve cuestionario para usted. "
        "Abra este enlace privado: "
    )


def test_the_signed_out_page_is_in_spanish(opened):
    page = text(opened.post(SIGN_OUT, {"everywhere": "yes"}, follow=True))
    assert "<h1>Su sesión está cerrada</h1>" in page
    assert "Ya cerró la sesión en todos sus teléfonos y computadoras." in page
    assert ">Recibir mi enlace</a>" in page
    assert "You are signed out" not in page
    assert "signed out on all your phones" not in page


# --------------------------------------------------------------------------- home, My numbers, the taper


def test_the_whole_home_is_in_spanish_with_a_plan_a_check_in_due_and_a_referral(
    client, spanish, patient_link, physician, coordinator
):
    active_plan(spanish, physician)
    referral_in_state("sent", patient=spanish, by=coordinator)
    referral_in_state("scheduled", patient=spanish, by=coordinator, appointment_on=dates.today() + timedelta(days=5))
    open_link(client, patient_link[1])
    page = text(client.get(HOME))
    for spanish_words in (
        "Todavía no ha hecho su registro de hoy.",
        ">Hacer el registro de hoy</a>",
        "¿Tiene un brote de dolor? Su plan para brotes de dolor",
        ">Mis números</a>",
        "Próximamente",
        "(en 5 días)",
        "Ellos le dirán la hora y el lugar",
        ">Ver sus referidos</a>",
        "Por su privacidad, su sesión se cierra después de",
        "Cerrar sesión en todos los dispositivos",
        ">Cerrar sesión</button>",
    ):
        assert spanish_words in page
    for english in (
        "You have not checked in today yet.",
        "Having a flare-up?",
        "Coming up",
        "They will tell you the time and the place",
        "For your privacy",
        "Sign out on all devices",
    ):
        assert english not in page


def test_my_numbers_says_what_changed_in_spanish(client, spanish, patient_link):
    today = dates.today()
    first = today - timedelta(days=20)
    for offset, pain in [(0, 8), (3, 6), (17, 3), (20, 2)]:
        check_in(spanish, first + timedelta(days=offset), pain=pain)
    open_link(client, patient_link[1])
    page = text(client.get(reverse("portal:numbers")))
    with translation.override("es"):
        since = date_words_es(first)
    assert f"Cuánto le afectó el dolor: pasó de más o menos 7 a más o menos 2.5 desde el {since}." in page
    assert "<h1>Mis números</h1>" in page
    assert "Ver los números como una lista" in page
    assert "Cómo decimos que un número cambió" in page
    assert re.search(
        r'<desc id="my-pain-desc">Del \d+ \w+\.? \d{4} al \d+ \w+\.? \d{4}\. Cuánto le afectó el dolor: 4 días,', page
    )
    assert "went from" not in page
    assert "4 days, first" not in page
    assert "See the numbers as a list" not in page


def date_words_es(day: date) -> str:
    return day_words(day, today=dates.today())


def test_the_taper_page_and_its_steps_are_in_spanish(client, spanish, patient_link, physician):
    add_line(spanish, physician, "oxycodone", 5, units=1, doses=3)
    starts_on = dates.today() + timedelta(days=5)
    taper = start_taper(
        patient=spanish, by=physician, schedule=plan_taper(original_mme=Decimal("22.5"), starts_on=starts_on)
    )
    confirm_doses(taper=taper, by=physician, expected_version=taper.version)
    open_link(client, patient_link[1])
    page = text(client.get(reverse("portal:plan_taper")))
    assert "<h1>Su plan para bajar su medicina para el dolor</h1>" in page
    assert re.search(
        r"Del \w+ \d+ \w+ \d{4} al \w+ \d+ \w+ \d{4}: tome 1 tableta de oxycodone 5 mg, 3 veces al día\.", page
    )
    assert "Tenga naloxona en casa" in page
    assert "take 1 tablet" not in page
    assert "Keep naloxone at home" not in page
    assert "If a step feels hard" not in page


def test_an_english_speaking_patients_taper_steps_are_unchanged(client, patient, patient_link, physician):
    add_line(patient, physician, "oxycodone", 5, units=1, doses=3)
    starts_on = dates.today() + timedelta(days=5)
    taper = start_taper(
        patient=patient, by=physician, schedule=plan_taper(original_mme=Decimal("22.5"), starts_on=starts_on)
    )
    confirm_doses(taper=taper, by=physician, expected_version=taper.version)
    open_link(client, patient_link[1])
    page = text(client.get(reverse("portal:plan_taper")))
    assert ": take 1 tablet of oxycodone 5 mg, 3 times a day." in page
    assert "If a step feels hard" in page


def test_my_numbers_says_a_goals_progress_in_spanish(client, spanish, patient_link, physician):
    plan = active_plan(spanish, physician)
    Goal.objects.create(
        plan=plan,
        words="Caminar con mi nieta",
        metric=Goal.Metric.WALKING_MINUTES,
        baseline=Decimal(5),
        target=Decimal(30),
        target_date=date(dates.today().year, 12, 31),
    )
    open_link(client, patient_link[1])
    page = text(client.get(reverse("portal:numbers")))
    assert "Caminar (minutos)" in page
    assert "Empezó en 5 minutos. Su meta es 30 minutos para el 31 de diciembre." in page
    assert "Walking (minutes)" not in page
    assert "Your target is" not in page
