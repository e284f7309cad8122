from datetime import timedelta

import redis
from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import AuthenticationForm
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.template.response import TemplateResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from audit.models import Action
from audit.services import record_access
from clinic.access import patients_visible_to
from clinic.celery import app as celery_app
from clinic.models import WorkerHeartbeat
from clinic.roles import Role
from clinic.worklists import pressing_tasks
from measures.caseload import caseload_for

HOME_LIST_SIZE = 25
HOME_TASKS = 20


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """The signed-in person's open tasks (most pressing first; the same ones as on their worklist,
    which has the rest of their work), a clinician's caseload needing attention, and their patients;
    a constant number of queries."""
    user = request.user
    visible = patients_visible_to(user)
    if user.sees_every_patient:
        heading, patients = "Recently registered", visible.order_by("-created_at", "-id")
    else:
        heading, patients = "Your patients", visible.order_by("family_name", "given_name", "id")
    shown = list(patients.for_listing()[: HOME_LIST_SIZE + 1])
    tasks, more_tasks = pressing_tasks(user, limit=HOME_TASKS)
    caseload, caseload_more = caseload_for(user) if user.role == Role.CLINICIAN else ([], False)
    on_page = [*shown[:HOME_LIST_SIZE], *tasks, *caseload]
    record_access(request=request, patient=None, action=Action.VIEW, target=f"home: {heading.lower()}", shown=on_page)
    context = {
        "heading": heading,
        "patients": shown[:HOME_LIST_SIZE],
        "more": len(shown) > HOME_LIST_SIZE,
        "tasks": tasks,
        "more_tasks": more_tasks,
        "show_caseload": user.role == Role.CLINICIAN,
        "caseload": caseload,
        "caseload_more": caseload_more,
        "today": timezone.localdate(),
    }
    return TemplateResponse(request, "clinic/home.html", context)


def locked_out(request: HttpRequest, original_response=None, credentials=None, *args, **kwargs) -> HttpResponse:
    """django-axes calls this instead of signing in while an account is locked.

    Axes calls it from its middleware, after the view's response has been rendered, so this
    renders at once (a TemplateResponse would never be rendered and fail with a 500). The form
    keeps the typed username, never the password.
    """
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    username = (credentials or {}).get("username") or request.POST.get("username", "")
    form = AuthenticationForm(request, initial={"username": username[:150]})
    return render(
        request,
        "registration/login.html",
        {"form": form, "locked_minutes": minutes, "next": request.POST.get("next", "")},
        status=429,
    )


@require_safe
def no_favicon(request: HttpRequest) -> HttpResponse:
    """/favicon.ico: nothing (204). Haven's pages declare an empty icon; the pages Django draws (the admin) do not,
    and a browser asking for one should get an answer, not a 404 in the console and the logs."""
    response = HttpResponse(status=204)
    response["Cache-Control"] = "public, max-age=86400"
    return response


@never_cache
@require_safe
def health(request: HttpRequest) -> JsonResponse:
    """For operators and load balancers: database, broker and worker heartbeat; no patient data.

    The broker is asked directly (a Redis PING, 1 s timeout), so an outage shows at once. A worker is
    healthy while the broker answers and its heartbeat, written every HEARTBEAT_SECONDS while it is
    connected to the broker (clinic/celery.py), is at most HEARTBEAT_STALE_SECONDS old: a worker cannot
    work without the broker, and one that reconnects writes a heartbeat at once.
    """
    broker = broker_status()
    checks = {"database": database_status(), "broker": broker, "worker": worker_status(broker_ok=broker["ok"])}
    healthy = all(check["ok"] for check in checks.values())
    return JsonResponse({"status": "ok" if healthy else "degraded", **checks}, status=200 if healthy else 503)


def database_status() -> dict:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        return {"ok": True}
    except Exception as error:
        return {"ok": False, "error": type(error).__name__}


BROKER_TIMEOUT_SECONDS = 1


def broker_status() -> dict:
    if settings.CELERY_TASK_ALWAYS_EAGER:
        return {"ok": True, "mode": "in-process (embedded demo)"}
    url = settings.CELERY_BROKER_URL
    try:
        if url.startswith(("redis://", "rediss://", "unix://")):
            client = redis.Redis.from_url(
                url, socket_timeout=BROKER_TIMEOUT_SECONDS, socket_connect_timeout=BROKER_TIMEOUT_SECONDS
            )
            try:
                client.ping()
            finally:
                client.close()
        else:
            with celery_app.connection_for_write() as conn:
                conn.ensure_connection(max_retries=1, timeout=BROKER_TIMEOUT_SECONDS)
        return {"ok": True}
    except Exception as error:
        return {"ok": False, "error": type(error).__name__}


def worker_status(*, broker_ok: bool = True) -> dict:
    if settings.CELERY_TASK_ALWAYS_EAGER:
        return {"ok": True, "mode": "in-process (embedded demo)"}
    try:
        beat = WorkerHeartbeat.objects.filter(name="worker").values_list("beat_at", flat=True).first()
    except Exception as error:
        return {"ok": False, "error": type(error).__name__}
    if beat is None:
        return {"ok": False, "error": "no heartbeat yet"}
    age = timezone.now() - beat
    status = {
        "ok": broker_ok and age <= timedelta(seconds=settings.HEARTBEAT_STALE_SECONDS),
        "last_seen_seconds": int(age.total_seconds()),
    }
    if not broker_ok:
        status["error"] = "cannot reach the broker"
    return status
