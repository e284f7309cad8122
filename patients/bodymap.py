"""The body map of the intake: region codes, their labels, and the shapes of the front and back figures.

Pure data (no ORM, no templates). The same regions drive the patient's clickable map (the checkboxes
are the real form fields; static/js/bodymap.js only wires the shapes to them) and the read-only map
on the clinician's summary, so the two can never disagree.

Codes read ``<side>_<region>`` (``front_left_knee``, ``back_lower_back``); "left" and "right" are
always the patient's own. On the front figure the patient's right is on the viewer's left; on the back
figure it is on the viewer's right, as when looking at someone from behind.

Labels are app wording, translated for the patient's pages (patients/locale/es): they are lazy, so each page
shows them in its request's language (the patient's on /p/, English on staff pages) and the codes never change.
Each place is one whole phrase ("Left knee", not "Left" + "knee"), because other languages put the side after
the place and agree it with the place's gender ("rodilla izquierda", "hombro izquierdo").
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

FRONT = "front"
BACK = "back"
SIDES = (FRONT, BACK)
SIDE_LABELS: dict[str, StrOrPromise] = {
    FRONT: pgettext_lazy("body map figure", "Front"),
    BACK: pgettext_lazy("body map figure", "Back"),
}
#: A place's full label, side of the figure included ("Left knee (front)"); a whole phrase to translate.
SIDE_PLACE_LABELS: dict[str, StrOrPromise] = {
    FRONT: pgettext_lazy("body map place", "{place} (front)"),
    BACK: pgettext_lazy("body map place", "{place} (back)"),
}
#: The patient's own sides, written above each figure.
RIGHT = pgettext_lazy("body map side", "Right")
LEFT = pgettext_lazy("body map side", "Left")

#: Each figure is drawn in a box this wide and tall (SVG user units); the back figure sits to the right.
FIGURE_WIDTH = 160
FIGURE_HEIGHT = 420
FIGURE_GAP = 20


def figure_offset(side: str) -> float:
    """Where a figure starts on the combined coordinates: the back figure sits to the right."""
    return 0 if side == FRONT else FIGURE_WIDTH + FIGURE_GAP


@dataclass(frozen=True)
class Region:
    code: str
    side: str
    #: Without the side, for lists grouped by side ("Left knee"). Lazy: shown in the page's language.
    name: StrOrPromise
    #: "rect" (x, y, width, height, corner radius) or "ellipse" (cx, cy, rx, ry), in figure units.
    shape: str
    geometry: tuple[float, ...]

    @property
    def label(self) -> StrOrPromise:
        """The full label, side included: "Left knee (front)". Lazy, so it takes the language of the page it is
        shown on (an f-string would fix the language of whoever built it first, at import)."""
        return format_lazy(SIDE_PLACE_LABELS[self.side], place=self.name)

    @property
    def offset(self) -> float:
        return figure_offset(self.side)

    @property
    def svg_attributes(self) -> dict[str, float]:
        """The attributes of the shape's SVG element, placed on the combined drawing."""
        dx = self.offset
        if self.shape == "ellipse":
            cx, cy, rx, ry = self.geometry
            return {"cx": cx + dx, "cy": cy, "rx": rx, "ry": ry}
        x, y, width, height, radius = self.geometry
        return {"x": x + dx, "y": y, "width": width, "height": height, "rx": radius}

    @property
    def center(self) -> tuple[float, float]:
        """Where the "hurts most" mark goes, on the combined drawing."""
        if self.shape == "ellipse":
            cx, cy, _, _ = self.geometry
            return cx + self.offset, cy
        x, y, width, height, _ = self.geometry
        return x + width / 2 + self.offset, y + height / 2


def _pair(
    side: str,
    key: str,
    names: tuple[StrOrPromise, StrOrPromise],
    shape: str,
    viewer_left: tuple,
    viewer_right: tuple,
) -> list[Region]:
    """A left/right pair (``names``: the right one's, then the left one's): which one is drawn on the viewer's
    left depends on the side shown."""
    right, left = (viewer_left, viewer_right) if side == FRONT else (viewer_right, viewer_left)
    right_name, left_name = names
    return [
        Region(f"{side}_right_{key}", side, right_name, shape, right),
        Region(f"{side}_left_{key}", side, left_name, shape, left),
    ]


