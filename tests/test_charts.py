"""The site's charts, written as SVG by renderers/site/charts.py: well-formed whatever the plan's text,
the same bytes for the same figures, and every figure drawn where the axis says."""
from __future__ import annotations

import xml.etree.ElementTree as ET

from renderers.site import charts

SVG = "{http://www.w3.org/2000/svg}"
HOSTILE = ["<script>alert(1)</script>", "Tom & Jerry's \"care\"", "]]> <!-- x", "bell\x07 and\x00nul", "\ud800 lone",
           "$\\frac{1}{$", "ﾠwide ＆ full", "a" * 200]


def _parse(svg: bytes) -> ET.Element:
    assert svg.startswith(b"<?xml")
    return ET.fromstring(svg)


def _texts(root: ET.Element) -> list[str]:
    return [t.text or "" for t in root.iter(f"{SVG}text")]


def test_any_label_gives_well_formed_svg_with_the_label_as_text():
    root = _parse(charts.stacked_bars(HOSTILE, [charts.Series(name, [1000] * len(HOSTILE)) for name in HOSTILE[:3]]))
    texts = _texts(root)
    assert "<script>alert(1)</script>" in texts and "Tom & Jerry's \"care\"" in texts  # shown as written
    assert not list(root.iter(f"{SVG}script"))
    assert any(t.endswith("…") and len(t) == charts.LABEL_CHARS for t in texts)  # a long label is cut short
    root = _parse(charts.goal_against_baseline([(HOSTILE[0], 1.5)], [(HOSTILE[2], 2.5), (HOSTILE[3], 3)]))
    assert "<script>alert(1)</script>" in _texts(root)


def test_the_same_figures_give_the_same_bytes():
    series = [charts.Series("Minimum NHS contribution", [3_000_000, 3_100_000], 0), charts.Series("iBCF", [1, None], 1)]
    assert charts.stacked_bars(["2023-24", "2024-25"], series) == charts.stacked_bars(["2023-24", "2024-25"], series)
    goals = charts.goal_against_baseline([("2022-23", 812.5)], [("2023-24 Q1", 200.0)])
    assert goals == charts.goal_against_baseline([("2022-23", 812.5)], [("2023-24 Q1", 200.0)])


def test_bars_end_at_their_amount_on_the_axis():
    """A bar of £2m reaches the '£2m' tick; a stacked segment starts where the one before it ends."""
    root = _parse(charts.stacked_bars(["A", "B"], [charts.Series("x", [2_000_000, 1_000_000]),
                                                   charts.Series("y", [500_000, 0])], legend=False))
    ticks = {t.text: float(t.get("x")) for t in root.iter(f"{SVG}text") if (t.text or "").startswith("£")}
    bars = [(float(r.get("x")), float(r.get("width")), r.get("style")) for r in root.iter(f"{SVG}rect")
            if "#0072B2" in r.get("style") or "#D55E00" in r.get("style")]
    first_a, second_a = bars[0], next(b for b in bars if "#D55E00" in b[2])
    assert abs(first_a[0] - ticks["£0"]) < 0.2 and abs(first_a[0] + first_a[1] - ticks["£2m"]) < 0.2
    assert abs(second_a[0] - (first_a[0] + first_a[1])) < 0.2  # y's segment of A starts where x's ends
    assert len(bars) == 3  # B's zero segment is not drawn


def test_the_key_lists_each_series_in_its_palette_colour():
    series = [charts.Series("Stream A", [1, 2], 2), charts.Series("Stream B", [1, 2])]
    assert charts.key(series) == [("Stream A", 2), ("Stream B", 1)]
    root = _parse(charts.stacked_bars(["2023-24", "2024-25"], series, legend=True))
    assert {"Stream A", "Stream B"} <= set(_texts(root))
    fills = {r.get("style") for r in root.iter(f"{SVG}rect")}
    assert any(charts.PALETTE[2] in f for f in fills) and any(charts.PALETTE[1] in f for f in fills)
