"""measures.trend_chart.trend_svg: bands shaded, baseline marked, responder line where one exists (drawn by charts/)."""

import itertools
import re
import xml.etree.ElementTree as ET
from datetime import date, datetime, timedelta

import pytest

from measures.definitions import get_definition, load_definition
from measures.trend_chart import responder_threshold, trend_frame, trend_svg

SVG = "{http://www.w3.org/2000/svg}"
PEG = get_definition("peg")
PHQ9 = get_definition("phq9")
GAD7 = get_definition("gad7")


def parsed(svg: str) -> ET.Element:
    return ET.fromstring(svg)  # also proves the markup is well-formed XML


def weekly(values, start=date(2026, 1, 5)):
    return [(start + timedelta(weeks=n), value) for n, value in enumerate(values)]


def y_of(total, low, high, width=640, height=240):
    """Where the trend chart draws a total: the engine's scale in the trend chart's frame."""
    return trend_frame(width, height).value_scale(low, high)(total)


def threshold_line(root):
    group = root.find(f".//{SVG}g[@class='responder-threshold']")
    return None if group is None else group.find(f"{SVG}line")


def test_it_shades_one_rectangle_per_band_of_the_instrument():
    root = parsed(trend_svg(weekly([12, 9, 6]), definition=PHQ9))
    bands = root.findall(f".//{SVG}rect[@class='band']")
    assert len(bands) == len(PHQ9.bands) == 5
    assert [b.find(f"{SVG}title").text.split(":")[0] for b in bands] == [band.label for band in PHQ9.bands]


def test_its_bands_cover_the_whole_range_without_gaps():
    root = parsed(trend_svg(weekly([12]), definition=PHQ9))
    rects = root.findall(f".//{SVG}rect[@class='band']")
    heights = sum(float(r.get("height")) for r in rects)
    assert heights == pytest.approx(trend_frame().plot_height, abs=0.05)


def test_it_shades_nothing_for_an_instrument_without_bands():
    root = parsed(trend_svg(weekly([7, 6]), definition=PEG))
    assert root.findall(f".//{SVG}rect[@class='band']") == []


def test_it_marks_the_earliest_point_as_the_baseline_whatever_the_order_given():
    points = [(date(2026, 3, 1), 4), (date(2026, 1, 1), 8), (date(2026, 2, 1), 6)]
    root = parsed(trend_svg(points, definition=PEG))
    marker = root.find(f".//{SVG}g[@class='baseline-marker']")
    assert marker is not None
    assert marker.find(f"{SVG}circle/{SVG}title").text == "Baseline, Jan 1, 2026: 8.0"
    assert marker.find(f"{SVG}text").text == "Baseline"


@pytest.mark.parametrize(("baseline", "threshold"), [(8, 5.6), (10, 7.0), (5, 3.5)])
def test_it_draws_the_peg_responder_line_at_seventy_percent_of_baseline(baseline, threshold):
    root = parsed(trend_svg(weekly([baseline, baseline - 1]), definition=PEG, width=640, height=240))
    line = threshold_line(root)
    expected_y = y_of(threshold, 0, 10)
    assert float(line.get("y1")) == pytest.approx(expected_y, abs=0.006)
    assert float(line.get("y2")) == float(line.get("y1"))
    assert line.get("stroke-dasharray")
    assert root.find(f".//{SVG}g[@class='responder-threshold']/{SVG}text").text == "30% better"


def test_the_peg_threshold_for_a_baseline_of_eight_sits_where_the_layout_says():
    # The plot runs from y=16 (total 10) down to y=196 (total 0): 5.6 is 44% of the way down 180 px.
    line = threshold_line(parsed(trend_svg(weekly([8]), definition=PEG)))
    assert float(line.get("y1")) == pytest.approx(16 + 0.44 * 180, abs=0.006)


def test_it_draws_the_phq9_responder_line_at_half_of_baseline():
    root = parsed(trend_svg(weekly([18, 12]), definition=PHQ9))
    line = threshold_line(root)
    assert float(line.get("y1")) == pytest.approx(y_of(9, 0, 27), abs=0.006)
    assert root.find(f".//{SVG}g[@class='responder-threshold']/{SVG}text").text == "50% better"


