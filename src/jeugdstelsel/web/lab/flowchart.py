"""The flow chart through the layers: referrers -> specialist youth care -> with/without a stay.

Drawn on the server as SVG like the line charts. Every edge carries its numbers as text
("reference -> plan"), so nothing depends on colour or line width; the table beside it has the
same numbers.
"""

from __future__ import annotations

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from jeugdstelsel.web.charts import nl_number

W, H = 800, 470
NODES = {
    # key: (column, row, label)
    "eerste_lijn": (0, 0, "Eerste lijn (nieuw)"),
    "huisarts": (0, 1, "Huisarts"),
    "jeugdarts": (0, 2, "Jeugdarts, geen verwijzer"),
    "medisch": (0, 3, "Medisch specialist"),
    "rechter": (0, 4, "Rechter, GI"),
    "afgerond": (1, 0, "Afgerond in de eerste lijn"),
    "specialistisch": (1, 2, "Specialistische jeugdhulp"),
    "zonder": (2, 1, "Zonder verblijf"),
    "met": (2, 3, "Met verblijf"),
}
EDGES = (
    ("eerste_lijn", "afgerond", "eerste_lijn_afgerond"),
    ("eerste_lijn", "specialistisch", "eerste_lijn_opgeschaald"),
    ("huisarts", "specialistisch", "huisarts"),
    ("jeugdarts", "specialistisch", "jeugdarts_geen_verwijzer"),
    ("medisch", "specialistisch", "medisch_specialist"),
    ("rechter", "specialistisch", "rechter_gi"),
    ("specialistisch", "zonder", "start_zonder_verblijf"),
    ("specialistisch", "met", "start_met_verblijf"),
)
EDGE_LABELS = {
    "eerste_lijn_afgerond": "Eerste lijn: afgerond zonder specialistische hulp",
    "eerste_lijn_opgeschaald": "Eerste lijn: opgeschaald naar specialistische hulp",
    "huisarts": "Verwezen door de huisarts",
    "jeugdarts_geen_verwijzer": "Verwezen door jeugdarts of zonder verwijzer",
    "medisch_specialist": "Verwezen door medisch specialist",
    "rechter_gi": "Via rechter of gecertificeerde instelling",
    "start_zonder_verblijf": "Gestart: specialistisch zonder verblijf",
    "start_met_verblijf": "Gestart: met verblijf",
    "herhaald_beroep": "Waarvan herhaald beroep",
}
BOX_W, BOX_H = 190, 52
COL_X = (10, 305, 600)


def _flow(value) -> str:
    """A flow per year: whole numbers, but a decimal below 10 so a small municipality's arrows
    do not all read "0 → 0" (issue 17, Vlieland)."""
    value = float(value or 0)
    if value == 0:
        return "0"
    return nl_number(value, 1 if abs(value) < 10 else 0)


def _pos(key: str) -> tuple[float, float]:
    col, row, _ = NODES[key]
    return COL_X[col], 20 + row * 88


def table_rows(flows: dict) -> list[tuple[str, float | None, float | None]]:
    keys = [e[2] for e in EDGES] + ["herhaald_beroep"]
    return [(EDGE_LABELS[k], flows["ref"].get(k), flows["plan"].get(k)) for k in keys]


def render(flows: dict, names: dict, chart_id: str = "stroomschema") -> SafeString:
    ref, plan = flows["ref"], flows["plan"]
    biggest = max([v or 0 for v in (*ref.values(), *plan.values())] + [1])
    cid = escape(chart_id)
    out = [
        f'<svg id="{cid}" class="grafiek stroom" viewBox="0 0 {W} {H}" role="img" '
        f'aria-labelledby="{cid}-t {cid}-d" xmlns="http://www.w3.org/2000/svg">',
        f'<title id="{cid}-t">Stromen door de lagen, {escape(names["ref"])} en '
        f'{escape(names["plan"])}</title>',
        f'<desc id="{cid}-d">Stroomschema van verwijzers via specialistische jeugdhulp naar '
        "hulp met en zonder verblijf. Bij elke pijl staan de aantallen per jaar: eerst "
        "de referentie, dan het plan. De cijfers staan ook in de tabel eronder.</desc>",
        '<defs><marker id="' + cid + '-pijl" viewBox="0 0 10 10" refX="9" refY="5" '
        'markerWidth="6" markerHeight="6" orient="auto-start-reverse"><path d="M0,0 L10,5 '
        'L0,10 z" fill="#333"/></marker></defs>',
    ]
    for source, target, key in EDGES:
        x0, y0 = _pos(source)
        x1, y1 = _pos(target)
        ax, ay = x0 + BOX_W, y0 + BOX_H / 2
        bx, by = x1 - 4, y1 + BOX_H / 2
        width = 2 + 22 * (plan.get(key) or 0) / biggest
        ref_w = 2 + 22 * (ref.get(key) or 0) / biggest
        mid = (ax + bx) / 2
        d = f"M{ax:.1f},{ay:.1f} C{mid:.1f},{ay:.1f} {mid:.1f},{by:.1f} {bx:.1f},{by:.1f}"
        out.append(f'<path d="{d}" fill="none" stroke="#9fbfdf" stroke-width="{width:.1f}" '
                   'stroke-opacity="0.8"/>')
        out.append(f'<path d="{d}" fill="none" stroke="#333" stroke-width="1.2" '
                   f'stroke-dasharray="{"5 3" if ref_w > width else "none"}" '
                   f'marker-end="url(#{cid}-pijl)"/>')
        # label at the start of its own arrow: above it when the arrow goes up or straight,
        # below it when it goes down, so two arrows from one box never share a spot
        lx = ax
        ly = ay - 7 if by <= ay else ay + 17
        text = f"{_flow(ref.get(key))} → {_flow(plan.get(key))}"
        out.append(f'<text x="{lx + 4:.1f}" y="{ly:.1f}" text-anchor="start" class="stroom-getal">'
                   f"{escape(text)}</text>")
    for key, (_, _, label) in NODES.items():
        x, y = _pos(key)
        out.append(f'<rect x="{x}" y="{y}" width="{BOX_W}" height="{BOX_H}" rx="6" '
                   'fill="#fff" stroke="#0b5394" stroke-width="2"/>')
        out.append(f'<text x="{x + BOX_W / 2}" y="{y + BOX_H / 2 + 5}" text-anchor="middle" '
                   f'class="stroom-knoop">{escape(label)}</text>')
    out.append("</svg>")
    return mark_safe("".join(out))
