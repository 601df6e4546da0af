"""Municipal calibration: recovery of known parameters, the prior without figures, the store
and its use in scenario runs (SQLite, and PostgreSQL when a test server is configured)."""

from __future__ import annotations

import math
import os

import numpy as np
import pytest

from jeugdstelsel.services import municipal_calibration as mc
from jeugdstelsel.services.calibration import load_shipped

PG_URL = os.environ.get("JEUGDSTELSEL_TEST_DATABASE_URL")
UTRECHT = "GM0344"  # large: CBS rounding to 5 hardly blurs its figures
REFERRERS = [f"verwijzer_{k}" for k in mc.REFERRER_LABELS]
TRUTH = {
    mc.RISK: 1.25,
    "jb_rate": 0.00045,
    "jr_rate": 0.00020,
    "residential_share": 0.14,
    "route_gp": 4.0,
    "route_first_line": 2.0,
}


@pytest.fixture(scope="module")
def recovered():
    kinds = ["jeugdhulp_natura_pct", "jeugdbescherming_pct", "jeugdreclassering_pct",
             "met_verblijf_aandeel", "trajecten_gestart", *REFERRERS]
    exact = mc.model_figures(UTRECHT, TRUTH, kinds, ["2021", "2022", "2023"])
    published = mc.cbs_style(exact, ("jeugdreclassering_pct", "2022"), "test")
    assert not any(f.kind == "jeugdreclassering_pct" and f.period == "2022" for f in published)
    result = mc.calibrate_many({UTRECHT: published})[UTRECHT]
    return exact, published, result


@pytest.mark.slow
def test_recovers_risk_index_and_municipal_parameters(recovered):
    _, _, result = recovered
    est = {p["name"]: p["estimate"] for p in result.parameters}
    # stated tolerances: need level 5%; child-protection inflow and residential share 10%;
    # routing weights 25%; probation inflow 35%, because its published share (~0.14%) rounded
    # to one decimal (0.1%) carries a rounding error of that size
    assert est[mc.RISK] == pytest.approx(TRUTH[mc.RISK], rel=0.05)
    assert result.risk == pytest.approx(TRUTH[mc.RISK], rel=0.05)
    assert est["jb_rate"] == pytest.approx(TRUTH["jb_rate"], rel=0.10)
    assert est["jr_rate"] == pytest.approx(TRUTH["jr_rate"], rel=0.35)
    assert est["residential_share"] == pytest.approx(TRUTH["residential_share"], rel=0.10)
    assert est["route_gp"] == pytest.approx(TRUTH["route_gp"], rel=0.25)
    assert est["route_first_line"] == pytest.approx(TRUTH["route_first_line"], rel=0.25)
    # the truth lies far from the prior for these, so recovery is not the prior's doing
    prior = {p["name"]: p["prior"] for p in result.parameters}
    assert abs(prior[mc.RISK] / TRUTH[mc.RISK] - 1) > 0.15
    assert abs(prior["route_gp"] / TRUTH["route_gp"] - 1) > 0.25
    sources = {p["name"]: p["bron"] for p in result.parameters}
    assert sources[mc.RISK] == sources["route_gp"] == "eigen cijfers"
    assert sources["cost_scale"] == "landelijke prior"  # no cost figures given
    assert any("kostenniveau" in n and "landelijke prior" in n for n in result.notes)


@pytest.mark.slow
def test_fit_per_series_and_out_of_sample_error(recovered):
    _, published, result = recovered
    assert len(result.fit) == len(published)
    # within the publication rounding (0.05 percentage point) plus 3%
    for r in result.fit:
        if r["series"].endswith(("_pct", "_aandeel")):
            assert abs(r["model"] - r["observed"]) <= 0.05 + 0.03 * r["observed"], r
        elif r["unit"] == "pp":
            assert abs(r["error"]) < 0.5, r
    h = result.holdout
    assert h["beschikbaar"] and h["fit_through"] == 2022 and h["year"] == 2023
    assert h["mean_abs_error"] < 5.0
    assert result.data["n_figures"] == len(published)
    assert result.fitted_through == 2023


def test_municipality_without_figures_keeps_the_prior_and_says_so():
    # Súdwest-Fryslân: no embedded figure; use_store=False keeps this test off the database
    result = mc.calibrate_municipality("GM1900", use_store=False)
    national = load_shipped()
    indicator = mc._risk_prior(["GM1900"])["GM1900"]
    assert result.fit == [] and result.from_prior_only
    assert result.risk == pytest.approx(indicator)
    assert result.risk_indicator == pytest.approx(indicator)
    assert result.point == national.point
    np.testing.assert_allclose(result.posterior["mean"], national.posterior_mean)
    assert all(p["bron"] == "landelijke prior" for p in result.parameters)
    assert "geen bruikbare cijfers" in result.notes[0]
    assert "landelijke kalibratie" in result.notes[0]
    assert not result.holdout.get("beschikbaar")


