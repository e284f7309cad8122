"""After a questionnaire entered on the patient's behalf raised a safety alert (PHQ-9 item 9 above 0): the
member of staff is asked to stay with the patient and sees the crisis resources to share, and who the
urgent task went to. The alert and its task were saved with the answers (measures/entry.py)."""

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.views.decorators.http import require_GET

from audit.models import Action
from audit.services import record_access
from measures.models import Alert
from measures.views import patient_for_entry
from patients.banner import patient_page


@login_required
@require_GET
def entered_safety(request: HttpRequest, public_id, response_id) -> HttpResponse:
    patient = patient_for_entry(request, public_id)
    alert = (
        Alert.objects.select_related("response__instrument", "task__assignee")
        .defer("response__answers", "response__instrument__definition")
        .filter(patient=patient, response__public_id=response_id, kind=Alert.Kind.SAFETY)
        .first()
    )
    if alert is None:
        raise Http404("No safety alert for this response.")
    record_access(request=request, patient=patient, action=Action.VIEW, target="safety alert after entry")
    context = {"patient": patient, "alert": alert, "response": alert.response, "task": alert.task}
    return patient_page(request, "measures/entered_safety.html", context)
