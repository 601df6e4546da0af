"""Server-side SVG line charts: no JavaScript, no CDN, readable without colour.

Why SVG on the server instead of a chart library: the pages work without scripts, print well,
are testable as plain HTML, and every series is told apart by colour *and* dash pattern *and*
marker shape (WCAG 1.4.1). Provisional figures get hollow markers, a trend break a labelled
vertical line, a target a labelled horizontal line, a model band a hatched area. Every chart
is shown beside a table with the same numbers (the templates do that).
"""

from __future__ import annotations

import math
import zlib
from dataclasses import dataclass, field

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from jeugdstelsel import numbers

# Colour-blind-safe palette (Okabe-Ito), each paired with a dash pattern and a marker shape.
STYLES = (
    ("#0b5394", "", "circle"),
    ("#b35900", "8 4", "square"),
    ("#1b7a4a", "2 4", "triangle"),
    ("#7a3c8c", "12 4 2 4", "diamond"),
    ("#333333", "4 2", "circle"),
)
# Band fills: a pattern each (diagonal hatch, dots, cross-hatch), so two scenarios' bands are
# told apart without colour; the colour follows the median line of the same scenario.
BAND_PATTERNS = (
    ('<line x1="0" y1="0" x2="0" y2="8" stroke="{c}" stroke-width="2"/>', 'rotate(45)'),
    ('<circle cx="4" cy="4" r="1.8" fill="{c}"/>', ''),
    ('<line x1="0" y1="0" x2="0" y2="8" stroke="{c}" stroke-width="1.5"/>'
     '<line x1="0" y1="4" x2="8" y2="4" stroke="{c}" stroke-width="1.5"/>', 'rotate(45)'),
)
W, H = 760, 380
LEFT, RIGHT, TOP, BOTTOM = 84, 24, 24, 36


@dataclass(frozen=True)
class Point:
    x: float
    y: float
    provisional: bool = False


@dataclass(frozen=True)
class Series:
    name: str
    points: tuple[Point, ...]


@dataclass(frozen=True)
class Band:
    """A model's uncertainty band: lower and upper bound at the same x values."""

    name: str
    xs: tuple[float, ...]
    lower: tuple[float, ...]
    upper: tuple[float, ...]
    colour: str = ""  # default: the colour of the series with the same position


@dataclass
class LineChart:
    title: str
    unit: str
    series: list[Series]
    vlines: list[tuple[float, str]] = field(default_factory=list)
    hlines: list[tuple[float, str]] = field(default_factory=list)
    band: Band | None = None
    bands: list[Band] = field(default_factory=list)  # more bands, each with its own pattern
    zero_based: bool = True
    x_is_year: bool = True


def nl_number(value: float, decimals: int | None = None) -> str:
    """Dutch number notation: 476.560 and 12,5."""
    if decimals is None:
        decimals = 0 if float(value).is_integer() or abs(value) >= 100 else 1
    if round(value, decimals) == 0:
        value = 0.0  # never "-0"
    return numbers.nl_number(value, decimals)


def _nice_step(span: float, target: int = 5) -> float:
    raw = span / max(target, 1)
    mag = 10 ** math.floor(math.log10(raw)) if raw > 0 else 1
    for mult in (1, 2, 2.5, 5, 10):
        if raw <= mult * mag:
            return mult * mag
    return 10 * mag


def _marker(shape: str, x: float, y: float, colour: str, hollow: bool) -> str:
    fill = "#ffffff" if hollow else colour
    common = f'fill="{fill}" stroke="{colour}" stroke-width="2"'
    if shape == "square":
        return f'<rect x="{x - 4.5:.1f}" y="{y - 4.5:.1f}" width="9" height="9" {common}/>'
    if shape == "triangle":
        pts = f"{x:.1f},{y - 6:.1f} {x - 5.5:.1f},{y + 4.5:.1f} {x + 5.5:.1f},{y + 4.5:.1f}"
        return f'<polygon points="{pts}" {common}/>'
    if shape == "diamond":
        pts = f"{x:.1f},{y - 6:.1f} {x + 6:.1f},{y:.1f} {x:.1f},{y + 6:.1f} {x - 6:.1f},{y:.1f}"
        return f'<polygon points="{pts}" {common}/>'
    return f'<circle cx="{x:.1f}" cy="{y:.1f}" r="5" {common}/>'


def _x_label(x: float, x_is_year: bool) -> str:
    return str(round(x)) if x_is_year else f"{x:.1f}"


