"""The dashboard as one report: every figure read once from the replica (if configured), the charts drawn from
them, and the same figures as CSV rows. The page, the printable page and the CSV download all show this report.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils import timezone

from interop.dashboard_charts import Bar, bars_svg
from interop.dashboard_outcomes import (
    BREAKDOWN_TITLES,
    INSTRUMENTS,
    SERVICE_DAYS,
    WINDOWS,
    Cell,
    GroupRow,
    Outcomes,
    ServiceFigures,
    responder_figures,
    rule_words,
    service_figures,
)
from interop.dashboard_safety import SafetyFigures, safety_figures
from interop.dashboard_sql import share
from interop.replica import reading_from_replica

INSTRUMENT_NAMES = {"peg": "PEG", "phq9": "PHQ-9"}


@dataclass(frozen=True)
class Report:
    outcomes: Outcomes
    service: ServiceFigures
    safety: SafetyFigures
    rules: dict[str, str]

    @property
    def windows(self):
        return WINDOWS

    @property
    def instruments(self) -> list[tuple[str, str]]:
        return [(code, INSTRUMENT_NAMES[code]) for code in INSTRUMENTS]

    @property
    def service_days(self) -> int:
        return SERVICE_DAYS

    def columns(self) -> list[tuple[str, int]]:
        return [(code, window.months) for code, _ in self.instruments for window in WINDOWS]

    def column_names(self) -> list[str]:
        return [f"{INSTRUMENT_NAMES[code]} at {months} months" for code, months in self.columns()]

    def outcome_table(self) -> list[tuple[str, list[tuple[str, list[Cell]]]]]:
        """(section title, [(group label, cells in column order)]): the whole clinic first, then each breakdown."""
        columns = self.columns()

        def cells(group: GroupRow) -> list[Cell]:
            return [group.cell(code, months) for code, months in columns]

        sections = [("", [(self.outcomes.clinic.label, cells(self.outcomes.clinic))])]
        for kind, title in BREAKDOWN_TITLES.items():
            sections.append((f"By {title.lower()}", [(g.label, cells(g)) for g in self.outcomes.breakdowns[kind]]))
        return sections

    def outcome_chart(self) -> str:
        bars = []
        for code, name in self.instruments:
            for window in WINDOWS:
                cell = self.outcomes.clinic.cell(code, window.months)
                bars.append(Bar(f"{name} at {window.months} months", cell.percent, cell.responders, cell.eligible))
        return bars_svg(
            bars,
            title="Responders at 3, 6 and 12 months, whole clinic",
            description="The share of patients with a baseline who reached the responder threshold in each window; "
            "the numbers are in the table that follows.",
            id_prefix="outcome-chart",
            table_id="outcome-table",
        )

    def safety_chart(self) -> str:
        bars = [Bar(f.short, f.percent, f.count, f.of) for f in self.safety.figures]
        return bars_svg(
            bars,
            title="Opioid safety, patients on an opioid",
            description="The share of patients on an opioid meeting each safety measure; the numbers are in the "
            "table that follows.",
            id_prefix="safety-chart",
            table_id="safety-table",
        )

    def csv_rows(self) -> list[list[str]]:
        """The figures, one per row: section, group, measure, count, of (the denominator), percent."""
        rows = [["section", "group", "measure", "count", "of", "percent"]]
        for code, name in self.instruments:
            for window in WINDOWS:
                measure = f"{name} responders at {window.months} months"
                for group_name, group in self.outcome_groups():
                    cell = group.cell(code, window.months)
                    rows.append(figure_row("Outcomes", group_name, measure, cell.responders, cell.eligible))
        s = self.service
        rows += [
            figure_row(
                "Service", "Whole clinic", "Questionnaires completed", s.invitations_completed, s.invitations_due
            ),
            figure_row("Service", "Whole clinic", "Sprints ending improved", s.sprints_improved, s.sprints_reviewed),
            value_row("Service", "Median days from referral in to first visit", days(s.median_days_to_first_visit)),
            value_row("Service", "New patients seen (of those the median counts)", str(s.seen)),
            value_row("Service", "Median days for a referral to close", days(s.median_days_to_close)),
            value_row("Service", "Referrals closed", str(s.referrals_closed)),
            value_row("Opioid safety", "Patients on an opioid", str(self.safety.on_opioids)),
        ]
        rows += [figure_row("Opioid safety", "Whole clinic", f.label, f.count, f.of) for f in self.safety.figures]
        rows += [
            value_row("Opioid safety", "Tapers in progress", str(self.safety.tapers_active)),
            value_row("Opioid safety", "Tapers paused", str(self.safety.tapers_paused)),
        ]
        return rows

    def outcome_groups(self) -> list[tuple[str, GroupRow]]:
        groups = [("Whole clinic", self.outcomes.clinic)]
        for kind, title in BREAKDOWN_TITLES.items():
            groups += [(f"{title}: {group.label}", group) for group in self.outcomes.breakdowns[kind]]
        return groups


def figure_row(section: str, group: str, measure: str, count: int, of: int) -> list[str]:
    percent = share(count, of)
    return [section, group, measure, str(count), str(of), "" if percent is None else f"{percent:.1f}"]


def value_row(section: str, measure: str, value: str) -> list[str]:
    return [section, "Whole clinic", measure, value, "", ""]


def days(value: float | None) -> str:
    return "" if value is None else f"{value:.1f}"


def clinic_report() -> Report:
    """Every figure of the dashboard, read from the replica when one is configured: four queries."""
    with reading_from_replica():
        return Report(
            outcomes=responder_figures(),
            service=service_figures(today=timezone.localdate()),
            safety=safety_figures(),
            rules=rule_words(),
        )


__all__ = ["Report", "clinic_report"]
