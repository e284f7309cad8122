"""careplans/logs/charts.py: small accessible SVG charts (pure), escaped, printable, no inline styles."""

from datetime import date

from careplans.logs.charts import Marker, Series, line_chart

MARCH_1, MARCH_20, APRIL_11 = date(2026, 3, 1), date(2026, 3, 20), date(2026, 4, 11)


def chart(series, **kwargs):
    values = dict(since=MARCH_1, until=APRIL_11, low=0, high=10, title="Pain <interference>", id_prefix="p 1")
    return line_chart(series, **{**values, **kwargs})


def test_it_draws_each_point_with_its_date_and_value_for_screen_readers():
    svg = chart([Series("Pain", [(MARCH_1, 3), (MARCH_20, 5.5), (APRIL_11, None)])], unit="")
    assert svg.startswith("<svg") and svg.endswith("</svg>")
    assert 'role="img" aria-labelledby="p-1-title p-1-desc"' in svg
    assert "<title>Mar 1, 2026: Pain 3</title>" in svg and "<title>Mar 20, 2026: Pain 5.5</title>" in svg
    assert svg.count("<circle") == 2  # the missing value is a gap, not a zero
    assert "Pain: 2 days, first 3 on Mar 1, 2026, latest 5.5 on Mar 20, 2026." in svg


def test_it_escapes_every_text_and_uses_no_style_attributes():
    svg = chart([Series("<b>", [(MARCH_1, 3)])], markers=[Marker(MARCH_20, "<script>")])
    assert "<b>" not in svg and "<script>" not in svg
    assert "Pain &lt;interference&gt;" in svg
    assert "style=" not in svg


def test_it_says_so_when_nothing_was_logged():
    assert "Nothing logged in these weeks" in chart([Series("Pain", [])])


def test_the_last_date_label_stays_inside_the_chart():
    svg = chart([Series("Pain", [(MARCH_1, 3)])])
    assert 'text-anchor="end">Apr 11</text>' in svg


def test_a_planned_step_line_holds_to_the_end_of_the_range():
    svg = chart([Series("Planned", [(MARCH_1, 4), (MARCH_20, 5)], step=True, dashed=True)], high=None)
    assert 'stroke-dasharray="5 3"' in svg
    assert svg.count("<polyline") == 1 and "<circle" not in svg
