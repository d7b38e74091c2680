"""Charts drawn at build time as static SVG written here: no script, no CDN, no plotting library.

Deterministic: the same data gives the same bytes (coordinates rounded to a tenth of a point, no
date, no ids). Text is SVG text in a common sans-serif, so the reader's browser draws it; its
width is estimated from the characters, generously, to leave room for a label. Every chart on the
site has its data in a table next to it; the chart adds a picture, never a fact.

matplotlib drew these until it was measured at a third of a plan's page generation (40 ms a chart);
the charts are simple enough (bars, points, a line, axes and ticks) to write directly.
"""
from __future__ import annotations

import html
import math
import re
from dataclasses import dataclass

# Okabe-Ito's first four, then darker stand-ins for its sky blue, orange and grey (indigo, dark gold,
# a darker grey) and black: distinguishable with colour-blindness, and every one has at least the
# 3:1 contrast on white that WCAG asks of graphics (Okabe-Ito's own sky blue and orange have 2.3:1).
PALETTE = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#332288", "#8C6D00", "#000000", "#767676"]
BASELINE_COLOUR = "#6E6E6E"
_AXIS, _TICK_TEXT, _GRID = "#555555", "#333333", "#DDDDDD"
_FONT = "DejaVu Sans, Verdana, Arial, Helvetica, sans-serif"
_SIZE = 10  # points: the text of ticks and labels
_WIDTH = 540  # points (7.5 inches): a chart's width


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


def key(series: list[Series]) -> list[tuple[str, int]]:
    """A stacked chart's key as (series name, palette place), for the page to set as text beside the chart:
    legible at any width, where a legend inside the image shrinks with it on a phone."""
    return [(item.name, (index if item.colour is None else item.colour) % len(PALETTE))
            for index, item in enumerate(series)] if len(series) > 1 else []


def _n(value: float) -> str:
    """A coordinate, to a tenth of a point: short, and the same on every machine."""
    text = f"{value:.1f}".rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
_NARROW = frozenset("fijlrtI.,:;'!|()[] ")
_WIDE = frozenset("mwMW@%")


def _text_width(text: str, size: float = _SIZE) -> float:
    """About how wide text is drawn, erring wide: DejaVu Sans's widths, the widest of the usual fonts."""
    return size * sum(0.36 if c in _NARROW else 0.95 if c in _WIDE else 0.72 if c.isupper() else 0.62
                      for c in text)


def _text(x: float, y: float, text: str, anchor: str = "middle", size: float = _SIZE, extra: str = "") -> str:
    clean = html.escape(_NOT_XML.sub("", text), quote=False)
    return (f'<text x="{_n(x)}" y="{_n(y)}" text-anchor="{anchor}" font-size="{_n(size)}"{extra} '
            f'style="fill: {_TICK_TEXT}">{clean}</text>')


def _line(x1: float, y1: float, x2: float, y2: float, colour: str, width: float = 0.8) -> str:
    return (f'<path d="M {_n(x1)} {_n(y1)} L {_n(x2)} {_n(y2)}" '
            f'style="fill: none; stroke: {colour}; stroke-width: {_n(width)}"/>')


def _rect(x: float, y: float, width: float, height: float, colour: str, edge: str = "") -> str:
    stroke = f"; stroke: {edge}; stroke-width: 0.6" if edge else ""
    return (f'<rect x="{_n(x)}" y="{_n(y)}" width="{_n(width)}" height="{_n(height)}" '
            f'style="fill: {colour}{stroke}"/>')


def _document(width: float, height: float, parts: list[str]) -> bytes:
    return ("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n"
            f'<svg xmlns="http://www.w3.org/2000/svg" width="{_n(width)}pt" height="{_n(height)}pt" '
            f'viewBox="0 0 {_n(width)} {_n(height)}" font-family="{_FONT}">\n'
            + _rect(0, 0, width, height, "#ffffff") + "\n" + "\n".join(parts) + "\n</svg>\n").encode("utf-8")


def _ticks(low: float, high: float, count: int) -> list[float]:
    """About count+1 round values (steps of 1, 2, 2.5 or 5 times a power of ten) covering low to high."""
    if high <= low:
        high = low + (abs(low) or 1)
    raw = (high - low) / max(1, count)
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(s * magnitude for s in (1, 2, 2.5, 5, 10) if s * magnitude >= raw * (1 - 1e-9))
    first = math.floor(low / step + 1e-9)
    last = math.ceil(high / step - 1e-9)
    return [round(i * step, 10) for i in range(first, last + 1)]


