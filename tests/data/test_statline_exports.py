"""StatLine files as people download them: Untyped/TypedDataSet JSON, classic CSV, stored once."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from jeugdstelsel.data import store_service
from jeugdstelsel.data.cbs_export import read_export
from jeugdstelsel.data.errors import ExportFormatError

CBS = Path(__file__).parent / "cbs"
CLASSIC = '''"Jongeren met jeugdzorg; indicatoren, regio (85098NED)";;;
"Onderwerp";;"Jongeren met jeugdhulp in natura";"Jongeren met jeugdbescherming"
"Eenheid";;"%";"%"
"Regio's";"Perioden";;
"Groningen (gemeente)";"2021";"15,1";"1,5"
"Groningen (gemeente)";"2022*";"15,4";"1,4"
"Ameland";"2022*";"7,9";"."
"Bron: CBS";;;
"© Centraal Bureau voor de Statistiek, Den Haag/Heerlen 3-12-2026";;;
'''


@pytest.fixture
def store(db):
    store_service.ensure_store()


def _values(table):
    frame = table.data.dropna(subset=["value"])
    return sorted(zip(frame["measure"], frame["region"], frame["period"], frame["category"],
                      frame["value"], strict=True))


def test_untyped_dataset_json_gives_the_same_figures_as_typed(tmp_path):
    untyped = read_export(CBS / "v3" / "85097NED" / "UntypedDataSet-1.json")
    typed = read_export(CBS / "v3" / "85097NED" / "TypedDataSet-1.json")
    assert len(untyped.data) > 0
    assert _values(untyped) == _values(typed)


def test_json_beside_its_odata_metadata_gets_units_titles_and_status(tmp_path):
    folder = tmp_path / "download"
    folder.mkdir()
    for name in ("TypedDataSet-1.json", "DataProperties.json", "TableInfos.json",
                 "Perioden.json"):
        shutil.copy(CBS / "v3" / "85097NED" / name, folder / name)
    table = read_export(folder / "TypedDataSet-1.json")
    assert table.title.startswith("Jeugdhulptrajecten")
    share = table.measure("AandeelVolgensPlanBeeindigd")
    assert share.unit == "%"
    assert set(table.data["status"]) <= {"definitief", "voorlopig"}


def test_a_bundled_typed_dataset_with_metadata(tmp_path):
    bundle = {name: json.loads((CBS / "v3" / "85097NED" / f"{name}.json").read_text("utf-8"))
              for name in ("DataProperties", "TableInfos", "Perioden")}
    bundle["TypedDataSet"] = json.loads((CBS / "v3" / "85097NED" / "TypedDataSet-1.json")
                                        .read_text("utf-8"))
    path = tmp_path / "85097NED.json"
    path.write_text(json.dumps(bundle), "utf-8")
    table = read_export(path)
    assert table.measure("AandeelVolgensPlanBeeindigd").unit == "%"


def test_json_without_figures_is_an_error_not_a_success(tmp_path):
    path = tmp_path / "85097NED.json"
    path.write_text('{"value": [{"RegioS": "GM0014", "Perioden": "2022JJ00"}]}', "utf-8")
    with pytest.raises(ExportFormatError, match="geen cijfers"):
        read_export(path)


def test_classic_statline_csv_with_topic_unit_rows_and_footer(tmp_path):
    path = tmp_path / "klassiek.csv"
    path.write_text(CLASSIC, "utf-8")
    table = read_export(path)
    assert table.table_id == "85098NED"
    assert {m.unit for m in table.measures.values()} == {"%"}
    frame = table.data
    assert set(frame["region"]) == {"GM0014", "GM0060"}
    groningen = frame[(frame["region"] == "GM0014") & (frame["period"] == "2022JJ00")]
    assert sorted(groningen["value"]) == [1.4, 15.4]
    assert set(groningen["status"]) == {"voorlopig"}


def test_one_table_as_json_and_as_csv_is_stored_once(store, tmp_path):
    from jeugdstelsel.store.models import Observation

    store_service.save_table(read_export(CBS / "85098NED_statline_codes.csv"))
    before = Observation.objects.filter(dataset="85098NED").count()
    store_service.save_table(read_export(CBS / "85098NED_statline_labels.csv"))
    after = Observation.objects.filter(dataset="85098NED")
    measures = set(after.values_list("measure", flat=True))
    assert all(m.rsplit("_", 1)[-1].isdigit() for m in measures)  # no label-keyed copies
    assert measures == {"JongerenMetJeugdhulpInNatura_1", "JongerenMetJeugdbescherming_3",
                        "JongerenMetJeugdreclassering_5"}  # the CSV's labels: no second copy
    assert after.count() > before  # its other regions and periods were added
    groningen = after.filter(region="GM0014", period="2022JJ00",
                             measure__in=["JongerenMetJeugdhulpInNatura_1",
                                          "JongerenMetJeugdbescherming_3"])
    assert groningen.count() == 2


def test_profile_totals_never_add_a_total_to_its_breakdown():
    import pandas as pd

    frame = pd.DataFrame({
        "period": ["2023"] * 4, "vorm": ["totaal"] * 4, "measure": ["jongeren"] * 4,
        "verwijzer": ["", "huisarts", "gemeente", ""], "wijk": ["", "", "", "Centrum"],
        "aanbieder": [""] * 4, "value": [100.0, 60.0, 40.0, 30.0],
        "definition": ["lokaal"] * 4,
    })
    totals = store_service.local_totals(frame)
    assert totals["value"].tolist() == [100.0] and totals["basis"].tolist() == ["totaal"]
    parts = store_service.local_totals(frame[frame["verwijzer"] != ""])
    assert parts["value"].tolist() == [100.0] and parts["basis"].tolist() == ["som over verwijzer"]
