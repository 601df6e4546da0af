"""The council report (PDF, Dutch): question, scenarios and levers, results, drivers, money.

Built with reportlab's platypus from a finished comparison, cost-effectiveness and sensitivity;
no computation happens here, so the report shows exactly what the CSV and Excel files hold.
"""

from __future__ import annotations

import datetime as dt
import math
from pathlib import Path
from xml.sax.saxutils import escape

import pandas as pd
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
from reportlab.lib.units import cm
from reportlab.platypus import (
    Image,
    KeepTogether,
    PageBreak,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

from jeugdstelsel.numbers import nl_number
from jeugdstelsel.services.compare import INDICATORS_BY_KEY, Comparison
from jeugdstelsel.services.provenance import Provenance
from jeugdstelsel.services.provenance import of as provenance_of
from jeugdstelsel.services.sensitivity import SensitivityResult

QUESTION = ("Als we in elke huisartsenpraktijk een POH-jeugd zetten, op elke school jeugdhulp "
            "bieden en meerjarige contracten sluiten met een paar aanbieders, wat gebeurt er dan "
            "met het aantal kinderen in specialistische zorg, de wachtlijsten en ons budget in de "
            "volgende raadsperiode - en hoe zeker weten we dat?")
HEADLINE = ("specialistisch", "specialistisch_met_verblijf", "eerste_lijn", "herhaald_beroep_pct",
            "wachttijd_weken", "verblijf_plaatsingen", "uitgaven", "uitgaven_hefbomen",
            "uitgaven_per_jongere")


def nl(x: float, digits: int = 0, signed: bool = False) -> str:
    """Dutch number format: 1.234,5; '-' for missing values."""
    return nl_number(x, digits, signed=signed)


def _money(x: float, signed: bool = False) -> str:
    return f"€ {nl(x / 1e6, 1, signed)} mln"


def _value(key: str, x: float, signed: bool = False) -> str:
    unit = INDICATORS_BY_KEY[key].unit
    if unit == "euro":
        return _money(x, signed)
    digits = 1 if unit in ("weken", "% van gestarte trajecten") else 0
    return nl(x, digits, signed)


def _styles() -> dict[str, ParagraphStyle]:
    base = getSampleStyleSheet()
    return {
        "title": ParagraphStyle("t", parent=base["Title"], fontSize=18, spaceAfter=6),
        "h1": ParagraphStyle("h1", parent=base["Heading2"], fontSize=13, spaceBefore=8,
                             spaceAfter=4),
        "body": ParagraphStyle("b", parent=base["BodyText"], fontSize=9.5, leading=12.5),
        "small": ParagraphStyle("s", parent=base["BodyText"], fontSize=7.5, leading=9.5),
        "cell": ParagraphStyle("c", parent=base["BodyText"], fontSize=7.5, leading=9),
        "quote": ParagraphStyle("q", parent=base["BodyText"], fontSize=9.5, leading=12.5,
                                leftIndent=12, textColor=colors.HexColor("#333333"),
                                fontName="Helvetica-Oblique"),
    }


HEAD = ParagraphStyle("head", fontName="Helvetica-Bold", fontSize=7.5, leading=9)


def _table(data: list[list], widths: list[float], header_rows: int = 1) -> Table:
    """A striped table; header strings wrap (as paragraphs) instead of running into each other."""
    data = [[Paragraph(escape(c), HEAD) if isinstance(c, str) else c for c in row]
            if i < header_rows else row for i, row in enumerate(data)]
    t = Table(data, colWidths=widths, repeatRows=header_rows)
    t.setStyle(TableStyle([
        ("FONT", (0, 0), (-1, -1), "Helvetica", 7.5),
        ("FONT", (0, 0), (-1, header_rows - 1), "Helvetica-Bold", 7.5),
        ("BACKGROUND", (0, 0), (-1, header_rows - 1), colors.HexColor("#E8EEF4")),
        ("LINEBELOW", (0, header_rows - 1), (-1, header_rows - 1), 0.6, colors.black),
        ("ROWBACKGROUNDS", (0, header_rows), (-1, -1), [colors.white,
                                                         colors.HexColor("#F6F6F6")]),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("ALIGN", (1, header_rows), (-1, -1), "RIGHT"),
        ("LEFTPADDING", (0, 0), (-1, -1), 3), ("RIGHTPADDING", (0, 0), (-1, -1), 3),
    ]))
    return t


def _answer(comp: Comparison, term: pd.DataFrame, eff: pd.DataFrame, st) -> list:
    out = []
    for res in comp.results[1:]:
        t = term[term["scenario"] == res.name].set_index("indicator")
        e = eff[(eff["scenario"] == res.name) & (eff["onderdeel"] == "hele scenario")]

        def phrase(key: str, t=t) -> str:
            r = t.loc[key]
            return (f"{_value(key, r['verschil_mediaan'], True)} (80%-interval "
                    f"{_value(key, r['verschil_p10'], True)} tot "
                    f"{_value(key, r['verschil_p90'], True)})")

        text = (f"<b>{escape(res.name)}</b>: in de raadsperiode {t['raadsperiode'].iloc[0]} "
                f"gemiddeld {phrase('specialistisch')} jongeren per jaar in specialistische "
                f"jeugdhulp, een wachttijd van {phrase('wachttijd_weken')} weken en "
                f"{phrase('uitgaven')} uitgaven over de hele periode, de kosten van de "
                f"maatregelen inbegrepen.")
        if len(e):
            r = e.iloc[0]
            text += (f" Kans dat het plan in deze periode geld bespaart: "
                     f"{nl(100 * r['kans_besparing_raadsperiode'])}%; kans dat het binnen "
                     f"{comp.years[0]}-{comp.years[-1]} is terugverdiend: "
                     f"{nl(100 * r['kans_terugverdiend_binnen_periode'])}%.")
        out.append(Paragraph(text, st["body"]))
        out.append(Spacer(1, 4))
    return out


def write_report(comp: Comparison, path: Path, *, term: pd.DataFrame, effectiveness: pd.DataFrame,
                 sensitivity: SensitivityResult | None, charts: dict[str, Path],
                 question: str = QUESTION, provenance: Provenance | None = None) -> Path:
    """Write the PDF; ``charts`` maps 'verschillen', 'banden', 'stromen', 'tornado', 'sobol'.

    The last section (colophon) names the tool version, calibration, data vintage and seed
    (``provenance``; by default the comparison's own, see :func:`provenance.of`).
    """
    prov = provenance or provenance_of(comp)
    st = _styles()
    doc = SimpleDocTemplate(str(path), pagesize=A4, leftMargin=1.8 * cm, rightMargin=1.8 * cm,
                            topMargin=1.6 * cm, bottomMargin=1.6 * cm,
                            title=f"Scenariovergelijking jeugdzorg {comp.area_name}",
                            author="jeugdstelsel")
    width = A4[0] - 3.6 * cm
    story: list = []
    term_label = term["raadsperiode"].iloc[0]
    story += [Paragraph(f"Scenariovergelijking jeugdzorg — {escape(comp.area_name)}", st["title"]),
              Paragraph(f"Gemaakt op {dt.date.today():%d-%m-%Y} met jeugdstelsel "
                        f"{escape(prov.tool_version)}; "
                        f"{comp.n_draws} trekkingen met gemeenschappelijke toevalsgetallen, "
                        f"zaad {comp.base.scenario.simulatie.zaad}; referentie: "
                        f"{escape(comp.base.name)}.", st["small"]),
              Paragraph("De vraag", st["h1"]), Paragraph(escape(question), st["quote"]),
              Paragraph("Het korte antwoord", st["h1"])]
    story += _answer(comp, term, effectiveness, st)
    story.append(Paragraph(
        "Alle verschillen zijn per trekking berekend (dezelfde modelparameters en "
        "effectgroottes in beide scenario's) en daarna samengevat: de mediaan en het "
        "80%-interval waarin het verschil in 8 van de 10 trekkingen valt. Het model is een "
        "vereenvoudiging; de bandbreedtes tonen de onzekerheid van de aannames, niet alle "
        "onzekerheid van de werkelijkheid.", st["small"]))
    # scenarios and levers
    story.append(Paragraph("De scenario's en hun hefbomen", st["h1"]))
    rows = [["Scenario", "Hefboom", "Dosis", "Start", "Werking (per eenheid dosis)",
             "Bron in de seeds"]]
    for res in comp.results:
        if not res.plan.active:
            rows.append([Paragraph(escape(res.name), st["cell"]), "geen (referentie)", "", "",
                         "", ""])
        for a in res.plan.active:
            lv = a.lever
            effects = "; ".join(f"{e.parameter} {e.bewerking} {e.per_eenheid[0]:g} tot "
                                f"{e.per_eenheid[1]:g}" for e in lv.all_effects)
            src = lv.bronnen[0]
            rows.append([Paragraph(escape(res.name), st["cell"]),
                         Paragraph(escape(lv.naam), st["cell"]),
                         Paragraph(f"{nl(a.use.dosis, 2)} {escape(lv.dosis.eenheid)}",
                                   st["cell"]), str(a.use.start),
                         Paragraph(escape(effects), st["cell"]),
                         Paragraph(f"seed {src.seed[:3]}: '{escape(src.passage)}'", st["cell"])])
    story.append(_table(rows, [w * width for w in (0.15, 0.15, 0.15, 0.06, 0.22, 0.27)]))
    story.append(Spacer(1, 4))
    story.append(Paragraph(
        "Effecten en kosten per hefboom staan met hun onderbouwing in de hefboombibliotheek "
        "('jeugdstelsel levers'); waar geen studie of cijfer bestaat staat er een gelabelde "
        "aanname met redenering. Effectgroottes worden per trekking uit hun band getrokken.",
        st["small"]))
    # headline differences
    story.append(PageBreak())
    story.append(Paragraph(f"Verschillen in de raadsperiode {term_label}", st["h1"]))
    for res in comp.results[1:]:
        t = term[term["scenario"] == res.name].set_index("indicator")
        rows = [["Uitkomst", "Referentie", "Scenario", "Verschil (mediaan)", "80%-interval",
                 "Kans lager"]]
        for key in HEADLINE:
            r = t.loc[key]
            ind = INDICATORS_BY_KEY[key]
            how = "totaal" if ind.term == "som" else "per jaar"
            rows.append([Paragraph(f"{escape(ind.label_nl)} ({how})", st["cell"]),
                         _value(key, r["referentie_mediaan"]),
                         _value(key, r["scenario_mediaan"]),
                         _value(key, r["verschil_mediaan"], True),
                         f"{_value(key, r['verschil_p10'], True)} tot "
                         f"{_value(key, r['verschil_p90'], True)}",
                         f"{nl(100 * r['kans_lager'])}%"])
        story.append(KeepTogether([Paragraph(f"<b>{escape(res.name)}</b> tegen "
                                             f"{escape(comp.base.name)}", st["body"]),
                                   _table(rows, [w * width for w in
                                                 (0.33, 0.12, 0.12, 0.13, 0.2, 0.1)]),
                                   Spacer(1, 6)]))
    if "verschillen" in charts:
        story.append(Image(str(charts["verschillen"]), width=width, height=width * 6.8 / 12))
    story.append(PageBreak())
    story.append(Paragraph("De scenario's over de jaren", st["h1"]))
    if "banden" in charts:
        story.append(Image(str(charts["banden"]), width=width, height=width * 6.8 / 12))
    if "stromen" in charts:
        n = len(comp.results)
        story.append(Paragraph("Waar kinderen heen gaan", st["h1"]))
        story.append(Image(str(charts["stromen"]), width=width,
                           height=width * 5.4 / (4.6 * n)))
        story.append(Paragraph(
            "Links hoe een traject begint (via de eerste lijn, een verwijzer of herhaald beroep), "
            "in het midden of het in de eerste lijn wordt afgerond of naar specialistische hulp "
            "gaat, rechts met of zonder verblijf. Breedte: jongeren per jaar.", st["small"]))
    # drivers
    story.append(PageBreak())
    story.append(Paragraph("Welke aannames bepalen de uitkomst?", st["h1"]))
    if sensitivity is not None:
        story.append(Paragraph(
            f"Gevoeligheid van {'het effect van de hefbomen in ' * sensitivity.effect_of_levers}"
            f"<b>{escape(sensitivity.scenario)}</b> over {sensitivity.term}. Elke aanname "
            "is afzonderlijk naar haar onder- en bovengrens gezet (tornado); de Sobol-analyse "
            "verdeelt de onzekerheid over de belangrijkste aannames tegelijk.", st["body"]))
        tor = sensitivity.tornado
        rows = [["Uitkomst", "Aanname", "Bij ondergrens", "Bij bovengrens", "Centraal"]]
        for _, g in tor.groupby("indicator", sort=False):
            for _, r in g.nlargest(4, "bereik").iterrows():
                rows.append([Paragraph(escape(r["uitkomst"]), st["cell"]),
                             Paragraph(escape(r["label"]), st["cell"]),
                             nl(r["laag"], 1), nl(r["hoog"], 1), nl(r["centraal"], 1)])
        story.append(_table(rows, [w * width for w in (0.32, 0.35, 0.11, 0.11, 0.11)]))
        story.append(Spacer(1, 6))
        if "tornado" in charts:
            story.append(Image(str(charts["tornado"]), width=width * 0.62,
                               height=width * 0.62 * 9.3 / 9))
        if "sobol" in charts:
            story.append(PageBreak())
            story.append(Image(str(charts["sobol"]), width=width * 0.86,
                               height=width * 0.86 * 9.3 / 9))
    # money
    story.append(PageBreak())
    story.append(Paragraph("Kosteneffectiviteit", st["h1"]))
    rows = [["Scenario / hefboom", "Netto uitgaven raadsperiode", "Vermeden specialistische "
             "trajecten", "Kosten hefbomen per vermeden traject", "Kans besparing",
             "Terugverdiend (mediaan jaar)"]]
    for _, r in effectiveness.iterrows():
        label = (r["scenario"] if r["onderdeel"] == "hele scenario"
                 else f"  alleen: {r['onderdeel']}")
        be = r["terugverdienjaar_mediaan"]
        rows.append([Paragraph(escape(label), st["cell"]),
                     Paragraph(f"{_money(r['netto_uitgaven_mediaan'], True)}<br/>"
                               f"({_money(r['netto_uitgaven_p10'], True)} tot "
                               f"{_money(r['netto_uitgaven_p90'], True)})", st["cell"]),
                     Paragraph(f"{nl(r['vermeden_trajecten_mediaan'])}<br/>"
                               f"({nl(r['vermeden_trajecten_p10'])} tot "
                               f"{nl(r['vermeden_trajecten_p90'])})", st["cell"]),
                     Paragraph(f"€ {nl(r['bruto_euro_per_vermeden_traject_mediaan'])}", st["cell"]),
                     f"{nl(100 * r['kans_besparing_raadsperiode'])}%",
                     "niet in periode" if math.isinf(be) or math.isnan(be) else str(int(be))])
    story.append(_table(rows, [w * width for w in (0.27, 0.2, 0.16, 0.14, 0.1, 0.13)]))
    story.append(Spacer(1, 6))
    story.append(Paragraph(
        "Netto uitgaven: zorgkosten plus kosten van de hefbomen minus de referentie (negatief = "
        "besparing). Kosten per vermeden traject: de eigen kosten van de hefbomen gedeeld door "
        "het aantal specialistische trajecten dat niet start, over de trekkingen waarin trajecten "
        "worden vermeden. 'Alleen'-regels zetten één hefboom in; de som van de losse hefbomen is "
        "niet gelijk aan het plan, omdat hefbomen dezelfde kinderen bereiken en preventie in "
        "samenhang sterker werkt. Terugverdiend: het eerste jaar vanaf waar de opgetelde netto "
        "uitgaven sinds de start onder nul blijven.", st["small"]))
    story.append(Paragraph("Wat het model niet weet", st["h1"]))
    story.append(Paragraph(
        "De meeste effectgroottes van hefbomen zijn aannames (gelabeld in de bibliotheek): "
        "er zijn weinig Nederlandse studies die het effect op jeugdzorggebruik meten. De "
        "gevoeligheidsanalyse laat zien welke aannames het antwoord bepalen; dat zijn de eerste "
        "kandidaten om lokaal te meten (Kwaliteitskompas, seed 003). Kosten buiten het "
        "jeugdbudget (onderwijs, Wmo, justitie) en baten buiten de jeugdzorg vallen buiten het "
        "model.", st["body"]))
    story += colophon(prov, st)
    doc.build(story, onFirstPage=_footer, onLaterPages=_footer)
    return path


def colophon(prov: Provenance, st: dict[str, ParagraphStyle] | None = None) -> list:
    """The colophon: where every number in the report comes from (issue 13, item 5)."""
    st = st or _styles()
    out: list = [Paragraph("Verantwoording", st["h1"]),
                 Paragraph("Dit rapport is gemaakt met:", st["small"])]
    for line in prov.lines_nl():
        indent = line.startswith("  ")
        out.append(Paragraph(("&nbsp;&nbsp;&nbsp;&nbsp;" if indent else "")
                             + escape(line.strip()), st["small"]))
    out.append(Paragraph(
        "Met dezelfde versie, kalibratie, gegevens (hash), scenario's en hetzelfde zaad geeft "
        "het model dezelfde getallen. Dezelfde gegevens staan in meta.json en in de Excel-"
        "werkmap (blad 'toelichting').", st["small"]))
    return out


def _footer(canvas, doc) -> None:
    canvas.saveState()
    canvas.setFont("Helvetica", 7)
    canvas.drawString(1.8 * cm, 1.0 * cm, "jeugdstelsel — scenariovergelijking")
    canvas.drawRightString(A4[0] - 1.8 * cm, 1.0 * cm, f"pagina {doc.page}")
    canvas.restoreState()