def _figure(side: str) -> list[Region]:
    front = side == FRONT
    regions = [Region(f"{side}_head", side, _("Head") if front else _("Back of head"), "ellipse", (80, 28, 20, 22))]
    regions.append(Region(f"{side}_neck", side, _("Neck") if front else _("Back of neck"), "rect", (68, 51, 24, 16, 4)))
    shoulders = (_("Right shoulder"), _("Left shoulder"))
    regions += _pair(side, "shoulder", shoulders, "rect", (38, 68, 22, 22, 9), (100, 68, 22, 22, 9))
    if front:
        regions += [
            Region("front_chest", FRONT, _("Chest"), "rect", (61, 68, 38, 48, 5)),
            Region("front_abdomen", FRONT, _("Belly"), "rect", (61, 117, 38, 44, 5)),
            Region("front_pelvis", FRONT, _("Hips and groin"), "rect", (58, 162, 44, 30, 8)),
        ]
    else:
        regions += [
            Region("back_upper_back", BACK, _("Upper back"), "rect", (61, 68, 38, 34, 5)),
            Region("back_middle_back", BACK, _("Middle back"), "rect", (61, 103, 38, 28, 4)),
            Region("back_lower_back", BACK, _("Lower back"), "rect", (61, 132, 38, 30, 5)),
        ]
        buttocks = (_("Right buttock"), _("Left buttock"))
        regions += _pair(BACK, "buttock", buttocks, "rect", (58, 163, 21, 29, 8), (81, 163, 21, 29, 8))
    upper_arms = (_("Right upper arm"), _("Left upper arm"))
    regions += _pair(side, "upper_arm", upper_arms, "rect", (36, 92, 20, 54, 8), (104, 92, 20, 54, 8))
    forearms = (_("Right forearm and elbow"), _("Left forearm and elbow"))
    regions += _pair(side, "forearm", forearms, "rect", (32, 148, 18, 54, 8), (110, 148, 18, 54, 8))
    regions += _pair(side, "hand", (_("Right hand"), _("Left hand")), "ellipse", (40, 216, 10, 13), (120, 216, 10, 13))
    if front:
        thighs = (_("Right thigh"), _("Left thigh"))
        regions += _pair(FRONT, "thigh", thighs, "rect", (58, 194, 21, 73, 8), (81, 194, 21, 73, 8))
        knees = (_("Right knee"), _("Left knee"))
        regions += _pair(FRONT, "knee", knees, "rect", (59, 269, 19, 24, 8), (82, 269, 19, 24, 8))
        lower_legs = (_("Right lower leg"), _("Left lower leg"))
        regions += _pair(FRONT, "lower_leg", lower_legs, "rect", (60, 295, 17, 70, 7), (83, 295, 17, 70, 7))
        feet = (_("Right foot"), _("Left foot"))
        regions += _pair(FRONT, "foot", feet, "ellipse", (68, 378, 11, 9), (92, 378, 11, 9))
    else:
        thighs = (_("Right back of thigh"), _("Left back of thigh"))
        regions += _pair(BACK, "thigh", thighs, "rect", (58, 194, 21, 73, 8), (81, 194, 21, 73, 8))
        knees = (_("Right back of knee"), _("Left back of knee"))
        regions += _pair(BACK, "knee", knees, "rect", (59, 269, 19, 24, 8), (82, 269, 19, 24, 8))
        calves = (_("Right calf"), _("Left calf"))
        regions += _pair(BACK, "calf", calves, "rect", (60, 295, 17, 70, 7), (83, 295, 17, 70, 7))
        heels = (_("Right heel"), _("Left heel"))
        regions += _pair(BACK, "heel", heels, "ellipse", (68, 378, 11, 9), (92, 378, 11, 9))
    return regions


REGIONS: tuple[Region, ...] = (*_figure(FRONT), *_figure(BACK))
REGIONS_BY_CODE: dict[str, Region] = {region.code: region for region in REGIONS}
CODES: frozenset[str] = frozenset(REGIONS_BY_CODE)

#: The smallest place is 16 units across (the neck, the lower legs), so a figure drawn at least this many
#: CSS pixels wide makes every place a target of at least 24 by 24 CSS pixels (WCAG 2.2, 2.5.8). This is
#: why each figure is its own drawing: side by side, two figures would not fit a phone at that size.
MIN_FIGURE_PIXELS = 248


@dataclass(frozen=True)
class Shape:
    """A place on a drawing, marked or not."""

    region: Region
    selected: bool
    worst: bool


@dataclass(frozen=True)
class Figure:
    """One figure's drawing: a window (viewBox) on the combined coordinates, its captions and places."""

    side: str
    label: StrOrPromise
    viewbox: str
    caption_x: float
    #: The patient's sides as seen on this figure, from the viewer's left: ((x, "Right"), (x, "Left")).
    side_marks: tuple[tuple[float, StrOrPromise], ...]
    shapes: tuple[Shape, ...]


def shapes(regions: Iterable[str] | None, worst: str | None) -> list[Shape]:
    """Every place of the map, in map order, marked where the patient marked it."""
    chosen = set(regions or ())
    return [Shape(region, region.code in chosen, region.code == worst) for region in REGIONS]


def figures(marked: Iterable[Shape]) -> list[Figure]:
    """The front and the back drawings (templates/patients/intake/_bodymap_svg.html)."""
    marked = list(marked)
    return [_figure_drawing(side, [shape for shape in marked if shape.region.side == side]) for side in SIDES]


def _figure_drawing(side: str, side_shapes: list[Shape]) -> Figure:
    offset = figure_offset(side)
    marks = (RIGHT, LEFT) if side == FRONT else (LEFT, RIGHT)
    return Figure(
        side=side,
        label=SIDE_LABELS[side],
        viewbox=f"{offset} 0 {FIGURE_WIDTH} {FIGURE_HEIGHT}",
        caption_x=offset + FIGURE_WIDTH / 2,
        side_marks=((offset + 22, marks[0]), (offset + FIGURE_WIDTH - 22, marks[1])),
        shapes=tuple(side_shapes),
    )


def regions_on(side: str) -> tuple[Region, ...]:
    return tuple(region for region in REGIONS if region.side == side)


def labels(codes: Iterable[str]) -> list[StrOrPromise]:
    """The labels of known codes, in map order (unknown codes are left out)."""
    chosen = set(codes)
    return [region.label for region in REGIONS if region.code in chosen]


def known(codes: Iterable[str]) -> list[str]:
    """The known codes among these, in map order, each once."""
    chosen = set(codes)
    return [region.code for region in REGIONS if region.code in chosen]
