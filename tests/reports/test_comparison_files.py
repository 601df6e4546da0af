"""A comparison's files and workbook carry provenance; the workbook explains every column."""

from __future__ import annotations

import json

import pytest

from jeugdstelsel.reports.files import prepare_output
from jeugdstelsel.services import scenario as S

BASE = """
[scenario]
naam = "{naam}"
[periode]
start = 2024
eind = 2029
[gebied]
gemeente = "Utrecht"
[simulatie]
trekkingen = 20
zaad = 11
"""
LEVER = '\n[[hefbomen]]\nnaam = "poh_jeugd"\ndosis = 0.6\nstart = 2025\n'


@pytest.fixture(scope="module")
def comp():
    from jeugdstelsel.services.compare import compare_scenarios

    pairs = [("basis.toml", S.parse(BASE.format(naam="basis"), "basis.toml")),
             ("plan.toml", S.parse(BASE.format(naam="plan") + LEVER, "plan.toml"))]
    return compare_scenarios(pairs, per_lever=True)


def test_comparison_folder_has_meta_with_provenance_and_excel_csvs(comp, tmp_path):
    from jeugdstelsel.reports.bundle import write_comparison
    from jeugdstelsel.reports.tables import read_excel_csv

    folder = prepare_output(tmp_path / "vergelijking")
    with folder.writing() as tmp:
        write_comparison(comp, tmp, 2026)
    out = tmp_path / "vergelijking"
    meta = json.loads((out / "meta.json").read_text(encoding="utf-8"))
    h = meta["herkomst"]
    assert h["zaad"] == 11 and h["trekkingen"] == 20 and h["versie"]
    assert [s["bestand"] for s in h["scenarios"]] == ["basis.toml", "plan.toml"]
    assert h["gemeentegegevens"]["indeling"] == 2024
    raw = (out / "verschillen_per_jaar.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    table = read_excel_csv(out / "verschillen_per_jaar.csv")
    assert table["verschil_mediaan"].dtype.kind == "f"
    text = raw.decode("utf-8-sig")
    assert ";-0,0;" not in text and ";-0;" not in text


def test_workbook_formats_notes_and_provenance(comp, tmp_path):
    from openpyxl import load_workbook

    from jeugdstelsel.reports.excel import NOTES_SHEET, write_workbook
    from jeugdstelsel.services.effectiveness import cost_effectiveness
    from jeugdstelsel.services.provenance import of

    path = write_workbook(comp, tmp_path / "rapport.xlsx", term=comp.term(2026),
                          effectiveness=cost_effectiveness(comp, 2026))
    wb = load_workbook(path)
    assert wb.sheetnames[0] == NOTES_SHEET
    notes = [[c for c in row if c is not None] for row in wb[NOTES_SHEET].iter_rows(
        values_only=True)]
    flat = "\n".join(" | ".join(str(c) for c in row) for row in notes)
    p = of(comp)
    for needle in (f"jeugdstelsel {p.tool_version}", p.calibration_hash, p.figures_hash,
                   "zaad: 11"):
        assert needle in flat
    # every column of every data sheet is explained
    explained = {(r[0], r[1]) for r in wb[NOTES_SHEET].iter_rows(values_only=True)
                 if r[0] and r[1]}
    for name in wb.sheetnames[1:]:
        ws = wb[name]
        assert ws.freeze_panes is not None and ws.freeze_panes != "A1"
        for cell in ws[1]:
            key = cell.value if not str(cell.value).isdigit() else f"{cell.value} ..."
            if str(cell.value).isdigit() and (name, key) not in explained:
                continue  # year columns are explained once per sheet
            assert (name, key) in explained, (name, cell.value)
    ws = wb["verschillen per jaar"]
    header = [c.value for c in ws[1]]
    kans = header.index("kans_lager") + 1
    assert ws.cell(row=2, column=kans).number_format == "0%"
    med = header.index("referentie_mediaan") + 1
    assert ws.cell(row=2, column=med).number_format in ("#,##0", "#,##0.0")
    for row in ws.iter_rows(min_row=2, values_only=True):
        for v in row:
            assert not (isinstance(v, float) and v == 0 and str(v).startswith("-"))


def test_pdf_colophon_names_the_provenance(comp):
    from jeugdstelsel.reports.council_pdf import pdf_bytes, render_html
    from jeugdstelsel.services.council_report import context
    from jeugdstelsel.services.effectiveness import cost_effectiveness
    from jeugdstelsel.services.provenance import of

    p = of(comp)
    ctx = context(comp, 2026, term=comp.term(2026), effectiveness=cost_effectiveness(comp, 2026))
    html = render_html({**ctx, "figures": []})
    for needle in ("Colofon", p.tool_version, p.calibration_hash, p.figures_hash,
                   "zaad: 11", "basis.toml"):
        assert needle in html
    assert pdf_bytes(ctx).startswith(b"%PDF")
