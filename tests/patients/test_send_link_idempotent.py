"""Sending the intake link twice in quick succession (a double click, a retried or parallel POST) makes one live
link and one message; after the window a new send issues a new link and revokes the old one."""

import threading
from datetime import timedelta

import pytest
import time_machine
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from audit.models import AuditEvent
from clinic.models import OutboxMessage
from patients.intake_services import RESEND_WINDOW_SECONDS, send_intake_link
from portal.models import PatientLink


def live_links(patient):
    return PatientLink.objects.filter(patient=patient, purpose=PatientLink.Purpose.INTAKE).usable()


def no_channel(patient):
    patient.consents_to_email = False
    patient.save(update_fields=["consents_to_email"])


def test_two_sends_in_a_row_make_one_live_link_and_one_message(patient, coordinator):
    first = send_intake_link(patient=patient, by=coordinator)
    second = send_intake_link(patient=patient, by=coordinator)
    assert not first.repeated and second.repeated
    assert second.link.pk == first.link.pk and second.intake.pk == first.intake.pk
    assert second.url is None and second.channel == "email"
    assert list(live_links(patient)) == [first.link]
    assert OutboxMessage.objects.filter(patient=patient).count() == 1


def test_a_send_after_the_window_issues_a_new_link_and_revokes_the_old_one(patient, coordinator):
    first = send_intake_link(patient=patient, by=coordinator)
    with time_machine.travel(timezone.now() + timedelta(seconds=RESEND_WINDOW_SECONDS + 1), tick=False):
        second = send_intake_link(patient=patient, by=coordinator)
    assert not second.repeated and second.link.pk != first.link.pk and second.url
    assert PatientLink.objects.get(pk=first.link.pk).revoked_at is not None
    assert list(live_links(patient)) == [second.link]
    assert OutboxMessage.objects.filter(patient=patient).count() == 2


def test_a_send_just_after_the_old_link_stopped_working_issues_a_new_one(patient, coordinator):
    first = send_intake_link(patient=patient, by=coordinator)
    PatientLink.objects.filter(pk=first.link.pk).update(revoked_at=timezone.now())
    second = send_intake_link(patient=patient, by=coordinator)
    assert not second.repeated and second.link.pk != first.link.pk
    assert OutboxMessage.objects.filter(patient=patient).count() == 2


def test_without_a_channel_a_repeat_reports_no_channel_and_sends_nothing(patient, coordinator):
    no_channel(patient)
    first = send_intake_link(patient=patient, by=coordinator)
    second = send_intake_link(patient=patient, by=coordinator)
    assert second.repeated and second.channel is None and second.url is None
    assert second.link.pk == first.link.pk
    assert not OutboxMessage.objects.exists()


# --------------------------------------------------------------------------- the chart's "Send intake link" button


def send(client, patient):
    return client.post(reverse("patients:intake_send", args=[patient.public_id]), follow=True)


def test_a_double_click_shows_a_calm_confirmation_and_queues_one_message(signed_in, coordinator, patient):
    client = signed_in(coordinator)
    assert "on its way" in send(client, patient).content.decode()
    page = send(client, patient).content.decode()
    assert "already on its way" in page and "sent a moment ago" in page
    assert OutboxMessage.objects.filter(patient=patient).count() == 1
    assert AuditEvent.objects.filter(patient=patient, target="intake link sent").count() == 1


def test_without_a_channel_a_double_click_shows_the_link_once_then_asks_to_wait_a_minute(
    signed_in, coordinator, patient
):
    no_channel(patient)
    client = signed_in(coordinator)
    first = send(client, patient)
    assert first.context["url"].startswith("http")
    second = send(client, patient).content.decode()
    assert "A link was just made a moment ago. To send a new one, wait a minute." in second
    assert first.context["url"] not in second
    assert live_links(patient).count() == 1


# --------------------------------------------------------------------------- parallel sends


@pytest.mark.django_db(transaction=True)
def test_ten_parallel_sends_queue_one_message_and_leave_one_live_link(patient, coordinator):
    barrier = threading.Barrier(10)
    results: list = [None] * 10

    def run(index):
        try:
            barrier.wait()
            results[index] = send_intake_link(patient=patient, by=coordinator)
        except Exception as error:  # the assertion below shows it
            results[index] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(index,)) for index in range(10)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert not [result for result in results if isinstance(result, Exception)], results
    assert sum(not result.repeated for result in results) == 1
    assert OutboxMessage.objects.filter(patient=patient).count() == 1
    assert live_links(patient).count() == 1
    assert PatientLink.objects.filter(patient=patient).count() == 1
