"""Goal-seeking: the front is non-dominated, the baseline is a package, infeasibility is said."""

from __future__ import annotations

import itertools
import shutil
import subprocess
from pathlib import Path

import pytest

from jeugdstelsel.errors import PeriodError
from jeugdstelsel.services import doelzoeker as D

ROOT = Path(__file__).parents[2]


def test_front_keeps_only_packages_no_other_beats():
    c = [D.Candidate((0.0,), (2026,), 0.1, 0.0, 0.0), D.Candidate((1.0,), (2026,), 0.3, 5.0, 5.0),
         D.Candidate((0.5,), (2026,), 0.2, 6.0, 3.0), D.Candidate((0.2,), (2026,), 0.05, -1.0, 1.0)]
    front = D.front_of(c)
    assert [x.probability for x in front] == [0.05, 0.1, 0.3]
    assert all(a.net_cost <= b.net_cost and a.probability < b.probability
               for a, b in itertools.pairwise(front))


def test_unknown_target_and_probability_are_refused():
    with pytest.raises(PeriodError):
        D.search("bestaat_niet", 0.5)
    with pytest.raises(PeriodError):
        D.search("bereik_0_17", 1.5)


@pytest.fixture(scope="module")
def small():
    return D.search("eerste_lijn", 0.9, area="Utrecht", levers=["poh_jeugd", "normaliseren"],
                    draws=60, generations=1, population=2)


def test_search_finds_the_cheapest_feasible_package_on_its_front(small):
    assert small.evaluated >= 9
    assert 0.0 <= small.baseline_probability <= 1.0
    # doing nothing costs nothing: nothing on the front is both costlier and less likely
    zero = [c for c in small.front if sum(c.doses) == 0]
    assert all(c.net_cost == 0.0 for c in zero)
    if small.reached:
        assert small.best.probability >= 0.9
        feasible = [c for c in small.front if c.probability >= 0.9]
        assert small.best.net_cost <= min(c.net_cost for c in feasible)


@pytest.mark.slow
def test_doelzoeker_command_says_when_no_package_reaches_the_target(tmp_path):
    exe = shutil.which("jeugdstelsel") or str(ROOT / ".venv/bin/jeugdstelsel")
    done = subprocess.run([exe, "doelzoeker", "Utrecht", "--doel", "bereik_0_17", "--kans",
                           "0.99", "--hefbomen", "poh_jeugd", "--trekkingen", "50",
                           "--generaties", "1", "--uit", str(tmp_path / "d")],
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stdout + done.stderr
    assert "Geen pakket" in done.stdout
    assert (tmp_path / "d" / "doelzoeker.csv").exists()


def test_the_default_levers_can_be_combined_and_a_conflicting_set_is_refused_in_dutch():
    """The default set passes the lever rules; a set they refuse is refused before searching."""
    from jeugdstelsel.errors import LeverUseError
    from jeugdstelsel.levers import load_library
    from jeugdstelsel.services import pipeline
    from jeugdstelsel.services.routekaart import default_scenario

    lib = load_library()
    ev = D._Evaluator(default_scenario("Tiel", 50), D._target("bereik_0_17"), D.DEFAULT_LEVERS,
                      0.5)
    pipeline.specify(ev.package([lib[k].dosis.max for k in D.DEFAULT_LEVERS],
                                [D.FIRST_START] * len(D.DEFAULT_LEVERS)), "test")
    with pytest.raises(LeverUseError, match="tegenstrijdige hefbomen"):
        D.search("bereik_0_17", 0.5, area="Tiel", levers=["wijkteam_versterken", "normaliseren"],
                 draws=50, generations=1, population=2)
