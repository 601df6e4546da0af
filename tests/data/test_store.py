"""The store: seeding, municipality lookup, CBS tables in and series out, on both databases."""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from jeugdstelsel.data import store_service
from jeugdstelsel.data.cbs_export import read_export
from jeugdstelsel.data.errors import ExportFormatError, UnknownMunicipalityError

CBS_DIR = Path(__file__).parent / "cbs"


@pytest.fixture
def store(db):
    store_service.ensure_db()


def _row(frame, **where):
    for key, value in where.items():
        frame = frame[frame[key] == value]
    assert len(frame) == 1, frame
    return frame.iloc[0]


# -- municipalities -----------------------------------------------------------------------------
def test_ensure_db_seeds_current_and_former_municipalities(store):
    from jeugdstelsel.store.models import Gemeente

    assert Gemeente.objects.filter(valid_to__isnull=True).count() == 342
    weesp = Gemeente.objects.get(code="GM0457")
    assert weesp.merged_into_id == "GM0363"
    assert Gemeente.objects.get(code="GM0788").merged_into is None  # Haaren was split
    store_service.ensure_db()  # a second call changes nothing
    assert Gemeente.objects.filter(valid_to__isnull=True).count() == 342


@pytest.mark.parametrize(
    ("query", "code"),
    [("GM0363", "GM0363"), ("363", "GM0363"), ("amsterdam", "GM0363"), ("AMSTERDAM", "GM0363"),
     ("sudwest fryslan", "GM1900"), ("'s-Hertogenbosch", "GM0796"), ("Weesp", "GM0457"),
     ("Den Haag", "GM0518"), ("Beek (L.)", "GM0888"), ("Bergen (NH.)", "GM0373")],
)
def test_gemeente_lookup_by_name_or_code(store, query, code):
    assert store_service.gemeente_lookup(query).code == code


def test_gemeente_lookup_lists_close_matches(store):
    with pytest.raises(UnknownMunicipalityError) as info:
        store_service.gemeente_lookup("Amsterdm")
    assert "Amsterdam" in info.value.suggestions
    assert "Bedoelt u" in str(info.value)
    with pytest.raises(UnknownMunicipalityError) as ambiguous:
        store_service.gemeente_lookup("Bergen")
    assert {"Bergen (L.)", "Bergen (NH.)"} <= set(ambiguous.value.suggestions)


def test_municipalities_for_the_web(store):
    pairs = store_service.municipalities()
    assert len(pairs) == 342
    assert ("GM0363", "Amsterdam") in pairs


def test_embedded_sample_is_in_the_store_with_missing_kept_missing(store):
    frame = store_service.observations("Ameland")
    jr = _row(frame, series="JongerenMetJeugdreclassering")
    assert math.isnan(jr["value"])
    assert _row(frame, series="JongerenMetJeugdhulpInNatura")["value"] == 7.9


# -- CBS tables ---------------------------------------------------------------------------------
def test_saved_v3_table_gives_a_series_that_runs_on_after_a_merger(store, client):
    result = store_service.save_table(client.table("85097NED"))
    assert result.rows == 24 and not result.unchanged
    frame = store_service.observations("Amsterdam", "LopendeJeugdhulptrajecten_4")
    total = frame[frame["category"] == "Verwijzer=T001070"]
    y2021 = _row(total, period="2021JJ00")
    assert y2021["value"] == 37400 + 1205  # Weesp added to Amsterdam
    assert y2021["merged_from"] == "GM0457"
    assert y2021["status"] == "definitief"
    y2022 = _row(total, period="2022JJ00")
    assert (y2022["value"], y2022["status"]) == (38950, "voorlopig")
    assert list(total["comparable_since"]) == [2021, 2021]


def test_percentages_of_merged_municipalities_are_not_summed(store, client):
    store_service.save_table(client.table("85097NED"))
    frame = store_service.observations("GM0363", "AandeelVolgensPlanBeeindigd")
    total = frame[frame["category"] == "Verwijzer=T001070"]
    assert math.isnan(_row(total, period="2021JJ00")["value"])
    assert _row(total, period="2022JJ00")["value"] == 65.3


def test_saving_the_same_table_again_changes_nothing(store, client):
    from jeugdstelsel.store.models import ImportBatch, Observation

    table = client.table("85097NED")
    first = store_service.save_table(table)
    count = Observation.objects.count()
    again = store_service.save_table(table)
    assert again.unchanged and again.batch_id == first.batch_id
    assert Observation.objects.count() == count
    assert ImportBatch.objects.filter(kind="cbs").count() == 1


def test_a_new_version_replaces_provisional_figures(store, client):
    from jeugdstelsel.store.models import Observation

    table = client.table("85097NED")
    store_service.save_table(table)
    final = table.data.copy()
    final.loc[final["period"] == "2022JJ00", "status"] = "definitief"
    counts = final["measure"] == "LopendeJeugdhulptrajecten_1"  # a share +100 would be refused
    final.loc[counts & (final["region"] == "GM0363") & (final["period"] == "2022JJ00"),
              "value"] += 100
    table.data = final
    store_service.save_table(table)
    row = Observation.objects.get(
        dataset="85097NED", measure="LopendeJeugdhulptrajecten_1", region="GM0363",
        period="2022JJ00", category="Verwijzer=T001070",
    )
    assert (row.value, row.status) == (39050, "definitief")


