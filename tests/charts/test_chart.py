"""charts.Chart: the one engine's pieces: accessible, escaped, no style attributes, sound at the edges."""

import re
import xml.etree.ElementTree as ET
from datetime import date, timedelta

import pytest

from charts.chart import Band, Chart, Frame, LegendEntry, dot_radius
from charts.colours import BLUE, BROWN, RED
from charts.svg import escaped, group, tag

SVG = "{http://www.w3.org/2000/svg}"
MARCH_1 = date(2026, 3, 1)
FRAME = Frame(width=640, height=240, left=48, right=128, top=16, bottom=44)


def chart(first=MARCH_1, last=MARCH_1 + timedelta(days=28), *, low=0, high=10, **kwargs):
    values = dict(css_class="trend-chart", id_prefix="c 1", title="Pain <over> time", description="Four weeks & more.")
    x = FRAME.day_scale(first, last, at_least_a_day=kwargs.pop("at_least_a_day", False)) if first else None
    return Chart(FRAME, y=FRAME.value_scale(low, high, clamp=kwargs.pop("clamp", False)), x=x, **{**values, **kwargs})


def parsed(one: Chart) -> ET.Element:
    return ET.fromstring(one.svg())  # also proves the markup is well-formed XML


def test_a_chart_is_an_image_named_by_its_title_and_description():
    root = parsed(chart())
    assert root.get("role") == "img"
    assert root.get("aria-labelledby") == "c-1-title c-1-desc"
    assert root.find(f"{SVG}title").text == "Pain <over> time"
    assert root.find(f"{SVG}desc").text == "Four weeks & more."
    assert root.get("aria-describedby") is None
    assert root.get("viewBox") == "0 0 640 240" and root.get("class") == "trend-chart"


def test_a_chart_can_point_screen_readers_at_a_table_of_the_same_numbers():
    root = parsed(chart(table_id='numbers" x="1'))
    assert root.get("aria-describedby") == "numbers--x--1"


def test_every_text_is_escaped_and_no_piece_has_a_style_attribute():
    one = chart(title="<script>alert(1)</script>")
    one.bands([Band(0, 4, "low <b>", "low <b>: 0 to 4"), Band(5, 10, "high", "high: 5 to 10")], best_at_bottom=True)
    one.axis_lines()
    one.grid_lines([0, 5, 10])
    one.value_ticks([0, 5, 10])
    one.value_axis_name("Total <i>")
    one.day_labels([MARCH_1], keep_inside=True)
    one.day_axis_name("Date & time")
    one.level(5, css_class="baseline-level", colour=BLUE, width=1, dash="2 3", opacity=0.6)
    one.threshold(3.5, css_class="responder-threshold", colour=BROWN, label="30% <better>", title="t")
    one.day_marker(MARCH_1, css_class="flare-marker", colour=RED, letter="F", title="<flare>")
    one.line([(MARCH_1, 5), (MARCH_1 + timedelta(days=7), 4)], css_class="trend-line", colour=BLUE)
    one.steps([(MARCH_1, 5), (MARCH_1 + timedelta(days=7), 4)], css_class="series-1", colour=BROWN, dash="5 3")
    one.dots([(MARCH_1, 5, "Mar 1: <5>")], colour=BLUE)
    one.diamonds([(MARCH_1, 5, "Mar 1: <5>")], css_class="actual-points", colour=BROWN)
    one.marked_point(MARCH_1, 5, css_class="baseline-marker", colour=BLUE, label="Baseline", title="<b>")
    one.legend([LegendEntry("Planned <", BLUE), LegendEntry("Actual", BROWN, swatch="diamond")])
    one.empty("Nothing <here>")
    svg = one.svg()
    assert not re.search(r"\sstyle=", svg) and "<style" not in svg
    assert "<script>" not in svg and "<b>" not in svg and "<i>" not in svg and "<flare>" not in svg
    assert "&lt;script&gt;" in svg and "Date &amp; time" in svg
    ET.fromstring(svg)


def test_bands_cover_the_whole_plot_and_meet_half_way_between_their_values():
    one = chart()
    one.bands(
        [Band(0, 4, "mild", "mild"), Band(5, 7, "moderate", "m"), Band(8, 10, "severe", "s")], best_at_bottom=True
    )
    rects = parsed(one).findall(f".//{SVG}rect[@class='band']")
    assert sum(float(r.get("height")) for r in rects) == pytest.approx(FRAME.plot_height, abs=0.05)
    # mild and moderate meet at 4.5: 55% of the way up from the bottom
    assert float(rects[0].get("y")) == pytest.approx(FRAME.value_scale(0, 10)(4.5), abs=0.006)
    assert rects[0].get("fill") == "#e7f3ea" and rects[-1].get("fill") == "#f9dada"  # best light green, worst red


def test_bands_where_higher_is_better_run_from_red_at_the_bottom():
    one = chart()
    one.bands([Band(0, 4, "low", "low"), Band(5, 10, "high", "high")], best_at_bottom=False)
    fills = [r.get("fill") for r in parsed(one).findall(f".//{SVG}rect[@class='band']")]
    assert fills == ["#f9dada", "#e7f3ea"]


def test_one_point_is_no_line_but_a_dot_in_the_middle():
    one = chart(MARCH_1, MARCH_1)
    one.line([(MARCH_1, 4)], css_class="trend-line", colour=BLUE)
    one.dots([(MARCH_1, 4, "Mar 1: 4")], colour=BLUE)
    root = parsed(one)
    assert root.find(f".//{SVG}polyline") is None
    circle = root.find(f".//{SVG}g[@class='points']/{SVG}circle")
    assert float(circle.get("cx")) == FRAME.centre_x
    assert circle.find(f"{SVG}title").text == "Mar 1: 4"