def test_bounds_count_only_when_crossed():
    from jeugdstelsel.services.calibration import Target, _residuals

    targets = [Target("x", 2022, 17.0, "voorlopig", "rel", 0.1, "t", "min"),
               Target("x", 2022, 5.0, "voorlopig", "rel", 0.1, "t", "max"),
               Target("x", 2022, 10.0, "definitief", "rel", 0.1, "t")]
    inside = _residuals(np.array([[20.0, 4.0, 10.0]]), targets)[0]
    outside = _residuals(np.array([[15.0, 6.0, 11.0]]), targets)[0]
    assert list(inside) == [0.0, 0.0, 0.0]
    assert outside[0] < 0 < outside[1] and outside[2] == pytest.approx(math.log(1.1) / 0.1)


def test_definition_factor_maps_in_natura_to_the_models_incl_pgb_count():
    factor, where = mc.definition_factor("jeugdhulp_natura_pct", 2022)
    assert 0.8 < factor < 1.1 and where == "landelijk 2022"
    # a pre-break year is anchored on its own side of the 2021 trend break
    _, where_2017 = mc.definition_factor("jeugdzorg_0_17_pct", 2017)
    assert where_2017 == "landelijk 2017"


def test_embedded_figures_are_found_and_suppressed_cells_stay_missing():
    figures, _ = mc.gather("GM0060", "Ameland", use_store=False)
    assert not any(f.kind == "met_verblijf_aandeel" for f in figures)  # '.' in 85098NED
    tiel, _ = mc.gather("GM0281", "Tiel", use_store=False)
    bounds = {(f.kind, f.period, f.bound) for f in tiel}
    assert ("jeugdzorg_pct", "2022", "min") in bounds
    assert ("jeugdzorg_pct", "2020H1", "min") in bounds


# -- the store and scenario runs -------------------------------------------------------------
def _scenario():
    from jeugdstelsel.services.scenario import parse

    return parse('[periode]\nstart = 2023\neind = 2025\n[gebied]\ngemeente = "Utrecht"\n'
                 '[simulatie]\ntrekkingen = 40\nzaad = 7\n')


def _store_and_run(recovered):
    from jeugdstelsel.data import store_service
    from jeugdstelsel.services.run import run

    store_service.ensure_db()
    _, _, result = recovered
    before = run(_scenario())
    assert "geen gemeentelijke kalibratie" in before.calibration_info[
        "gemeentelijke_kalibratie"][UTRECHT]
    row = mc.save(result)
    assert row.pk and row.gemeente_id == UTRECHT
    loaded = mc.latest([UTRECHT])[UTRECHT]
    assert loaded.risk == pytest.approx(result.risk)
    assert loaded.fit == result.fit and loaded.parameters == result.parameters
    after = run(_scenario())
    info = after.calibration_info["gemeentelijke_kalibratie"][UTRECHT]
    assert "gemeentelijke kalibratie" in info and "risico-index 1,2" in info
    # the calibrated run uses the stored risk index and the municipal parameter draws
    jb_before = before.params["jb_rate"][:, 0]
    jb_after = after.params["jb_rate"][:, 0]
    assert np.median(jb_after) == pytest.approx(TRUTH["jb_rate"], rel=0.15)
    assert abs(np.median(jb_before) / TRUTH["jb_rate"] - 1) > 0.2
    care_before = np.median(before.series["jeugdhulp_0_22"][:, 0, 0])
    care_after = np.median(after.series["jeugdhulp_0_22"][:, 0, 0])
    ratio = result.risk / result.risk_indicator
    assert care_after / care_before == pytest.approx(ratio, rel=0.25)
    assert abs(ratio - 1) > 0.15
    return before, after


@pytest.mark.slow
@pytest.mark.django_db
def test_stored_calibration_is_used_by_every_scenario_run_sqlite(recovered):
    from django.db import connection

    assert connection.vendor == "sqlite"
    _store_and_run(recovered)


@pytest.mark.slow
@pytest.mark.postgres
@pytest.mark.skipif(not PG_URL, reason="JEUGDSTELSEL_TEST_DATABASE_URL not set")
@pytest.mark.django_db(databases=["default", "postgres"])
def test_stored_calibration_is_used_by_every_scenario_run_postgres(recovered, on_postgres):
    _store_and_run(recovered)


def test_run_without_database_falls_back_to_the_indicator_index():
    # no django_db mark: any database access is refused here, the run must not notice
    from jeugdstelsel.services.run import run

    result = run(_scenario())
    assert "risico-index uit indicatoren" in result.calibration_info[
        "gemeentelijke_kalibratie"][UTRECHT]


@pytest.mark.slow
@pytest.mark.django_db
def test_cli_calibrate_stores_and_gemeente_mentions_it():
    import typer
    from typer.testing import CliRunner

    from jeugdstelsel.cli import data_cmds, model_cmds

    app = typer.Typer()
    model_cmds.register(app)
    data_cmds.register(app)
    runner = CliRunner()
    before = runner.invoke(app, ["gemeente", "Tiel"])
    assert before.exit_code == 0, before.output
    assert "Nog geen gemeentelijke kalibratie" in before.output
    out = runner.invoke(app, ["calibrate", "Tiel"])
    assert out.exit_code == 0, out.output
    assert "Fit per reeks" in out.output and "landelijke prior" in out.output
    assert "Opgeslagen" in out.output
    after = runner.invoke(app, ["gemeente", "Tiel"])
    assert "Gekalibreerd" in after.output, after.output
