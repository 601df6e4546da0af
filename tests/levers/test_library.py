"""The lever library: complete, sourced, and refusing bad files with Dutch messages."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from jeugdstelsel import levers as L
from jeugdstelsel.core.model import PARAMETERS_BY_NAME

SEEDS_DIR = Path(__file__).resolve().parents[3] / "shared" / "seeds"
REQUIRED = {"pedagogische_basis", "samenhangende_preventie", "wijkteam_versterken", "poh_jeugd",
            "jeugdhulp_op_school", "teambesluiten_monitoring", "intensieve_hulp_nazorg",
            "meerjarige_contracten", "tarieven", "verlengde_jeugdzorg",
            "gesloten_jeugdzorg_afbouwen", "armoede_schulden_wonen", "normaliseren"}


def test_library_has_the_levers_of_the_issue():
    lib = L.load_library()
    assert set(lib.levers) >= REQUIRED


def test_every_number_carries_evidence_or_a_labelled_assumption():
    for lv in L.load_library():
        for e in lv.all_effects:
            assert e.onderbouwing.soort in ("studie", "nji", "cbs", "seed", "aanname")
            assert len(e.onderbouwing.tekst) > 20, (lv.key, e.parameter)
        assert len(lv.kosten.onderbouwing.tekst) > 15, lv.key


def _norm(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


@pytest.mark.skipif(not SEEDS_DIR.is_dir(), reason="seeds not available in this checkout")
def test_quoted_passages_occur_in_the_seeds():
    """A misquote would put words in the sources' mouths."""
    texts = {p.name: _norm(p.read_text(encoding="utf-8")) for p in SEEDS_DIR.glob("*.txt")}
    for lv in L.load_library():
        for b in lv.bronnen:
            assert _norm(b.passage) in texts[b.seed], (lv.key, b.passage)


def test_prevention_rule_is_declared_as_effect_times_reach_times_coherence():
    lv = L.load_library()["samenhangende_preventie"]
    assert lv.preventie is not None
    assert lv.kosten.grondslag == "kinderen_0_17"  # cost = unit cost x reach x children
    assert lv.all_effects[-1].parameter == "protection"


def _write(tmp_path: Path, name: str, text: str) -> Path:
    src = (L.LIBRARY_DIR / "poh_jeugd.toml").read_text(encoding="utf-8")
    path = tmp_path / name
    path.write_text(text.format(src=src), encoding="utf-8")
    return path


def test_bad_lever_file_names_file_and_key(tmp_path):
    path = _write(tmp_path, "kapot.toml", "{src}".replace('parameter = "poh_shift"',
                                                          'parameter = "poh_shfit"'))
    path.write_text((L.LIBRARY_DIR / "poh_jeugd.toml").read_text(encoding="utf-8")
                    .replace('parameter = "poh_shift"', 'parameter = "poh_shfit"'),
                    encoding="utf-8")
    with pytest.raises(L.LeverError) as exc:
        L.load_lever(path)
    msg = str(exc.value)
    assert "kapot.toml" in msg and "effecten.0" in msg and "poh_shift" in msg  # suggestion


def test_mixed_sign_effect_band_is_refused(tmp_path):
    path = tmp_path / "beide.toml"
    path.write_text((L.LIBRARY_DIR / "poh_jeugd.toml").read_text(encoding="utf-8")
                    .replace("per_eenheid = [0.05, 0.4]", "per_eenheid = [-0.05, 0.4]"),
                    encoding="utf-8")
    with pytest.raises(L.LeverError, match="één richting"):
        L.load_lever(path)


def test_user_folder_extends_the_library(tmp_path, monkeypatch):
    text = (L.LIBRARY_DIR / "poh_jeugd.toml").read_text(encoding="utf-8")
    (tmp_path / "eigen_poh.toml").write_text(text.replace("POH-jeugd bij huisartsen",
                                                          "Eigen POH"), encoding="utf-8")
    monkeypatch.setenv(L.ENV_DIRS, str(tmp_path))
    lib = L.load_library()
    assert lib["eigen_poh"].naam == "Eigen POH"
    assert "poh_jeugd" in lib.levers


def test_parameters_moved_by_levers_are_time_path_parameters():
    for lv in L.load_library():
        for e in lv.all_effects:
            assert e.parameter in PARAMETERS_BY_NAME
            assert e.parameter in L.KERNEL_PARAMS


def test_ramp_is_linear_from_start_and_stops_after_end():
    r = L.ramp(24 * 12, 2026, 12, end_year=2030)
    first = (2026 - 2015) * 12
    assert r[first - 1] == 0.0
    assert r[first] == pytest.approx(1 / 12)
    assert r[first + 11] == 1.0
    assert r[(2031 - 2015) * 12] == 0.0 and r[(2031 - 2015) * 12 - 1] == 1.0
