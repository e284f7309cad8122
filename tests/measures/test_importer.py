"""Clinic-loaded instruments (measures/importer.py), tested with a made-up instrument, never a licensed one."""

import datetime
import json

import pytest
from django.utils import timezone

from measures.alerts import POSITIVE_SCREEN
from measures.definitions import load_definition
from measures.importer import (
    MAX_FILE_BYTES,
    ImportRefused,
    import_instrument,
    read_definition_file,
    set_instrument_active,
)
from measures.models import Alert, Instrument
from measures.scoring import score_with
from measures.services import latest_instrument, save_answer, start_response, submit_response

pytestmark = pytest.mark.django_db


def test_it_loads_a_valid_definition_as_an_active_clinic_instrument(made_up_data, clinic_admin):
    instrument = import_instrument(data=made_up_data, by=clinic_admin)

    instrument.refresh_from_db()
    assert (instrument.code, instrument.version, instrument.name) == (
        "demo_steps",
        "Demo Steps 1 (test only)",
        "Demo Steps",
    )
    assert instrument.shipped is False
    assert instrument.active is True
    assert instrument.loaded_by == clinic_admin
    assert instrument.definition == made_up_data
    assert instrument.checksum == load_definition(made_up_data).checksum
    assert instrument.spec.licence.holder == "Haven test suite (made-up instrument)"


@pytest.mark.parametrize(
    ("break_it", "named"),
    [
        (lambda d: d["licence"].pop("holder"), "licence is missing holder"),
        (lambda d: d["licence"].update(reference=""), "licence: reference must be non-empty text"),
        (lambda d: d.pop("licence"), "licence holder and reference are required"),
        (lambda d: d["bands"][1].update(min=4), "a total of 3 falls in no band"),
        (lambda d: d.update(colour="blue"), "colour"),
        (lambda d: d["items"][0].update(code="Demo 1"), "Demo 1"),
    ],
)
def test_it_refuses_a_malformed_definition_naming_the_problem(made_up_data, clinic_admin, break_it, named):
    break_it(made_up_data)

    with pytest.raises(ImportRefused, match="refused") as refused:
        import_instrument(data=made_up_data, by=clinic_admin)

    assert named in str(refused.value)
    assert not Instrument.objects.filter(code="demo_steps").exists()


def test_it_refuses_a_version_that_is_already_loaded(made_up_data, clinic_admin):
    import_instrument(data=made_up_data, by=clinic_admin)
    made_up_data["attribution_text"] = "Changed wording, same version."

    with pytest.raises(ImportRefused, match="already loaded; a changed definition needs a new version"):
        import_instrument(data=made_up_data, by=clinic_admin)

    assert Instrument.objects.filter(code="demo_steps").count() == 1


def test_it_accepts_a_new_version_of_a_clinic_instrument_and_offers_the_newest(made_up_data, clinic_admin):
    first = import_instrument(data=made_up_data, by=clinic_admin)
    made_up_data["version"] = "Demo Steps 2 (test only)"

    second = import_instrument(data=made_up_data, by=clinic_admin)

    assert {first.version, second.version} == {"Demo Steps 1 (test only)", "Demo Steps 2 (test only)"}
    assert latest_instrument("demo_steps") == second


@pytest.mark.parametrize("code", ["phq9", "peg", "auditc"])
def test_it_refuses_the_code_of_a_shipped_instrument_whatever_the_version(made_up_data, clinic_admin, code):
    made_up_data["code"] = code
    made_up_data["version"] = "Clinic's own version"

    with pytest.raises(ImportRefused, match=f"The code '{code}' belongs to an instrument shipped with Haven"):
        import_instrument(data=made_up_data, by=clinic_admin)

    assert not Instrument.objects.filter(code=code, shipped=False).exists()


def test_it_refuses_a_definition_whose_licence_has_expired(made_up_data, clinic_admin):
    made_up_data["licence"]["expires"] = (timezone.localdate() - datetime.timedelta(days=2)).isoformat()

    with pytest.raises(ImportRefused, match="licence for Demo Steps expired on"):
        import_instrument(data=made_up_data, by=clinic_admin)


def test_a_loaded_instrument_scores_and_alerts_through_submit_response_like_a_shipped_one(
    made_up_data, clinic_admin, patient, physician
):
    instrument = import_instrument(data=made_up_data, by=clinic_admin)
    answers = {"demo_1": 3, "demo_2": 2, "demo_3": 1, "demo_note": 1}
    response = start_response(patient=patient, instrument=instrument)
    for item, value in answers.items():
        save_answer(response=response, item_code=item, value=value)

    submission = submit_response(response=response)

    expected = score_with(load_definition(made_up_data), answers)
    stored = submission.response
    assert stored.total == expected.total == 6
    assert stored.band == expected.band == "high"
    assert stored.positive is expected.positive is True
    assert stored.flags == sorted(expected.flags) == ["home_safety"]
    assert stored.valid is True
    assert [alert.kind for alert in submission.alerts] == [POSITIVE_SCREEN]
    assert Alert.objects.get(response=stored).task.assignee == physician


def test_it_deactivates_and_reactivates_a_clinic_instrument(made_up_data, clinic_admin):
    instrument = import_instrument(data=made_up_data, by=clinic_admin)

    assert set_instrument_active(instrument=instrument, active=False) is True
    assert set_instrument_active(instrument=instrument, active=False) is False
    instrument.refresh_from_db()
    assert instrument.active is False
    with pytest.raises(Instrument.DoesNotExist):
        latest_instrument("demo_steps")

    assert set_instrument_active(instrument=instrument, active=True) is True
    assert latest_instrument("demo_steps") == instrument


def test_shipped_instruments_stay_active():
    phq9 = Instrument.objects.get(code="phq9", shipped=True)

    with pytest.raises(ImportRefused, match="shipped with Haven and always stays active"):
        set_instrument_active(instrument=phq9, active=False)

    phq9.refresh_from_db()
    assert phq9.active is True


# --- reading the uploaded file


def test_it_reads_a_utf8_json_object(made_up_data):
    raw = json.dumps(made_up_data, ensure_ascii=False).encode("utf-8")
    assert read_definition_file(raw) == made_up_data
    assert read_definition_file(b"\xef\xbb\xbf" + raw) == made_up_data  # a byte-order mark is tolerated


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        (b"", "The file is empty."),
        (b"   \n", "The file is empty."),
        ('{"name": "Café"}'.encode("latin-1"), "The file is not UTF-8 text"),
        (b'{"code": "x",}', "The file is not valid JSON: Expecting property name"),
        (b'{"total": NaN}', "NaN is not a JSON value"),
        (b'[{"code": "x"}]', "must hold one JSON object (a definition), not a list"),
        (b'"just text"', "not a str"),
        (b'{"code": "a", "code": "b"}', "repeats the key 'code'"),
    ],
)
def test_it_refuses_a_file_that_is_not_one_utf8_json_object(raw, message):
    with pytest.raises(ImportRefused, match=message.replace("(", r"\(").replace(")", r"\)")):
        read_definition_file(raw)


def test_it_refuses_a_file_over_the_size_limit():
    raw = b'{"notes": ["' + b"x" * MAX_FILE_BYTES + b'"]}'

    with pytest.raises(ImportRefused, match=r"too large .* at most 256 KB"):
        read_definition_file(raw)