def _bands(chart: LineChart) -> list[Band]:
    return ([chart.band] if chart.band else []) + list(chart.bands)


def _band_styles(chart: LineChart) -> list[tuple[Band, str]]:
    """Each band with its colour: grey for the single model band, else its scenario's colour."""
    bands = _bands(chart)
    if len(bands) == 1 and chart.band is not None:
        return [(bands[0], "#6b6b6b")]
    return [(b, b.colour or STYLES[i % len(STYLES)][0]) for i, b in enumerate(bands)]


def _pattern(pid: str, index: int, colour: str) -> str:
    shape, transform = BAND_PATTERNS[index % len(BAND_PATTERNS)]
    attr = f' patternTransform="{transform}"' if transform else ""
    return (f'<pattern id="{pid}" width="8" height="8" patternUnits="userSpaceOnUse"{attr}>'
            f"{shape.format(c=colour)}</pattern>")


def render(chart: LineChart, chart_id: str) -> SafeString:
    """The chart as an accessible inline SVG (``role="img"`` with a title and description)."""
    xs = [p.x for s in chart.series for p in s.points]
    ys = [p.y for s in chart.series for p in s.points] + [y for y, _ in chart.hlines]
    all_bands = _bands(chart)
    for b in all_bands:
        xs += list(b.xs)
        ys += list(b.lower) + list(b.upper)
    if not xs:
        return mark_safe(f'<p class="leeg" id="{escape(chart_id)}">Geen gegevens om te tonen.</p>')
    x0, x1 = min(xs), max(xs)
    if x1 == x0:
        x0, x1 = x0 - 1, x1 + 1
    pad = 0.3 if chart.x_is_year else (x1 - x0) * 0.04
    x0, x1 = x0 - pad, x1 + pad
    y_lo, y_hi = min(ys), max(ys)
    if chart.zero_based:
        y_lo = min(0.0, y_lo)
    step = _nice_step((y_hi - y_lo) or abs(y_hi) or 1)
    y0 = math.floor(y_lo / step) * step
    y1 = math.ceil(y_hi * 1.0001 / step) * step
    if y1 <= y_hi:
        y1 += step
    pw, ph = W - LEFT - RIGHT, H - TOP - BOTTOM

    def sx(x: float) -> float:
        return LEFT + (x - x0) / (x1 - x0) * pw

    def sy(y: float) -> float:
        return TOP + (1 - (y - y0) / (y1 - y0)) * ph

    cid = escape(chart_id)
    out = [
        f'<svg id="{cid}" class="grafiek" viewBox="0 0 {W} {H}" role="img" '
        f'aria-labelledby="{cid}-t {cid}-d" xmlns="http://www.w3.org/2000/svg">',
        f'<title id="{cid}-t">{escape(chart.title)}</title>',
        f'<desc id="{cid}-d">Lijngrafiek in {escape(chart.unit)}. De cijfers staan ook in de '
        "tabel bij deze grafiek.</desc>",
        "<defs>" + "".join(_pattern(f"{cid}-band{i}", i, c) for i, (_, c) in
                           enumerate(_band_styles(chart))) + "</defs>",
    ]
    # Grid and y axis
    n = round((y1 - y0) / step)
    for i in range(n + 1):
        v = y0 + i * step
        y = sy(v)
        out.append(f'<line x1="{LEFT}" x2="{W - RIGHT}" y1="{y:.1f}" y2="{y:.1f}" class="raster"/>')
        out.append(
            f'<text x="{LEFT - 8}" y="{y + 4:.1f}" text-anchor="end" class="as">'
            f"{nl_number(v)}</text>"
        )
    # X axis ticks
    if chart.x_is_year:
        ticks = list(range(math.ceil(x0), math.floor(x1) + 1))
        stride = max(1, math.ceil(len(ticks) / 12))
        for t in ticks[::stride]:
            out.append(
                f'<text x="{sx(t):.1f}" y="{H - BOTTOM + 20}" text-anchor="middle" '
                f'class="as">{t}</text>'
            )
    out.append(
        f'<line x1="{LEFT}" x2="{W - RIGHT}" y1="{sy(y0):.1f}" y2="{sy(y0):.1f}" class="as-lijn"/>'
    )
    for i, (b, colour) in enumerate(_band_styles(chart)):
        upper = " ".join(f"{sx(x):.1f},{sy(y):.1f}" for x, y in zip(b.xs, b.upper, strict=True))
        lower = " ".join(
            f"{sx(x):.1f},{sy(y):.1f}"
            for x, y in zip(reversed(b.xs), reversed(b.lower), strict=True)
        )
        out.append(
            f'<polygon points="{upper} {lower}" fill="url(#{cid}-band{i})" '
            f'fill-opacity="0.55" stroke="{colour}" stroke-dasharray="3 3">'
            f"<title>{escape(b.name)}</title></polygon>"
        )
    for x, label in chart.vlines:
        if x0 <= x <= x1:
            out.append(
                f'<line x1="{sx(x):.1f}" x2="{sx(x):.1f}" y1="{TOP}" y2="{sy(y0):.1f}" '
                'class="breuk"/>'
            )
            out.append(
                f'<text x="{sx(x) + 6:.1f}" y="{TOP + 14}" class="breuk-tekst">'
                f"{escape(label)}</text>"
            )
    for y, label in chart.hlines:
        out.append(
            f'<line x1="{LEFT}" x2="{W - RIGHT}" y1="{sy(y):.1f}" y2="{sy(y):.1f}" '
            'class="doellijn"/>'
        )
        out.append(
            f'<text x="{LEFT + 6}" y="{sy(y) - 6:.1f}" class="doel-tekst">{escape(label)}</text>'
        )
    for i, s in enumerate(chart.series):
        colour, dash, shape = STYLES[i % len(STYLES)]
        pts = sorted(s.points, key=lambda p: p.x)
        path = " ".join(f"{sx(p.x):.1f},{sy(p.y):.1f}" for p in pts)
        dash_attr = f' stroke-dasharray="{dash}"' if dash else ""
        out.append(f'<g class="reeks"><title>{escape(s.name)}</title>')
        if len(pts) > 1:
            out.append(
                f'<polyline points="{path}" fill="none" stroke="{colour}" '
                f'stroke-width="2.5"{dash_attr}/>'
            )
        for p in pts:
            out.append(_marker(shape, sx(p.x), sy(p.y), colour, p.provisional))
        out.append("</g>")
    out.append("</svg>")
    return mark_safe("".join(out))


