"""Messages held after a restore (clinic/outbox_restore.py): care coordinators and clinic admins see them and
choose "Send" or "Don't send". Thin views: permission first, one service call, a message, a redirect."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.views.decorators.http import require_GET, require_POST

from audit.models import Action
from audit.services import record_access_each
from clinic import outbox_restore
from clinic.models import OutboxMessage


def refuse_unless_reviewer(user) -> None:
    if not outbox_restore.may_review_held(user):
        raise PermissionDenied("Only care coordinators and clinic admins decide about held messages.")


@login_required
@require_GET
def held_list(request: HttpRequest) -> HttpResponse:
    refuse_unless_reviewer(request.user)
    rows = list(outbox_restore.held_messages()[: outbox_restore.HELD_SHOWN + 1])
    held, more = rows[: outbox_restore.HELD_SHOWN], len(rows) > outbox_restore.HELD_SHOWN
    patients = {message.patient_id: message.patient for message in held if message.patient_id}
    record_access_each(
        request=request, patients=patients.values(), action=Action.VIEW, target="messages held after a restore"
    )
    return TemplateResponse(request, "clinic/outbox_held.html", {"held": held, "more": more})


def decide(request: HttpRequest, message_id, *, service, done: str) -> HttpResponse:
    refuse_unless_reviewer(request.user)
    message = get_object_or_404(OutboxMessage.objects.select_related("patient"), public_id=message_id)
    if service(message=message, by=request.user, audit=request.audit):
        messages.success(request, done)
    else:
        messages.info(request, "That message was already dealt with; nothing changed.")
    return redirect("outbox:held")


@login_required
@require_POST
def held_send(request: HttpRequest, message_id) -> HttpResponse:
    return decide(
        request, message_id, service=outbox_restore.release_held_message, done="The message will be sent shortly."
    )


@login_required
@require_POST
def held_cancel(request: HttpRequest, message_id) -> HttpResponse:
    return decide(request, message_id, service=outbox_restore.cancel_held_message, done="The message will not be sent.")
