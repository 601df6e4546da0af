"""The Algoritmeregister description of this tool, from fixed text plus the model's declaration.

Why generated: a municipality that uses a forecasting model must publish it in the national
Algoritmeregister (DESIGN section 5). The parts that describe the model itself (method,
assumptions, holdout error, limits) come from ``modelbridge.model_declaration()`` so they cannot
drift from the model; until that is available the description says so instead of guessing.
"""

from __future__ import annotations

from typing import Any

from jeugdstelsel.data import refdata
from jeugdstelsel.web import modelbridge

NOT_AVAILABLE = (
    "Nog niet beschikbaar: het rekenmodel is in deze installatie nog niet aangesloten. "
    "Dit onderdeel wordt automatisch gevuld uit de modelbeschrijving zodra het model er is."
)


def data_sources() -> list[dict[str, str]]:
    """Every source of the embedded figures, with how many figures came from it."""
    frame = refdata.load_figures()
    grouped = frame.groupby(["source_title", "source_url"]).size().reset_index(name="n")
    return [
        {"title": t, "url": u, "figures": int(n)}
        for t, u, n in grouped.sort_values("source_title").itertuples(index=False, name=None)
    ]


def register_entry() -> dict[str, Any]:
    """The fields of an Algoritmeregister entry, in Dutch, ready for the page and the download."""
    declaration = modelbridge.model_declaration()
    model = declaration.value if declaration.available else None

    def from_model(key: str) -> Any:
        if model is None:
            return NOT_AVAILABLE
        return model.get(key) or "Niet opgegeven in de modelbeschrijving."

    return {
        "naam": "Jeugdstelsel — zien, simuleren en sturen van het jeugdstelsel",
        "doel": (
            "Gemeenten en hun partners inzicht geven in het gebruik van jeugdzorg in hun "
            "gemeente, de verwachte ontwikkeling en het effect van beleidskeuzes op groepen "
            "jongeren, om beleid te maken en te evalueren (Kwaliteitskompas)."
        ),
        "geen_besluiten_over_personen": (
            "Het model rekent met totalen en groepen, nooit met gegevens van individuele "
            "jongeren of gezinnen. Het wordt niet gebruikt om besluiten over personen te nemen."
        ),
        "menselijke_tussenkomst": (
            "Uitkomsten zijn verkenningen met een onzekerheidsmarge. Beleidsadviseurs en de "
            "gemeenteraad wegen ze samen met partners en andere kennis; het model beslist niets."
        ),
        "gegevens_en_bronnen": {
            "omschrijving": (
                "Openbare, geaggregeerde cijfers van CBS en NJi (CC-BY 4.0) en cijfers die de "
                "gemeente zelf invoert. Geen persoonsgegevens."
            ),
            "bronnen": data_sources(),
        },
        "methode": from_model("method"),
        "aannames": from_model("assumptions"),
        "toetsing_voorspelfout": from_model("holdout"),
        "beperkingen": [
            "Trendbreuk 2021: vanaf 2021 leveren meer aanbieders cijfers aan het CBS; cijfers "
            "van voor en na 2021 zijn niet zonder correctie vergelijkbaar.",
            "Voorlopige CBS-cijfers vallen bij de definitieve publicatie vaak 1-2% hoger uit.",
            "Wachttijden en trajectduren worden niet landelijk gepubliceerd en zijn daarom "
            "onzekere aannames.",
        ]
        + ([] if model is None else list(model.get("limits") or [])),
        "modelversie": from_model("version"),
        "status_modelbeschrijving": "beschikbaar" if model is not None else declaration.reason,
    }
