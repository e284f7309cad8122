"""Small form pieces every app's forms share, so a date picker or a "too long" message reads the same
on every page."""

from django import forms


def date_input(**attrs) -> forms.DateInput:
    """The browser's own date picker, with the ISO value it posts."""
    return forms.DateInput(attrs={"type": "date", **attrs}, format="%Y-%m-%d")


def too_long(label: str) -> str:
    return f"{label} can be at most %(limit_value)d characters (it has %(show_value)d)."


def long_text(label: str, *, help_text: str = "", rows: int = 2, max_length: int = 2000) -> forms.CharField:
    """An optional free-text box with a plain message when it is too long."""
    return forms.CharField(
        label=label,
        required=False,
        max_length=max_length,
        help_text=help_text,
        widget=forms.Textarea(attrs={"rows": rows}),
        error_messages={"max_length": too_long(label)},
    )
