"""The instrument library in the admin (measures/admin.py): clinic admins only, read-only, load by upload."""

import json

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.admin.options import ActionLocation
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from measures.importer import MAX_FILE_BYTES, import_instrument
from measures.models import Instrument
from measures.services import start_response

LIST = reverse("admin:measures_instrument_changelist")
LOAD = reverse("admin:measures_instrument_load")
ADMIN_LOGIN = "/admin/login/"

pytestmark = pytest.mark.django_db


def upload(data, name="demo_steps.json") -> SimpleUploadedFile:
    raw = data if isinstance(data, bytes) else json.dumps(data, ensure_ascii=False).encode("utf-8")
    return SimpleUploadedFile(name, raw, content_type="application/json")


def detail(instrument) -> str:
    return reverse("admin:measures_instrument_change", args=[instrument.pk])


@pytest.fixture
def admin_client(signed_in, clinic_admin):
    return signed_in(clinic_admin)


def test_the_list_shows_shipped_and_loaded_instruments_with_who_loaded_them(admin_client, made_up_data, clinic_admin):
    import_instrument(data=made_up_data, by=clinic_admin)

    response = admin_client.get(LIST)

    assert response.status_code == 200
    page = response.content.decode()
    for text in ("PHQ-9", "GAD-7", "PEG", "Demo Steps", "Demo Steps 1 (test only)", "Shipped with Haven"):
        assert text in page
    assert "Loaded by the clinic" in page
    assert clinic_admin.username in page or str(clinic_admin) in page
    assert "Load a licensed instrument" in page
    assert LOAD in page


def test_the_detail_is_read_only_and_shows_the_licence_attribution_and_items(admin_client):
    phq9 = Instrument.objects.get(code="phq9", shipped=True)

    response = admin_client.get(detail(phq9))

    assert response.status_code == 200
    page = response.content.decode()
    spec = phq9.spec
    assert spec.licence.holder in page
    assert spec.attribution_text.split("\n")[0][:40] in page
    assert spec.items[8].code in page
    assert 'name="_save"' not in page  # nothing to save: read-only
    assert "deletelink" not in page  # shipped instruments are never deleted


def test_shipped_instruments_cannot_be_changed_or_deleted(admin_client):
    phq9 = Instrument.objects.get(code="phq9", shipped=True)

    response = admin_client.post(detail(phq9), {"name": "Renamed", "_save": "Save"})
    assert response.status_code == 403
    response = admin_client.post(reverse("admin:measures_instrument_delete", args=[phq9.pk]), {"post": "yes"})
    assert response.status_code == 403

    phq9.refresh_from_db()
    assert phq9.name == "PHQ-9"


def test_the_model_add_form_is_not_offered(admin_client):
    assert admin_client.get(reverse("admin:measures_instrument_add")).status_code == 403


def test_a_clinic_admin_loads_an_instrument_from_a_file(admin_client, made_up_data, clinic_admin):
    assert admin_client.get(LOAD).status_code == 200

    response = admin_client.post(LOAD, {"definition_file": upload(made_up_data)}, follow=True)

    instrument = Instrument.objects.get(code="demo_steps")
    assert (instrument.shipped, instrument.active, instrument.loaded_by) == (False, True, clinic_admin)
    assert instrument.definition == made_up_data
    assert response.redirect_chain[-1][0] == detail(instrument)
    page = response.content.decode()
    assert "Loaded Demo Steps (Demo Steps 1 (test only))." in page
    assert "Haven test suite (made-up instrument)" in page  # the licence holder, on the detail page


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda d: d["licence"].pop("holder"), "refused: licence is missing holder"),
        (lambda d: d["licence"].pop("reference"), "refused: licence is missing reference"),
        (lambda d: d["bands"][1].update(min=4), "a total of 3 falls in no band"),
        (lambda d: d.update(code="phq9"), "The code &#x27;phq9&#x27; belongs to an instrument shipped with Haven"),
    ],
)
def test_it_shows_why_a_definition_is_refused(admin_client, made_up_data, change, message):
    change(made_up_data)

    response = admin_client.post(LOAD, {"definition_file": upload(made_up_data)})

    assert response.status_code == 200
    page = response.content.decode()
    assert "The instrument was not loaded." in page
    assert message in page
    assert not Instrument.objects.filter(shipped=False).exists()


