"""Template tags for the daily-log, pacing and flare-up plan partials, so other pages can include them
with nothing but the care plan in their context (a view that already has the values passes them)."""

from django import template
from django.utils import timezone

from careplans.logs import selectors

register = template.Library()


@register.simple_tag(takes_context=True)
def log_section_of(context, plan) -> dict:
    """careplans/logs/_plan_section.html's context (four queries), unless the view passed `log_section`."""
    found = context.get("log_section")
    return found if isinstance(found, dict) else selectors.log_section_for(plan)


@register.simple_tag(takes_context=True)
def flare_plan_of(context, plan):
    """The plan's flare-up plan (or the clinic's defaults, unsaved), unless the view passed `flare_plan`."""
    found = context.get("flare_plan")
    return found if found is not None else selectors.flare_plan_for(plan)


@register.simple_tag(takes_context=True)
def pacing_of(context, plan) -> list:
    """The plan's running pacing plans with their schedules, unless the view passed `pacing`."""
    found = context.get("pacing")
    if isinstance(found, list):
        return found
    return selectors.pacing_views_for(plan, today=timezone.localdate(), active_only=True)


@register.filter
def amount(value) -> str:
    """4.50 -> "4.5", 10.00 -> "10"."""
    if value is None or value == "":
        return ""
    text = f"{value:f}" if hasattr(value, "as_tuple") else str(value)
    return text.rstrip("0").rstrip(".") if "." in text else text


@register.filter
def percent(value) -> str:
    """0.756 -> "76%"; None -> "" (no session was planned)."""
    return "" if value is None else f"{round(value * 100)}%"
