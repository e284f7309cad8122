from django.conf import settings


def haven(request):
    return {
        "clinic_name": settings.CLINIC_NAME,
        "clinic_phone": settings.CLINIC_PHONE,
        "embedded_demo": settings.EMBEDDED_DEMO,
        "demo_mode": settings.EMBEDDED_DEMO or settings.TASKS_IN_PROCESS,
    }