def legend(chart: LineChart) -> SafeString:
    """An HTML legend (it wraps on small screens): line sample with dash and marker, then name."""
    items = []
    for i, s in enumerate(chart.series):
        colour, dash, shape = STYLES[i % len(STYLES)]
        dash_attr = f' stroke-dasharray="{dash}"' if dash else ""
        sample = (
            f'<svg width="40" height="14" viewBox="0 0 40 14" aria-hidden="true" '
            f'focusable="false"><line x1="2" x2="38" y1="7" y2="7" stroke="{colour}" '
            f'stroke-width="2.5"{dash_attr}/>{_marker(shape, 20, 7, colour, False)}</svg>'
        )
        items.append(f"<li>{sample} {escape(s.name)}</li>")
    if any(p.provisional for s in chart.series for p in s.points):
        sample = (
            '<svg width="40" height="14" viewBox="0 0 40 14" aria-hidden="true" '
            f'focusable="false">{_marker("circle", 20, 7, "#333333", True)}</svg>'
        )
        items.append(f"<li>{sample} open symbool: voorlopig cijfer</li>")
    words = ("schuin gearceerd", "gestippeld", "geruit")
    for i, (b, colour) in enumerate(_band_styles(chart)):
        pid = f"leg-{zlib.crc32(chart.title.encode())}-{i}"
        sample = (
            '<svg width="40" height="14" viewBox="0 0 40 14" aria-hidden="true" '
            f'focusable="false"><defs>{_pattern(pid, i, colour)}</defs>'
            f'<rect x="2" y="1" width="36" height="12" fill="url(#{pid})" '
            f'stroke="{colour}" stroke-dasharray="3 3"/></svg>'
        )
        items.append(f"<li>{sample} {escape(b.name)} ({words[i % len(words)]})</li>")
    for _, label in chart.hlines:
        sample = (
            '<svg width="40" height="14" viewBox="0 0 40 14" aria-hidden="true" '
            'focusable="false"><line x1="2" x2="38" y1="7" y2="7" stroke="#a50021" '
            'stroke-width="2" stroke-dasharray="6 3"/></svg>'
        )
        items.append(f"<li>{sample} {escape(label)}</li>")
    return mark_safe('<ul class="legenda">' + "".join(items) + "</ul>")