def test_it_refuses_a_version_already_loaded(admin_client, made_up_data):
    admin_client.post(LOAD, {"definition_file": upload(made_up_data)})

    response = admin_client.post(LOAD, {"definition_file": upload(made_up_data)})

    assert "is already loaded; a changed definition needs a new version" in response.content.decode()
    assert Instrument.objects.filter(code="demo_steps").count() == 1


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        (b"\xff\xfe{}", "The file is not UTF-8 text"),
        (b"{not json", "The file is not valid JSON"),
        (b"[1, 2]", "must hold one JSON object (a definition), not a list"),
        (b'{"notes": ["' + b"x" * MAX_FILE_BYTES + b'"]}', "The file is too large"),
    ],
)
def test_it_refuses_a_file_that_is_not_a_small_utf8_json_object(admin_client, raw, message):
    response = admin_client.post(LOAD, {"definition_file": upload(raw)})

    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Instrument.objects.filter(shipped=False).exists()


def test_it_asks_for_a_file(admin_client):
    response = admin_client.post(LOAD, {})

    assert "This field is required." in response.content.decode()


def action(name: str, instrument, *, on_detail: bool):
    prefix = f"{ActionLocation.CHANGE_FORM.value}-" if on_detail else ""
    return {f"{prefix}action": name, ACTION_CHECKBOX_NAME: [str(instrument.pk)], "index": 0}


def test_a_clinic_admin_deactivates_and_reactivates_a_loaded_instrument(admin_client, made_up_data, clinic_admin):
    instrument = import_instrument(data=made_up_data, by=clinic_admin)

    response = admin_client.post(LIST, action("deactivate", instrument, on_detail=False), follow=True)
    instrument.refresh_from_db()
    assert instrument.active is False
    assert "Deactivated: Demo Steps (Demo Steps 1 (test only))." in response.content.decode()

    response = admin_client.post(detail(instrument), action("reactivate", instrument, on_detail=True), follow=True)
    instrument.refresh_from_db()
    assert instrument.active is True
    assert "Reactivated" in response.content.decode()


def test_shipped_instruments_cannot_be_deactivated(admin_client):
    phq9 = Instrument.objects.get(code="phq9", shipped=True)

    response = admin_client.post(LIST, action("deactivate", phq9, on_detail=False), follow=True)

    phq9.refresh_from_db()
    assert phq9.active is True
    assert "PHQ-9 is shipped with Haven and always stays active." in response.content.decode()


def test_a_loaded_instrument_can_be_deleted_only_until_someone_answers_it(
    admin_client, made_up_data, clinic_admin, patient
):
    unused = import_instrument(data=made_up_data, by=clinic_admin)
    made_up_data["version"] = "Demo Steps 2 (test only)"
    used = import_instrument(data=made_up_data, by=clinic_admin)
    start_response(patient=patient, instrument=used)

    assert admin_client.get(reverse("admin:measures_instrument_delete", args=[used.pk])).status_code == 403
    response = admin_client.post(reverse("admin:measures_instrument_delete", args=[unused.pk]), {"post": "yes"})
    assert response.status_code == 302
    assert list(Instrument.objects.filter(code="demo_steps")) == [used]


@pytest.mark.parametrize("member", ["physician", "psychologist", "coordinator", "outsider"])
def test_only_clinic_admins_reach_the_instrument_library(signed_in, request, member, made_up_data):
    person = request.getfixturevalue(member)
    person.is_staff = True  # even with the flag, the role decides
    person.save(update_fields=["is_staff"])
    client = signed_in(person)
    phq9 = Instrument.objects.get(code="phq9")

    for url in (LIST, LOAD, detail(phq9)):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(ADMIN_LOGIN)
    response = client.post(LOAD, {"definition_file": upload(made_up_data)})
    assert response.status_code == 302
    assert response["Location"].startswith(ADMIN_LOGIN)
    assert not Instrument.objects.filter(shipped=False).exists()


def test_anonymous_visitors_are_sent_to_the_admin_sign_in(client, made_up_data):
    response = client.post(LOAD, {"definition_file": upload(made_up_data)})

    assert response.status_code == 302
    assert response["Location"].startswith(ADMIN_LOGIN)
    assert not Instrument.objects.filter(shipped=False).exists()
