"""Team coordination: the worklist, team tasks, case conferences, and the chart's team section.
Included by clinic/urls.py at the root, under the "team" namespace."""

from django.urls import path

from clinic import duty_views
from clinic import team_views as views

app_name = "team"
urlpatterns = [
    path("worklist/", views.worklist, name="worklist"),
    path("team/", duty_views.team, name="team"),
    path("team/rota/", duty_views.set_shift, name="set_shift"),
    path("team/away/", duty_views.mark_away, name="mark_away"),
    path("team/away/<uuid:absence_id>/end/", duty_views.end_absence, name="end_absence"),
    path("team/medical-lead/", duty_views.set_medical_lead, name="medical_lead"),
    path("team/notifications/", duty_views.notifications, name="notifications"),
    path("tasks/new/", views.task_new, name="task_new"),
    path("tasks/<uuid:task_id>/acknowledge/", views.task_acknowledge, name="task_acknowledge"),
    path("tasks/<uuid:task_id>/", views.task_detail, name="task"),
    path("tasks/<uuid:task_id>/done/", views.task_done, name="task_done"),
    path("tasks/<uuid:task_id>/reopen/", views.task_reopen, name="task_reopen"),
    path("tasks/<uuid:task_id>/reassign/", views.task_reassign, name="task_reassign"),
    path("conferences/", views.conference_list, name="conferences"),
    path("conferences/new/", views.conference_new, name="conference_new"),
    path("conferences/<uuid:conference_id>/", views.conference_detail, name="conference"),
    path("conferences/<uuid:conference_id>/agenda/", views.conference_add, name="conference_add"),
    path("conferences/<uuid:conference_id>/held/", views.conference_held, name="conference_held"),
    path(
        "conferences/<uuid:conference_id>/patients/<uuid:public_id>/",
        views.conference_item,
        name="conference_item",
    ),
    path(
        "conferences/<uuid:conference_id>/patients/<uuid:public_id>/tasks/",
        views.conference_item_task,
        name="conference_item_task",
    ),
    path("patients/<uuid:public_id>/team/messages/", views.team_message, name="message"),
    path(
        "patients/<uuid:public_id>/team/escalation/<uuid:flag_id>/review/",
        views.flag_review,
        name="flag_review",
    ),
]