def _legend(entries: list[tuple[str, str]], width: float, top: float, marker=None) -> list[str]:
    """A key below the chart, centred: a swatch (or marker) and a name for each entry, up to three a row."""
    parts = []
    for row in range(0, len(entries), 3):
        items = entries[row:row + 3]
        widths = [12 + _text_width(name, 9) + 16 for name, _ in items]
        x, y = (width - sum(widths)) / 2, top + 14 * (row // 3)
        for (name, colour), room in zip(items, widths):
            parts.append(marker(x + 4, y - 3.5, colour) if marker else _rect(x, y - 7.5, 8, 8, colour))
            parts.append(_text(x + 12, y, name, "start", 9))
            x += room
    return parts


def stacked_bars(categories: list[str], series: list[Series], *, money: bool = True, horizontal: bool = True,
                 legend: bool = True) -> bytes:
    """One bar per category, stacked by series (funding mix: a bar per year or per HWB, stacked by stream).
    legend=False leaves the key to the page (key())."""
    labels = [_label(c) for c in categories]
    count = len(labels)
    stacks: list[list[tuple[float, float, str]]] = [[] for _ in labels]
    ends = [0.0] * count
    for index, item in enumerate(series):
        colour = PALETTE[(index if item.colour is None else item.colour) % len(PALETTE)]
        for place, value in enumerate(item.values[:count]):
            value = float(value or 0)
            stacks[place].append((ends[place], ends[place] + value, colour))
            ends[place] += value
    edges = [v for stack in stacks for start, end, _ in stack for v in (start, end)]
    formatter = pounds_axis if money else plain_axis
    keyed = [(_label(item.name), PALETTE[(i if item.colour is None else item.colour) % len(PALETTE)])
             for i, item in enumerate(series)] if legend and len(series) > 1 else []
    key_height = 14 * math.ceil(len(keyed) / 3) + 6 if keyed else 0
    height = (max(2.2, 0.55 * count + 1.6) if horizontal else 4.2) * 72 + key_height
    parts: list[str] = []
    if horizontal:
        ticks = _ticks(min([0.0, *edges]), max([0.0, *edges]), 6)
        names = [formatter(t) for t in ticks]
        left = 8 + max([_text_width(label) for label in labels] or [0]) + 6
        right = _WIDTH - 4 - _text_width(names[-1]) / 2
        top, bottom = 6.0, height - key_height - 22
        scale = lambda v: left + (v - ticks[0]) / (ticks[-1] - ticks[0]) * (right - left)  # noqa: E731
        band = (bottom - top) / max(1, count)
        for tick, name in zip(ticks, names):
            parts.append(_line(scale(tick), top, scale(tick), bottom, _GRID, 0.6))
            parts.append(_line(scale(tick), bottom, scale(tick), bottom + 3.5, _AXIS))
            parts.append(_text(scale(tick), bottom + 3.5 + _SIZE + 1, name))
        for place, (label, stack) in enumerate(zip(labels, stacks)):
            middle = top + band * (place + 0.5)
            for start, end, colour in stack:
                if end != start:
                    x = scale(min(start, end))
                    parts.append(_rect(x, middle - 0.3 * band, scale(max(start, end)) - x, 0.6 * band, colour,
                                       "#ffffff"))
            parts.append(_line(left - 3.5, middle, left, middle, _AXIS))
            parts.append(_text(left - 6, middle + 0.35 * _SIZE, label, "end"))
    else:
        ticks = _ticks(min([0.0, *edges]), max([0.0, *edges]), 5)
        names = [formatter(t) for t in ticks]
        left = 8 + max(_text_width(name) for name in names) + 6
        right, top, bottom = _WIDTH - 8.0, 8.0, height - key_height - 22
        scale = lambda v: bottom - (v - ticks[0]) / (ticks[-1] - ticks[0]) * (bottom - top)  # noqa: E731
        band = (right - left) / max(1, count)
        for tick, name in zip(ticks, names):
            parts.append(_line(left, scale(tick), right, scale(tick), _GRID, 0.6))
            parts.append(_line(left - 3.5, scale(tick), left, scale(tick), _AXIS))
            parts.append(_text(left - 6, scale(tick) + 0.35 * _SIZE, name, "end"))
        for place, (label, stack) in enumerate(zip(labels, stacks)):
            middle = left + band * (place + 0.5)
            for start, end, colour in stack:
                if end != start:
                    y = scale(max(start, end))
                    parts.append(_rect(middle - 0.3 * band, y, 0.6 * band, scale(min(start, end)) - y, colour,
                                       "#ffffff"))
            parts.append(_line(middle, bottom, middle, bottom + 3.5, _AXIS))
            parts.append(_text(middle, bottom + 3.5 + _SIZE + 1, label))
    parts.append(_line(left, top, left, bottom, _AXIS))  # the axes' left and bottom spines
    parts.append(_line(left, bottom, right, bottom, _AXIS))
    parts += _legend(keyed, _WIDTH, height - key_height + 8, None) if keyed else []
    return _document(_WIDTH, height, parts)


def _square(x: float, y: float, colour: str) -> str:
    return _rect(x - 3.5, y - 3.5, 7, 7, colour)


def _dot(x: float, y: float, colour: str) -> str:
    return f'<circle cx="{_n(x)}" cy="{_n(y)}" r="4" style="fill: {colour}"/>'


def goal_against_baseline(baseline: list[tuple[str, float]], goals: list[tuple[str, float]]) -> bytes:
    """Baseline periods as grey squares, goals as blue dots joined by a line, in time order. The axis fits the
    figures rather than starting at zero, so a goal of 3% better shows as a change, not as a flat row of bars
    (the caption says so)."""
    labels = [_label(p) for p, _ in baseline] + [_label(p) for p, _ in goals]
    values = [float(v) for _, v in baseline] + [float(v) for _, v in goals]
    width, height = min(7.5, 2.6 + 0.9 * len(labels)) * 72, 3.0 * 72
    low, high = min(values, default=0.0), max(values, default=1.0)
    span = (high - low) or abs(high) or 1.0
    low, high = low - 0.25 * span, high + 0.25 * span  # room above and below the points
    ticks = [t for t in _ticks(low, high, 5) if low <= t <= high]
    names = [plain_axis(t) for t in ticks]
    rotate = len(labels) > 4
    label_room = max([_text_width(label) for label in labels] or [0]) * 0.5 + _SIZE if rotate else _SIZE + 4
    left = 8 + max([_text_width(name) for name in names] or [0]) + 6
    right, top, bottom = width - 8, 8.0, height - 22 - label_room
    x = lambda i: left + (i + 0.5) / max(1, len(labels)) * (right - left)  # noqa: E731
    y = lambda v: bottom - (v - low) / (high - low) * (bottom - top)  # noqa: E731
    parts: list[str] = []
    for tick, name in zip(ticks, names):
        parts.append(_line(left, y(tick), right, y(tick), _GRID, 0.6))
        parts.append(_line(left - 3.5, y(tick), left, y(tick), _AXIS))
        parts.append(_text(left - 6, y(tick) + 0.35 * _SIZE, name, "end"))
    for i, label in enumerate(labels):
        parts.append(_line(x(i), bottom, x(i), bottom + 3.5, _AXIS))
        if rotate:
            ty = bottom + 3.5 + _SIZE
            parts.append(_text(x(i), ty, label, "end", extra=f' transform="rotate(-30 {_n(x(i))} {_n(ty)})"'))
        else:
            parts.append(_text(x(i), bottom + 3.5 + _SIZE + 1, label))
    parts.append(_line(left, top, left, bottom, _AXIS))
    parts.append(_line(left, bottom, right, bottom, _AXIS))
    goal_points = [(x(len(baseline) + i), y(v)) for i, v in enumerate(values[len(baseline):])]
    if len(goal_points) > 1:
        path = " L ".join(f"{_n(px)} {_n(py)}" for px, py in goal_points)
        parts.append(f'<path d="M {path}" style="fill: none; stroke: {PALETTE[0]}; stroke-width: 1.6"/>')
    parts += [_square(x(i), y(v), BASELINE_COLOUR) for i, v in enumerate(values[:len(baseline)])]
    parts += [_dot(px, py, PALETTE[0]) for px, py in goal_points]
    keyed = ([("Baseline", BASELINE_COLOUR)] if baseline else []) + ([("Goal", PALETTE[0])] if goals else [])
    marks = {BASELINE_COLOUR: _square, PALETTE[0]: _dot}
    parts += _legend(keyed, width, height - 8, lambda px, py, colour: marks[colour](px, py, colour))
    return _document(width, height, parts)
