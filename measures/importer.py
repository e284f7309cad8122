"""Clinic-loaded instruments: a clinic admin loads a licensed questionnaire (BPI, ODI, PROMIS ...) from a
definition file in the shipped format (measures/definition_format.py).

The admin (measures/admin.py) only reads the upload and calls these services; every rule lives here:

- the file is at most ``MAX_FILE_BYTES``, UTF-8, one JSON object, with no repeated keys;
- the definition passes :func:`measures.definitions.load_definition` (licence holder and reference are
  required there); its :class:`DefinitionError` message, which names the problem, is shown as it is;
- a licence whose ``expires`` date has passed is refused;
- a code that a shipped instrument uses is refused, whatever the version: a clinic cannot shadow PHQ-9
  (and so change its scoring or its safety alert) by loading "phq9" under another version;
- a (code, version) that is already loaded is refused: a new version is a new file, never an overwrite,
  so every stored response keeps the definition it was scored with.

A clinic may load a new version of its own instrument (same code, new version); ``latest_instrument``
then offers the newest active one.
"""

from __future__ import annotations

import json
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from measures.definitions import DefinitionError, load_definition, shipped_instruments
from measures.models import Instrument

__all__ = ["MAX_FILE_BYTES", "ImportRefused", "import_instrument", "read_definition_file", "set_instrument_active"]

MAX_FILE_BYTES = 256 * 1024


class ImportRefused(ValueError):
    """The definition cannot be loaded; the message says why in words a clinic admin can act on."""


def read_definition_file(raw: bytes) -> dict[str, Any]:
    """Parse an uploaded definition file: size, encoding and JSON shape (not yet the definition's rules)."""
    if len(raw) > MAX_FILE_BYTES:
        raise ImportRefused(
            f"The file is too large ({len(raw) // 1024} KB); a definition file is at most {MAX_FILE_BYTES // 1024} KB."
        )
    if not raw.strip():
        raise ImportRefused("The file is empty.")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        raise ImportRefused(
            f"The file is not UTF-8 text (byte {error.start} cannot be read); save it as UTF-8 JSON."
        ) from error
    try:
        data = json.loads(
            text.removeprefix("\ufeff"), object_pairs_hook=_refuse_repeated_keys, parse_constant=_refuse_constant
        )
    except _NotJson as error:
        raise ImportRefused(f"The file is not valid JSON: {error} is not a JSON value.") from error
    except _RepeatedKey as error:
        raise ImportRefused(
            f"The file repeats the key {error.key!r} in one object; each key may appear once."
        ) from error
    except json.JSONDecodeError as error:
        raise ImportRefused(
            f"The file is not valid JSON: {error.msg} (line {error.lineno}, column {error.colno})."
        ) from error
    if not isinstance(data, dict):
        raise ImportRefused(f"The file must hold one JSON object (a definition), not a {type(data).__name__}.")
    return data


@transaction.atomic
def import_instrument(*, data: dict[str, Any], by) -> Instrument:
    """Validate a definition and store it as a clinic-loaded, active instrument loaded by ``by``.

    Preconditions: ``by`` is a clinic admin (the admin site checks). Raises :class:`ImportRefused`
    with the reason; nothing is stored then.
    """
    try:
        spec = load_definition(data)
    except DefinitionError as error:
        raise ImportRefused(str(error)) from error
    today = timezone.localdate()
    if spec.licence.expires is not None and spec.licence.expires < today:
        raise ImportRefused(
            f"The licence for {spec.name} expired on {spec.licence.expires.isoformat()}; "
            "load a definition with the renewed licence."
        )
    if spec.code in shipped_instruments() or Instrument.objects.filter(code=spec.code, shipped=True).exists():
        raise ImportRefused(
            f"The code {spec.code!r} belongs to an instrument shipped with Haven; "
            "a clinic-loaded instrument needs a code of its own."
        )
    if Instrument.objects.filter(code=spec.code, version=spec.version).exists():
        raise ImportRefused(
            f"{spec.name} version {spec.version!r} (code {spec.code!r}) is already loaded; "
            "a changed definition needs a new version."
        )
    try:
        with transaction.atomic():
            return Instrument.objects.create(
                code=spec.code,
                version=spec.version,
                name=spec.name,
                definition=data,
                checksum=spec.checksum,
                shipped=False,
                active=True,
                loaded_by=by,
                loaded_at=timezone.now(),
            )
    except IntegrityError as error:  # loaded at the same moment by someone else
        raise ImportRefused(f"{spec.name} version {spec.version!r} (code {spec.code!r}) is already loaded.") from error


@transaction.atomic
def set_instrument_active(*, instrument: Instrument, active: bool) -> bool:
    """Deactivate or reactivate a clinic-loaded instrument; True when it changed.

    Shipped instruments stay active (PHQ-9 carries the safety alert); raises ImportRefused for them.
    Responses already given are kept and still shown; an inactive instrument is not offered for new ones.
    """
    if instrument.shipped:
        raise ImportRefused(f"{instrument.name} is shipped with Haven and always stays active.")
    changed = Instrument.objects.filter(pk=instrument.pk, shipped=False).exclude(active=active).update(active=active)
    instrument.active = active
    return bool(changed)


class _NotJson(ValueError):
    pass


def _refuse_constant(name: str):
    raise _NotJson(name)


class _RepeatedKey(ValueError):
    def __init__(self, key: str):
        super().__init__(key)
        self.key = key


def _refuse_repeated_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    data: dict[str, Any] = {}
    for key, value in pairs:
        if key in data:
            raise _RepeatedKey(key)
        data[key] = value
    return data
