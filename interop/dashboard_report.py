"""The dashboard as one report: every figure read once from the replica (if configured), the charts drawn from
them, and the same figures as CSV rows. The page, the printable page and the CSV download all show this report.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils import timezone

from interop.dashboard_charts import Bar, bars_svg, percent_words
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
    def breakdown_titles(self) -> dict[str, str]:
        return BREAKDOWN_TITLES

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
        bars = [Bar(f.label, f.percent, f.count, f.of) for f in self.safety.figures]
        return bars_svg(
            bars,
            title="Opioid safety, patients on an opioid",
            description="The share of patients on an opioid meeting each safety measure; the numbers are in the "
            "table that follows.",
            id_prefix="safety-chart",
            table_id="safety-table",
        )

    def csv_rows(self) -> list[list[str]]:
        rows = [["section", "group", "measure", "count", "of", "percent"]]
        for code, name in self.instruments:
            for window in WINDOWS:
                cell = self.outcomes.clinic.cell(code, window.months)
                rows.append(
                    ["Outcomes", "Whole clinic", f"{name} responders at {window.months} months"]
                    + numbers(cell.responders, cell.eligible, cell.percent)
                )
                for kind, title in BREAKDOWN_TITLES.items():
                    for group in self.outcomes.breakdowns[kind]:
                        cell = group.cell(code, window.months)
                        rows.append(
                            ["Outcomes", f"{title}: {group.label}", f"{name} responders at {window.months} months"]
                            + numbers(cell.responders, cell.eligible, cell.percent)
                        )
        s = self.service
        rows.append(
            ["Service", "Whole clinic", "Questionnaires completed"]
            + numbers(s.invitations_completed, s.invitations_due, s.completion_percent)
        )
        rows.append(
            ["Service", "Whole clinic", "Sprints ending improved"]
            + numbers(s.sprints_improved, s.sprints_reviewed, s.improved_percent)
        )
        rows.append(
            [
                "Service",
                "Whole clinic",
                "Median days from referral in to first visit",
                days(s.median_days_to_first_visit),
                str(s.seen),
                "",
            ]
        )
        rows.append(
            [
                "Service",
                "Whole clinic",
                "Median days for a referral to close",
                days(s.median_days_to_close),
                str(s.referrals_closed),
                "",
            ]
        )
        rows.append(["Opioid safety", "Whole clinic", "Patients on an opioid", str(self.safety.on_opioids), "", ""])
        for figure in self.safety.figures:
            rows.append(
                ["Opioid safety", "Whole clinic", figure.label] + numbers(figure.count, figure.of, figure.percent)
            )
        rows.append(["Opioid safety", "Whole clinic", "Tapers in progress", str(self.safety.tapers_active), "", ""])
        rows.append(["Opioid safety", "Whole clinic", "Tapers paused", str(self.safety.tapers_paused), "", ""])
        return rows


def numbers(count: int, of: int, percent: float | None) -> list[str]:
    return [str(count), str(of), "" if percent is None else f"{percent:.1f}"]


def days(value: float | None) -> str:
    return "" if value is None else f"{value:.1f}"


def clinic_report() -> Report:
    """Every figure of the dashboard, read from the replica when one is configured: five queries."""
    with reading_from_replica():
        return Report(
            outcomes=responder_figures(),
            service=service_figures(today=timezone.localdate()),
            safety=safety_figures(),
            rules=rule_words(),
        )


__all__ = ["Report", "clinic_report", "percent_words"]
