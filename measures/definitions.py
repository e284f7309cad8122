"""Instrument definitions: the shipped instruments in ``measures/instruments/`` and any a clinic loads under its
own licence, read through one format (measures/definition_format.py) into the objects of measures/instrument.py.

Pure code: no ORM, no Django settings.
"""

from __future__ import annotations

import functools
import json
import types
from collections.abc import Mapping
from pathlib import Path

from measures.definition_format import load_definition
from measures.instrument import (
    Alert,
    Band,
    ChangeRules,
    DefinitionError,
    Gate,
    InstrumentDefinition,
    Item,
    Licence,
    Option,
    Screen,
    UnknownInstrumentError,
)

__all__ = [
    "Alert",
    "Band",
    "ChangeRules",
    "DefinitionError",
    "Gate",
    "InstrumentDefinition",
    "Item",
    "Licence",
    "Option",
    "Screen",
    "UnknownInstrumentError",
    "get_definition",
    "load_definition",
    "load_definition_file",
    "shipped_instruments",
]

INSTRUMENTS_DIR = Path(__file__).resolve().parent / "instruments"


def load_definition_file(path: str | Path) -> InstrumentDefinition:
    """Read a JSON definition file and validate it."""
    path = Path(path)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as error:
        raise DefinitionError([f"{path.name} is not valid JSON ({error})"]) from error
    return load_definition(data)


@functools.cache
def shipped_instruments() -> Mapping[str, InstrumentDefinition]:
    """The instruments shipped in ``measures/instruments/``, by code (read-only, cached)."""
    found: dict[str, InstrumentDefinition] = {}
    for path in sorted(INSTRUMENTS_DIR.glob("*.json")):
        definition = load_definition_file(path)
        if definition.code in found:
            raise DefinitionError([f"{path.name} repeats the code {definition.code!r}"], definition.code)
        found[definition.code] = definition
    return types.MappingProxyType(found)


def get_definition(code: str) -> InstrumentDefinition:
    """The shipped definition for ``code``; raises :class:`UnknownInstrumentError` for anything else."""
    try:
        return shipped_instruments()[code]
    except (KeyError, TypeError):
        known = ", ".join(sorted(shipped_instruments()))
        raise UnknownInstrumentError(f"Unknown instrument {code!r} (known: {known})") from None