def test_it_draws_no_responder_line_without_a_percent_rule_or_from_a_baseline_of_zero():
    assert threshold_line(parsed(trend_svg(weekly([12, 10]), definition=GAD7))) is None
    assert threshold_line(parsed(trend_svg(weekly([0, 2]), definition=PEG))) is None
    assert responder_threshold(PEG, 0) is None
    assert responder_threshold(PEG, 10) == pytest.approx(7)


def test_it_works_for_a_single_point():
    svg = trend_svg([(datetime(2026, 5, 4, 9, 30), 6)], definition=PEG)
    root = parsed(svg)
    assert root.find(f".//{SVG}g[@class='baseline-marker']") is not None
    assert root.find(f".//{SVG}polyline") is None
    assert "May 4, 2026" in svg


def test_it_works_for_a_hundred_points_with_a_few_readable_dates():
    values = [(n * 7) % 11 for n in range(100)]
    root = parsed(trend_svg(weekly(values), definition=PEG))
    assert len(root.findall(f".//{SVG}g[@class='points']/{SVG}circle")) == 99
    assert len(root.find(f".//{SVG}polyline").get("points").split()) == 100
    dates = root.findall(f".//{SVG}g[@class='x-ticks']/{SVG}text")
    assert 2 <= len(dates) <= 6
    xs = [float(t.get("x")) for t in dates]
    assert all(b - a >= 85 for a, b in itertools.pairwise(xs))
    assert dates[0].text == "Jan 5, 2026"
    assert dates[-1].text == "Nov 29, 2027"  # 99 weeks later


def test_it_leaves_out_points_without_a_total():
    root = parsed(trend_svg([(date(2026, 1, 1), None), (date(2026, 2, 1), 5)], definition=PEG))
    assert root.find(f".//{SVG}g[@class='baseline-marker']/{SVG}circle/{SVG}title").text.startswith(
        "Baseline, Feb 1, 2026"
    )


def test_it_says_so_when_there_is_nothing_to_draw():
    svg = trend_svg([], definition=PEG)
    assert "No scored responses yet" in svg
    parsed(svg)


def test_it_names_itself_for_screen_readers():
    root = parsed(trend_svg(weekly([8, 6]), definition=PEG))
    assert root.get("role") == "img"
    assert root.get("aria-labelledby") == "trend-peg-title trend-peg-desc"
    assert root.find(f"{SVG}title").text == "PEG over time"
    desc = root.find(f"{SVG}desc").text
    assert "Baseline 8.0 on Jan 5, 2026" in desc
    assert "Latest 6.0 on Jan 12, 2026" in desc
    assert "30% better than baseline, at 5.6" in desc


def test_it_uses_no_style_attributes_which_the_content_security_policy_refuses():
    svg = trend_svg(weekly([20, 15, 9, 4]), definition=PHQ9)
    assert not re.search(r"\sstyle=", svg)
    assert "<style" not in svg and "<script" not in svg


def test_it_escapes_every_piece_of_text(made_up_data):
    made_up_data["name"] = 'Steps <script>alert("x")</script> & co'
    made_up_data["bands"][0]["label"] = "low <b>"
    definition = load_definition(made_up_data)
    svg = trend_svg(weekly([2, 3]), definition=definition, id_prefix='x" onload="evil')
    assert "<script>" not in svg and "<b>" not in svg
    assert "&lt;script&gt;" in svg and "&amp; co" in svg
    assert 'onload="' not in svg
    parsed(svg)


def test_it_mirrors_the_threshold_for_an_instrument_where_higher_is_better(made_up_data):
    definition = load_definition(made_up_data)  # better: higher, responder at 30%
    assert responder_threshold(definition, 4) == pytest.approx(5.2)
    line = threshold_line(parsed(trend_svg(weekly([4, 5]), definition=definition)))
    assert float(line.get("y1")) == pytest.approx(y_of(5.2, 0, 7), abs=0.006)
