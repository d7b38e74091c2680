"""Charts drawn at build time as static SVG with matplotlib: no script, no CDN.

Deterministic: the same data gives the same bytes (a fixed hash salt for the ids
matplotlib writes, no date in the metadata, text as paths so no font is needed
to view it). Every chart on the site has its data in a table next to it; the
chart adds a picture, never a fact.
"""
from __future__ import annotations

import io
from dataclasses import dataclass

import matplotlib
from matplotlib.backends.backend_svg import FigureCanvasSVG
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter

# Okabe-Ito's first four, then darker stand-ins for its sky blue, orange and grey (indigo, dark gold,
# a darker grey) and black: distinguishable with colour-blindness, and every one has at least the
# 3:1 contrast on white that WCAG asks of graphics (Okabe-Ito's own sky blue and orange have 2.3:1).
PALETTE = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#332288", "#8C6D00", "#000000", "#767676"]
BASELINE_COLOUR = "#6E6E6E"

_RC = {
    "svg.hashsalt": "bcfc",
    "svg.fonttype": "path",
    "font.family": "DejaVu Sans",
    "font.size": 10,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.edgecolor": "#555555",
    "axes.labelcolor": "#222222",
    "xtick.color": "#333333",
    "ytick.color": "#333333",
    "path.simplify": False,
    "text.parse_math": False,  # a label is plan text: `$\frac{1}{$` is shown as written, never parsed as mathtext
}


@dataclass(frozen=True)
class Series:
    name: str
    values: list[float | int | None]  # one per category; None where not stated
    colour: int | None = None  # a fixed place in the palette, so a funding stream keeps its colour on every chart


LABEL_CHARS = 60  # a longer label is cut short on the chart (the table beside it has it whole)


def _label(text: str) -> str:
    """A category or series name as the chart shows it: one line, at most LABEL_CHARS characters."""
    text = " ".join(str(text).split())
    return text if len(text) <= LABEL_CHARS else text[:LABEL_CHARS - 1].rstrip() + "…"


def pounds_axis(value, _pos=None) -> str:
    if abs(value) >= 1_000_000:
        return f"£{value / 1_000_000:,.1f}m".replace(".0m", "m")
    if abs(value) >= 1_000:
        return f"£{value / 1_000:,.0f}k"
    return f"£{value:,.0f}"


def plain_axis(value, _pos=None) -> str:
    return f"{value:,.10g}"


def _svg(figure: Figure) -> bytes:
    FigureCanvasSVG(figure)
    out = io.BytesIO()
    with matplotlib.rc_context(_RC):
        figure.savefig(out, format="svg", metadata={"Date": None}, bbox_inches="tight")
    return out.getvalue()


def _figure(height: float) -> Figure:
    with matplotlib.rc_context(_RC):
        return Figure(figsize=(7.5, height), dpi=100, layout="constrained")


def key(series: list[Series]) -> list[tuple[str, int]]:
    """A stacked chart's key as (series name, palette place), for the page to set as text beside the chart:
    legible at any width, where a legend inside the image shrinks with it on a phone."""
    return [(item.name, (index if item.colour is None else item.colour) % len(PALETTE))
            for index, item in enumerate(series)] if len(series) > 1 else []


def stacked_bars(categories: list[str], series: list[Series], *, money: bool = True, horizontal: bool = True,
                 legend: bool = True) -> bytes:
    """One bar per category, stacked by series (funding mix: a bar per year or per HWB, stacked by stream).
    legend=False leaves the key to the page (key())."""
    with matplotlib.rc_context(_RC):
        figure = _figure(max(2.2, 0.55 * len(categories) + 1.6) if horizontal else 4.2)
        axes = figure.add_subplot()
        positions = list(range(len(categories)))
        bottoms = [0.0] * len(categories)
        for index, item in enumerate(series):
            values = [float(v or 0) for v in item.values]
            colour = PALETTE[(index if item.colour is None else item.colour) % len(PALETTE)]
            if horizontal:
                axes.barh(positions, values, left=bottoms, label=_label(item.name), color=colour, height=0.6,
                          edgecolor="white", linewidth=0.6)
            else:
                axes.bar(positions, values, bottom=bottoms, label=_label(item.name), color=colour, width=0.6,
                         edgecolor="white", linewidth=0.6)
            bottoms = [b + v for b, v in zip(bottoms, values)]
        formatter = FuncFormatter(pounds_axis if money else plain_axis)
        if horizontal:
            axes.set_yticks(positions, [_label(c) for c in categories])
            axes.invert_yaxis()
            axes.xaxis.set_major_formatter(formatter)
            axes.grid(axis="x", color="#DDDDDD", linewidth=0.6)
        else:
            axes.set_xticks(positions, [_label(c) for c in categories])
            axes.yaxis.set_major_formatter(formatter)
            axes.grid(axis="y", color="#DDDDDD", linewidth=0.6)
        axes.set_axisbelow(True)
        if legend and len(series) > 1:
            figure.legend(loc="outside lower center", ncols=min(3, len(series)), frameon=False, fontsize=9)
        return _svg(figure)


def goal_against_baseline(baseline: list[tuple[str, float]], goals: list[tuple[str, float]]) -> bytes:
    """Baseline periods as grey squares, goals as blue dots joined by a line, in time order. The axis fits the
    figures rather than starting at zero, so a goal of 3% better shows as a change, not as a flat row of bars
    (the caption says so)."""
    from matplotlib.lines import Line2D
    with matplotlib.rc_context(_RC):
        labels = [p for p, _ in baseline] + [p for p, _ in goals]
        figure = Figure(figsize=(min(7.5, 2.6 + 0.9 * len(labels)), 3.0), dpi=100, layout="constrained")
        axes = figure.add_subplot()
        base_x = list(range(len(baseline)))
        goal_x = list(range(len(baseline), len(labels)))
        if baseline:
            axes.plot(base_x, [float(v) for _, v in baseline], linestyle="none", marker="s", markersize=8,
                      color=BASELINE_COLOUR)
        if goals:
            axes.plot(goal_x, [float(v) for _, v in goals], linestyle="-", linewidth=1.6, marker="o", markersize=8,
                      color=PALETTE[0])
        axes.set_xticks(list(range(len(labels))), labels, rotation=30 if len(labels) > 4 else 0,
                        ha="right" if len(labels) > 4 else "center")
        axes.yaxis.set_major_formatter(FuncFormatter(plain_axis))
        axes.margins(y=0.25)
        axes.grid(axis="y", color="#DDDDDD", linewidth=0.6)
        axes.set_axisbelow(True)
        handles = []
        if baseline:
            handles.append(Line2D([], [], linestyle="none", marker="s", markersize=8, color=BASELINE_COLOUR,
                                  label="Baseline"))
        if goals:
            handles.append(Line2D([], [], marker="o", markersize=8, color=PALETTE[0], label="Goal"))
        figure.legend(handles=handles, loc="outside lower center", ncols=2, frameon=False, fontsize=10)
        axes.set_xlim(-0.5, len(labels) - 0.5)
        return _svg(figure)
