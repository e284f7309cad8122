"""The dashboard's SVG bars (pure): named by title and description, each bar's figure in words, text escaped,
bars kept within 0-100%, and "no patients to count" rather than a misleading 0%."""

from interop.dashboard_charts import BAR_AREA, Bar, bars_svg


def chart(*bars):
    return bars_svg(list(bars), title="Title <1>", description="Desc & more", id_prefix="c", table_id="t")


def test_the_chart_is_an_image_named_by_its_title_and_description_and_described_by_its_table():
    svg = chart(Bar("Naloxone", 25.0, 1, 4))

    assert svg.startswith("<svg")
    assert 'role="img" aria-labelledby="c-title c-desc" aria-describedby="t"' in svg
    assert '<title id="c-title">Title &lt;1&gt;</title><desc id="c-desc">Desc &amp; more</desc>' in svg


def test_each_bar_says_its_share_and_count():
    svg = chart(Bar("Naloxone", 25.0, 1, 4))

    assert "<title>Naloxone: 25% (1 of 4)</title>" in svg
    assert f'width="{BAR_AREA / 4:g}"' in svg


def test_labels_are_escaped():
    svg = chart(Bar('Lead "<b>"', 50.0, 1, 2))

    assert "<b>" not in svg
    assert "Lead &quot;&lt;b&gt;&quot;" in svg


def test_nobody_to_count_draws_no_bar_and_says_so():
    svg = chart(Bar("PEG at 3 months", None, 0, 0))

    assert "<title>PEG at 3 months: no patients to count</title>" in svg
    assert 'width="0"' in svg


def test_no_inline_styles_for_the_content_security_policy():
    assert "style=" not in chart(Bar("A", 100.0, 3, 3), Bar("B", 0.0, 0, 3))
