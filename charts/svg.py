"""Writing SVG markup: elements, attributes and escaped text (pure: no database, no Django).

Every attribute value and every piece of text goes through :func:`html.escape`, so a name or a label can never
close an attribute or open an element. There is no ``style`` attribute anywhere: the Content Security Policy
refuses inline styles, so colours and sizes are SVG presentation attributes (fill, stroke, font-size).
"""

from __future__ import annotations

from html import escape

from charts.text import coordinate

__all__ = ["escaped", "group", "tag"]


def tag(name: str, *children: str, **attributes: object) -> str:
    """One element; without children it closes itself (``<line .../>``).

    ``children`` are markup: other tags, or text passed through :func:`escaped`. Attribute names are written with
    dashes (``stroke_width`` -> ``stroke-width``, ``class_`` -> ``class``); an attribute that is None is left out;
    numbers are written as coordinates (at most two decimals).
    """
    opening = f"<{name}{_attributes(attributes)}"
    if not children:
        return f"{opening}/>"
    return f"{opening}>{''.join(children)}</{name}>"


def group(css_class: str, children: list[str], **attributes: object) -> str:
    """A ``<g>`` with a class, written out even when empty (an empty series still has its group)."""
    return f"<g{_attributes({'class_': css_class, **attributes})}>{''.join(children)}</g>"


def escaped(words: object) -> str:
    """Text for an element's content, escaped."""
    return escape(str(words))


def _attributes(attributes: dict[str, object]) -> str:
    return "".join(f' {_name(key)}="{_value(value)}"' for key, value in attributes.items() if value is not None)


def _name(key: str) -> str:
    return key.rstrip("_").replace("_", "-")


def _value(value: object) -> str:
    if isinstance(value, bool):
        raise TypeError("an SVG attribute is a number or a string, not a yes/no")
    if isinstance(value, int | float):
        return coordinate(value)
    return escape(str(value))