def test_an_empty_series_keeps_its_group():
    one = chart()
    one.dots([], colour=BLUE)
    assert '<g class="points" fill="#1f4e6b"></g>' in one.svg()


def test_a_chart_without_days_can_say_it_is_empty_but_cannot_place_a_day():
    one = chart(None)
    one.axis_lines()
    one.empty("No scored responses yet")
    text = parsed(one).findall(f"{SVG}text")[-1]
    assert text.text == "No scored responses yet"
    assert (float(text.get("x")), float(text.get("y"))) == (FRAME.centre_x, FRAME.centre_y)
    with pytest.raises(ValueError, match="x scale"):
        one.dots([(MARCH_1, 3, "x")], colour=BLUE)


def test_a_threshold_off_the_scale_is_not_drawn():
    one = chart()
    one.threshold(12, css_class="responder-threshold", colour=BROWN, label="30% better", title="t")
    assert "responder-threshold" not in one.svg()


def test_a_threshold_near_the_top_is_named_below_its_line():
    one = chart()
    one.threshold(9.9, css_class="responder-threshold", colour=BROWN, label="30% better", title="t")
    group_ = parsed(one).find(f".//{SVG}g[@class='responder-threshold']")
    assert float(group_.find(f"{SVG}text").get("y")) > float(group_.find(f"{SVG}line").get("y1"))


def test_a_step_line_holds_each_value_until_the_next_day_and_to_the_end_on_request():
    one = chart(clamp=True)
    days = [MARCH_1, MARCH_1 + timedelta(days=14)]
    one.steps([(days[0], 4), (days[1], 20)], css_class="series-0", colour=BROWN, hold_to_end=True)
    points = [tuple(map(float, p.split(","))) for p in parsed(one).find(f".//{SVG}polyline").get("points").split()]
    y = FRAME.value_scale(0, 10)
    x = FRAME.day_scale(MARCH_1, MARCH_1 + timedelta(days=28))
    assert points == [
        (x(days[0]), y(4)),
        (x(days[1]), y(4)),
        (x(days[1]), y(10)),  # 20 is beyond the clamped axis: drawn on its edge
        (FRAME.plot_right, y(10)),
    ]


def test_date_labels_kept_inside_a_narrow_chart_start_and_end_at_their_days():
    one = chart(at_least_a_day=True)
    one.day_labels([MARCH_1, MARCH_1 + timedelta(days=14), MARCH_1 + timedelta(days=28)], keep_inside=True)
    anchors = [t.get("text-anchor") for t in parsed(one).findall(f".//{SVG}g[@class='x-ticks']/{SVG}text")]
    assert anchors == ["start", None, "end"]


def test_a_single_date_label_is_centred_on_its_day():
    one = chart(MARCH_1, MARCH_1, at_least_a_day=True)
    one.day_labels([MARCH_1], keep_inside=True)
    label = parsed(one).find(f".//{SVG}g[@class='x-ticks']/{SVG}text")
    assert label.get("text-anchor") is None and float(label.get("x")) == FRAME.left


def test_a_marked_point_near_the_right_edge_is_named_on_its_left():
    one = chart()
    one.marked_point(MARCH_1 + timedelta(days=28), 5, css_class="baseline-marker", colour=BLUE, label="B", title="t")
    assert parsed(one).find(f".//{SVG}g[@class='baseline-marker']/{SVG}text").get("text-anchor") == "end"


def test_small_text_states_its_size_only_on_a_chart_of_another_size():
    large, small = chart(), chart(font_size=11)
    for one in (large, small):
        one.value_ticks([0, 10])
    assert '<g class="y-ticks" fill="#4f5a63" text-anchor="end" font-size="11">' in large.svg()
    assert '<g class="y-ticks" fill="#4f5a63" text-anchor="end">' in small.svg()


def test_tick_labels_have_at_most_two_decimals_unless_told_otherwise():
    one = chart()
    one.value_ticks([0, 2.5, 22.75])
    one.value_ticks([4], label=lambda value: f"{value} h")
    texts = [t.text for t in parsed(one).findall(f".//{SVG}g[@class='y-ticks']/{SVG}text")]
    assert texts == ["0", "2.5", "22.75", "4 h"]


def test_a_legend_names_lines_and_diamonds_side_by_side():
    one = chart()
    one.legend([LegendEntry("Planned", BLUE), LegendEntry("Actual", BROWN, swatch="diamond")])
    legend = parsed(one).find(f".//{SVG}g[@class='legend']")
    assert [t.text for t in legend.findall(f"{SVG}text")] == ["Planned", "Actual"]
    assert legend.find(f"{SVG}line").get("stroke") == BLUE and legend.find(f"{SVG}polygon").get("fill") == BROWN


def test_dots_shrink_on_a_crowded_line():
    assert dot_radius(1) == dot_radius(30) == 3.5
    assert dot_radius(31) == 2.5


def test_tags_write_dashed_names_numbers_as_coordinates_and_leave_out_none():
    assert (
        tag("line", x1=1.0, y2=2.456, stroke_width=2, stroke_dasharray=None)
        == '<line x1="1" y2="2.46" stroke-width="2"/>'
    )
    assert tag("text", escaped("a < b"), class_='x"y') == '<text class="x&quot;y">a &lt; b</text>'
    assert group("points", [], fill="#000") == '<g class="points" fill="#000"></g>'
    with pytest.raises(TypeError):
        tag("circle", r=True)