def test_v4_table_and_annual(store, client):
    store_service.save_table(client.table("85098NED", api="v4"))
    series = store_service.annual("M004311", "Groningen")
    assert series == {2021: (15.1, "definitief"), 2022: (15.4, "voorlopig")}
    assert store_service.annual("M004312", "Ameland") == {}  # suppressed: absent, not 0


def test_annual_for_the_country_falls_back_to_reference_figures(store):
    from jeugdstelsel.data import refdata

    expected = refdata.annual("youth_with_jeugdzorg_pct", "Nederland")
    assert expected and store_service.annual("youth_with_jeugdzorg_pct", "Nederland") == expected


def test_tables_lists_what_is_stored(store, client):
    store_service.save_table(client.table("85097NED"))
    listing = {row["table_id"]: row for row in store_service.tables()}
    assert listing["85097NED"]["observations"] == 24
    assert listing["85097NED"]["periods"] == "2021JJ00 - 2022JJ00"


def test_risk_indicators_name_their_source(store):
    indicators = store_service.risk_indicators("Amsterdam")
    share = indicators["one_parent_share_2022"]
    assert share["table"] == "71487ned" and share["unit"] == "%"
    assert 20 < share["value"] < 50
    assert store_service.risk_indicators("Weesp") == indicators  # follows the merger


# -- hand-downloaded exports --------------------------------------------------------------------
def test_labelled_statline_csv_export(store):
    table = read_export(CBS_DIR / "85098NED_statline_labels.csv")
    assert table.table_id == "85098NED"
    data = table.data
    jh = data["series"] == "Jongeren met jeugdhulp in natura"
    groningen = data[(data["region"] == "GM0014") & jh]
    assert dict(zip(groningen["period"], groningen["value"], strict=True)) == {
        "2021JJ00": 15.1, "2022JJ00": 15.4}
    assert _row(groningen, period="2022JJ00")["status"] == "voorlopig"
    assert _row(groningen, period="2021JJ00")["status"] == "definitief"
    assert set(data["unit"]) == {"%"}
    jb = data["series"] == "Jongeren met jeugdbescherming"
    ameland = data[(data["region"] == "GM0060") & jb]
    assert math.isnan(ameland.iloc[0]["value"])
    assert "NL01" in set(data["region"])


def test_coded_statline_csv_export_with_padding_and_a_merged_municipality(store):
    table = read_export(CBS_DIR / "85098NED_statline_codes.csv")
    data = table.data
    assert set(data["region"]) == {"GM0014", "GM0060", "GM0457"}
    assert _row(data, region="GM0014", measure="JongerenMetJeugdhulpInNatura_1")["value"] == 15.4
    assert math.isnan(_row(data, region="GM0060", measure="JongerenMetJeugdbescherming_3")["value"])
    store_service.save_table(table)
    weesp = store_service.observations("Amsterdam", "JongerenMetJeugdhulpInNatura")
    assert _row(weesp, period="2021JJ00")["value"] == 11.0  # Weesp alone in 2021: Amsterdam absent


def test_json_export_equals_the_downloaded_table(store, client):
    exported = read_export(CBS_DIR / "export_typed.json").data
    downloaded = client.table("85097NED").data
    key = ["measure", "region", "period", "category"]
    merged = exported.merge(downloaded, on=key, suffixes=("_e", "_d"))
    assert len(merged) == len(downloaded)
    assert ((merged["value_e"] == merged["value_d"]) | merged["value_d"].isna()).all()


def test_export_without_a_table_id_asks_for_one(store, tmp_path):
    path = tmp_path / "download.csv"
    path.write_text('"RegioS";"Perioden";"Waarde_1"\n"GM0014";"2022";"1"\n', encoding="utf-8")
    with pytest.raises(ExportFormatError, match="--tabel"):
        read_export(path)
    assert read_export(path, table_id="85098NED").table_id == "85098NED"


# -- PostgreSQL ---------------------------------------------------------------------------------
@pytest.mark.postgres
def test_postgres_store_round_trip(on_postgres, client):
    from jeugdstelsel.store.models import Gemeente, Observation

    store_service.ensure_db()
    assert Gemeente.objects.using("postgres").filter(valid_to__isnull=True).count() == 342
    store_service.save_table(client.table("85097NED"))
    again = store_service.save_table(client.table("85097NED"))
    assert again.unchanged
    frame = store_service.observations("Amsterdam", "LopendeJeugdhulptrajecten")
    total = frame[frame["category"] == "Verwijzer=T001070"]
    assert _row(total, period="2021JJ00")["value"] == 38605
    assert Observation.objects.using("default").count() == 0  # everything went to PostgreSQL
