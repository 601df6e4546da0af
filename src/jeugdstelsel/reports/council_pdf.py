"""Render the council report: Django templates -> HTML -> accessible PDF (WeasyPrint, PDF/UA-1).

The templates live in ``reports/templates/raadsrapport`` and are rendered with a standalone
:class:`django.template.Engine`, so the CLI needs no Django settings and the web lab renders the
very same files (it calls :func:`pdf_bytes`). WeasyPrint tags the PDF (structure tree, reading
order, table headers, figures with their ``alt`` text), embeds the fonts and declares PDF/UA-1
in the XMP metadata; the ``<html lang>`` and ``<title>`` become the document language and title.
"""

from __future__ import annotations

import base64
import functools
import tempfile
from pathlib import Path

TEMPLATES = Path(__file__).with_name("templates")
TEMPLATE = "raadsrapport/rapport.html"
STYLESHEET = TEMPLATES / "raadsrapport" / "rapport.css"
PDF_VARIANT = "pdf/ua-1"


@functools.lru_cache(maxsize=1)
def engine():
    """A template engine of its own: no settings module needed, autoescaping on."""
    from django.template import Engine

    return Engine(dirs=[str(TEMPLATES)], autoescape=True, debug=False,
                  string_if_invalid="", libraries={})


def render_html(ctx: dict, *, stylesheet: bool = True) -> str:
    """The report as one HTML document (charts must already be in ``ctx['figures']``)."""
    from django.template import Context

    data = {**ctx, "stylesheet": STYLESHEET.read_text(encoding="utf-8") if stylesheet else ""}
    # use_l10n=False: numbers arrive formatted (Dutch) and no settings module is needed
    return engine().get_template(TEMPLATE).render(Context(data, use_l10n=False, use_tz=False))


def _figures(ctx: dict, folder: Path) -> list[dict]:
    """Draw each chart as PNG and inline it (data URI), with its text alternative."""
    out = []
    for chart in ctx.get("charts", ()):
        path = chart.draw(folder / f"{chart.key}.png")
        uri = "data:image/png;base64," + base64.b64encode(Path(path).read_bytes()).decode()
        out.append({"title": chart.title, "alt": chart.alt, "caption": chart.caption,
                    "src": uri})
    return out


def pdf_bytes(ctx: dict) -> bytes:
    """The report as PDF/UA-1 bytes."""
    from weasyprint import HTML

    with tempfile.TemporaryDirectory(prefix="jeugdstelsel-rapport-") as tmp:
        html = render_html({**ctx, "figures": _figures(ctx, Path(tmp))})
        return HTML(string=html, base_url=tmp).write_pdf(
            pdf_variant=PDF_VARIANT, pdf_tags=True, custom_metadata=True, uncompressed_pdf=False)


def write_pdf(ctx: dict, path: Path) -> Path:
    """Write the report to ``path``."""
    path = Path(path)
    path.write_bytes(pdf_bytes(ctx))
    return path
