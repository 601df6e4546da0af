"""The StatLine client on recorded OData responses (v3 and v4): no network is ever used."""

from __future__ import annotations

import json
import math

import httpx
import pandas as pd
import pytest

from jeugdstelsel.data.errors import CbsConnectionError, CbsResponseError
from jeugdstelsel.data.statline import (
    NO_CONNECTION,
    StatLineClient,
    measure_prefix,
    normalise_table_id,
    parse_cell,
    period_status,
)


def _value(frame: pd.DataFrame, **where) -> float:
    rows = frame
    for key, value in where.items():
        rows = rows[rows[key] == value]
    assert len(rows) == 1, rows
    return float(rows.iloc[0]["value"])


def test_v3_follows_every_page_and_keeps_metadata(client, recorded):
    table = client.table("85097NED")
    assert recorded.count("TypedDataSet") == 3  # three pages linked by odata.nextLink
    assert table.title == "Jeugdhulptrajecten; verwijzer, regio"
    assert table.modified == "2023-10-31T02:00:00"
    assert len(table.data) == 8 * 3  # 8 rows x 3 numeric topics
    assert table.measures["AandeelVolgensPlanBeeindigd_3"].unit == "%"
    assert table.dimensions["Verwijzer"].labels["A041350"] == "Huisarts"
    assert table.dimensions["RegioS"].kind == "region"


def test_v3_region_codes_lose_their_padding(client):
    table = client.table("85097NED")
    assert set(table.data["region"]) == {"NL01", "GM0060", "GM0363", "GM0457"}


def test_v3_period_status_from_perioden(client):
    data = client.table("85097NED").data
    assert set(data.loc[data["period"] == "2021JJ00", "status"]) == {"definitief"}
    assert set(data.loc[data["period"] == "2022JJ00", "status"]) == {"voorlopig"}


def test_v3_suppressed_cells_are_missing_not_zero(client):
    data = client.table("85097NED").data
    ameland = data[(data["region"] == "GM0060") & (data["series"] == "LopendeJeugdhulptrajecten")]
    assert len(ameland) == 2
    assert ameland["value"].isna().all()
    assert (data["value"] == 0).sum() == 0


def test_untyped_dataset_gives_the_same_figures_as_typed(client):
    typed = client.table("85097NED").data
    untyped = client.table("85097NED", untyped=True).data
    key = ["measure", "region", "period", "category"]
    merged = typed.merge(untyped, on=key, suffixes=("_t", "_u"))
    assert len(merged) == len(typed) == 24
    pd.testing.assert_series_equal(merged["value_t"], merged["value_u"], check_names=False)


def test_category_carries_the_other_dimensions(client):
    data = client.table("85097NED").data
    huisarts = data[data["category"] == "Verwijzer=A041350"]
    assert set(huisarts["category_label"]) == {"Huisarts"}
    assert _value(huisarts, measure="LopendeJeugdhulptrajecten_1") == 11200


def test_measure_matches_on_prefix_whatever_the_suffix(client):
    table = client.table("85097NED")
    assert table.measure("LopendeJeugdhulptrajecten_98").key == "LopendeJeugdhulptrajecten_1"
    assert len(table.series("BegonnenJeugdhulptrajecten")) == 8
    with pytest.raises(KeyError):
        table.measure("BestaatNiet")


def test_v4_observations_with_pages_status_and_value_attributes(client, recorded):
    table = client.table("85098NED", api="v4")
    assert recorded.count("Observations") == 2  # @odata.nextLink followed
    data = table.data
    assert len(data) == 8
    assert table.version == "202310310200"
    jb = data[(data["region"] == "GM0060") & (data["measure"] == "M004312")]
    assert jb["value"].isna().all()  # Impossible / Confidential -> missing
    assert _value(data, region="GM0014", measure="M004311", period="2022JJ00") == 15.4
    assert set(data.loc[data["period"] == "2022JJ00", "status"]) == {"voorlopig"}
    assert set(data["unit"]) == {"%"}


def test_cached_table_needs_no_network(recorded, tmp_path):
    transport = httpx.MockTransport(recorded)
    with StatLineClient(transport=transport, cache_dir=tmp_path / "cbs") as first:
        expected = first.table("85097NED").data
    recorded.offline_after = 0
    with StatLineClient(transport=transport, cache_dir=tmp_path / "cbs") as second:
        again = second.table("85097NED").data
    pd.testing.assert_frame_equal(expected, again)


def test_interrupted_download_resumes_at_the_missing_page(recorded, tmp_path):
    transport = httpx.MockTransport(recorded)
    recorded.offline_after = 6  # metadata (5 requests) and the first data page, then offline
    with (
        StatLineClient(transport=transport, cache_dir=tmp_path / "cbs") as first,
        pytest.raises(CbsConnectionError),
    ):
        first.table("85097NED")
    assert recorded.count("TypedDataSet") == 1
    recorded.offline_after = None
    recorded.requests.clear()
    with StatLineClient(transport=transport, cache_dir=tmp_path / "cbs") as second:
        table = second.table("85097NED")
    assert recorded.count("TypedDataSet") == 2  # only pages 2 and 3 were fetched
    assert recorded.count("DataProperties") == 0
    assert len(table.data) == 24


def test_no_network_gives_the_dutch_advice(tmp_path):
    def offline(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("no route to host", request=request)

    with (
        StatLineClient(transport=httpx.MockTransport(offline), cache_dir=tmp_path) as client,
        pytest.raises(CbsConnectionError) as info,
    ):
        client.table("85097NED")
    assert str(info.value) == NO_CONNECTION
    assert "jeugdstelsel cbs import <bestand>" in str(info.value)


def test_unknown_table_is_a_clear_error(client):
    with pytest.raises(CbsResponseError, match="kent deze tabel"):
        client.table("12345NED")


@pytest.mark.parametrize("bad", ["85097", "GM0363", "85097NEDX", ""])
def test_invalid_table_ids_are_refused(bad):
    with pytest.raises(CbsResponseError, match="geen geldige CBS-tabelcode"):
        normalise_table_id(bad)


def test_refresh_starts_afresh_when_cbs_published_a_new_version(client, recorded, tmp_path):
    client.table("85097NED")
    cached = tmp_path / "cbs" / "85097NED" / "v3" / "TableInfos.json"
    payload = json.loads(cached.read_text(encoding="utf-8"))
    payload["value"][0]["Modified"] = "2020-01-01T00:00:00"
    cached.write_text(json.dumps(payload), encoding="utf-8")
    recorded.requests.clear()
    client.table("85097NED", refresh=True)
    assert recorded.count("TypedDataSet") == 3


def test_refresh_keeps_the_cache_when_nothing_changed(client, recorded):
    client.table("85097NED")
    recorded.requests.clear()
    client.table("85097NED", refresh=True)
    assert recorded.count("TableInfos") == 1
    assert recorded.count("TypedDataSet") == 0


@pytest.mark.parametrize(
    ("cell", "expected"),
    [(None, math.nan), (".", math.nan), ("       .", math.nan), ("x", math.nan), ("-", 0.0),
     ("  15.4", 15.4), (35, 35.0), (0, 0.0)],
)
def test_cells(cell, expected):
    value = parse_cell(cell)
    assert (math.isnan(value) and math.isnan(expected)) or value == expected


def test_small_helpers():
    assert measure_prefix("JongerenMetJeugdzorgInNatura_98") == "JongerenMetJeugdzorgInNatura"
    assert period_status("Nader voorlopig") == "voorlopig"
    assert period_status("Definitief") == "definitief"
    assert period_status(None) == "onbekend"
