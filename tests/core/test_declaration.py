"""The model is declared once: the engine's layout comes from it and its flows use nothing else.

* the kernel's parameter rows (``P_...``) and stock positions in core/simulate.py are the block
  that core/layout.py generates from core.model;
* a trace through the kernel's source (Python ``ast``: which scratch rows and local variables
  each assignment reads) gives, for every declared flow, the parameters the engine's flow
  really depends on; each must be declared by the flow, or, for flows out of the same stock,
  by a competing flow (their hazards share ``1 - exp(-sum)``); the base's split is checked on
  its own. The trace fails loudly on kernel code it does not understand;
* every parameter and factor is declared once and used.
"""

from __future__ import annotations

import ast
import dataclasses
import inspect
import re

import pytest

from jeugdstelsel.core import layout
from jeugdstelsel.core import simulate as sim
from jeugdstelsel.core.model import (
    FACTORS,
    FACTORS_BY_NAME,
    FLOWS,
    FLOWS_BY_NAME,
    KERNEL_PARAMS,
    OUTPUT_PARAMETERS,
    PARAMETERS,
    PARAMETERS_BY_NAME,
    parameters_of,
)
from jeugdstelsel.core.units import Unit

PARAM_OF_CONSTANT = {layout.constant(name): name for name in KERNEL_PARAMS}
# The compiled functions that compute flows, in call order; the trace iterates to a fixpoint.
KERNEL_FUNCTIONS = ("_static_rates", "_time_rates", "_capacity", "_flows_block", "_group_rates",
                    "_hazards_age", "_age_block", "_demography_block")  # fmt: skip


# --- the generated layout ---------------------------------------------------------------------


def test_the_kernel_layout_in_simulate_py_is_generated_from_the_declaration():
    text = inspect.getsource(sim)
    assert layout.current(text) == layout.block(), "run `python -m jeugdstelsel.core.layout`"
    for i, name in enumerate(KERNEL_PARAMS):
        assert getattr(sim, layout.constant(name)) == i
    assert len(KERNEL_PARAMS) == sim.N_KP and len(sim.layout.STOCKS) == sim.N_STOCKS
    assert "KERNEL_PARAMS.index(" not in text  # no hand-written index constants left


def test_the_import_check_refuses_a_stale_layout():
    namespace = {k: getattr(sim, k) for k in layout.constants()}
    namespace["P_RES_DURATION"] += 1
    with pytest.raises(RuntimeError, match=r"python -m jeugdstelsel\.core\.layout"):
        layout.check(namespace)
    namespace = {k: getattr(sim, k) for k in layout.constants()} | {"P_GONE": 99}
    with pytest.raises(RuntimeError, match="P_GONE"):
        layout.check(namespace)


# --- tracing the kernel -------------------------------------------------------------------------


class _Trace:
    """Flow-insensitive dependence of scratch rows and locals on parameter rows."""

    def __init__(self, opaque: frozenset[str] = frozenset()) -> None:
        self.rows: dict[str, set[str]] = {}
        self.locals: dict[str, dict[str, set[str]]] = {}
        self.opaque = opaque  # locals whose dependence is ignored (the base's split)
        self.function = ""

    # expressions
    def _row(self, node: ast.AST) -> str | None:
        """NAME of ``q[_r(NAME) + ...]`` (or of ``_r(NAME)`` itself)."""
        for sub in ast.walk(node):
            if (isinstance(sub, ast.Call) and isinstance(sub.func, ast.Name)
                    and sub.func.id == "_r"):  # fmt: skip
                arg = sub.args[0]
                return arg.id if isinstance(arg, ast.Name) else None
        return None

    def deps(self, node: ast.AST) -> set[str]:
        if isinstance(node, ast.Subscript):
            row = self._row(node.slice)
            if row is not None and row.startswith("P_"):
                return {PARAM_OF_CONSTANT[row]}
            if row is not None and row.startswith("Q_"):
                return set(self.rows.get(row, ()))
            if isinstance(node.value, ast.Name) and node.value.id == "cap":
                return set(self.rows.get("cap", ()))
            return set()  # stocks, accumulators, inputs
        if isinstance(node, ast.Name):
            if node.id.startswith("P_"):
                raise AssertionError(f"{self.function}: {node.id} read outside q[_r(...)]")
            return set(self.locals[self.function].get(node.id, ()))
        out: set[str] = set()
        for child in ast.iter_child_nodes(node):
            out |= self.deps(child)
        return out

    # statements
    def _assign(self, target: ast.AST, deps: set[str]) -> None:
        if isinstance(target, ast.Subscript):
            row = self._row(target.slice)
            if row is not None and row.startswith("Q_"):
                self.rows.setdefault(row, set()).update(deps)
        elif isinstance(target, ast.Name):
            if target.id not in self.opaque:
                self.locals[self.function].setdefault(target.id, set()).update(deps)
        elif isinstance(target, ast.Tuple):
            for element in target.elts:
                self._assign(element, deps)

    def _call(self, call: ast.Call) -> None:
        name = call.func.id if isinstance(call.func, ast.Name) else None
        if name == "_leave_row":  # target row <- leave(source row)
            source, target = self._row(call.args[1]), self._row(call.args[2])
            if source and target and source.startswith("Q_") and source != target:
                self.rows.setdefault(target, set()).update(self.rows.get(source, ()))

    def statements(self, body: list[ast.stmt], control: set[str]) -> None:
        for st in body:
            if isinstance(st, ast.Assign):
                value = st.value
                for target in st.targets:
                    if (isinstance(target, ast.Tuple) and isinstance(value, ast.Tuple)
                            and len(target.elts) == len(value.elts)):  # fmt: skip
                        for t, v in zip(target.elts, value.elts, strict=True):
                            self._assign(t, self.deps(v) | control)
                    else:
                        self._assign(target, self.deps(value) | control)
            elif isinstance(st, ast.AugAssign):
                self._assign(st.target, self.deps(st.value) | self.deps(st.target) | control)
            elif isinstance(st, ast.For):
                self.statements(st.body, control | self.deps(st.iter))
            elif isinstance(st, ast.If):
                inner = control | self.deps(st.test)
                self.statements(st.body, inner)
                self.statements(st.orelse, inner)
            elif isinstance(st, ast.Expr) and isinstance(st.value, ast.Call):
                self._call(st.value)
            elif isinstance(st, ast.Expr | ast.Return | ast.Continue | ast.Pass):
                continue
            else:
                raise AssertionError(f"{self.function}: the trace does not understand {st!r}")

    def run(self) -> _Trace:
        tree = ast.parse(inspect.getsource(sim))
        functions = {n.name: n for n in tree.body if isinstance(n, ast.FunctionDef)}
        # contracted capacity: set in Python from the parameter array, read as ``cap`` per lane
        capacity = inspect.getsource(sim._set_capacity)
        self.rows["cap"] = {PARAM_OF_CONSTANT[c] for c in re.findall(r"P_[A-Z0-9_]+", capacity)}
        for _ in range(4):  # to a fixpoint: rows written in one function are read in another
            for name in KERNEL_FUNCTIONS:
                self.function = name
                self.locals.setdefault(name, {})
                self.statements(functions[name].body, set())
        return self

    def flow(self, name: str) -> set[str]:
        function, terms = sim.FLOW_TERMS[name]
        out: set[str] = set()
        for term in terms:
            if term.startswith("Q_"):
                out |= self.rows[term]
            else:
                assert term in self.locals[function], f"{name}: no variable {term} in {function}"
                out |= self.locals[function][term]
        return out


@pytest.fixture(scope="module")
def traces() -> tuple[_Trace, _Trace]:
    """The trace as written, and with the base's split ignored (own hazards of base flows)."""
    return _Trace().run(), _Trace(frozenset({sim.BASE_SPLIT})).run()


def undeclared(flows, traced: _Trace, own: _Trace) -> dict[str, set[str]]:
    """Per flow, the parameters the kernel's flow depends on beyond its declaration."""
    by_name = {f.name: f for f in flows}
    problems: dict[str, set[str]] = {}
    for flow in flows:
        if flow.name not in sim.FLOW_TERMS:
            continue
        if flow.source == "base":
            used = own.flow(flow.name)
            allowed = set(flow.parameters)
        else:
            used = traced.flow(flow.name)
            competing = [f for f in flows if f.source == flow.source]
            allowed = set().union(*(f.parameters for f in competing))
        if used - allowed:
            problems[flow.name] = used - allowed
    split = traced.locals["_age_block"][sim.BASE_SPLIT]
    base = set().union(*(f.parameters for f in by_name.values() if f.source == "base"))
    if split - base:
        problems[sim.BASE_SPLIT] = split - base
    return problems


def test_every_flow_the_kernel_computes_declares_the_parameters_it_uses(traces):
    assert undeclared(FLOWS, *traces) == {}


def test_the_trace_sees_what_flows_depend_on(traces):
    """Not vacuous: known dependencies are found, including through rows and factors."""
    traced, own = traces
    assert {"res_duration", "supply_induced", "fragmentation", "step_down_rate"} <= traced.flow(
        "residential_ends")
    assert {"need_incidence", "route_gp", "threshold_trend", "protection", "age_rel_0_3"} <= (
        own.flow("need_to_first_line"))
    assert "gi_referral_rate" not in own.flow("need_to_first_line")
    assert "gi_referral_rate" in traced.flow("need_to_first_line")  # through the split
    assert {"capacity_margin", "capacity_growth", "min_wait", "amb_duration",
            "residential_share"} <= traced.flow("intake")  # fmt: skip
    assert traced.flow("turning_18") == {"extension_share", "extension_max_age"}
    assert traced.flow("child_protection_out") == {"jb_duration"}


def test_the_trace_notices_the_residential_ends_drift(traces):
    """Issue 13's example: residential_ends declared with res_duration only, while the kernel
    also divides by the supply factor."""
    flows = [dataclasses.replace(f, own_parameters=("res_duration",), factors=())
             if f.name == "residential_ends" else f for f in FLOWS]  # fmt: skip
    supply = {"supply_induced", "fragmentation"}
    # step_down competes with residential_ends for the same stock, so it is flagged too
    assert undeclared(flows, *traces) == {"residential_ends": supply, "step_down": supply}
    flows = [dataclasses.replace(f, factors=("need",))
             if f.name == "need_to_first_line" else f for f in FLOWS]  # fmt: skip
    assert "route_gp" in undeclared(flows, *traces)["need_to_first_line"]


def test_every_kernel_parameter_row_is_read_by_a_flow_or_is_an_output_parameter(traces):
    traced, _ = traces
    by_flows = set().union(*(traced.flow(name) for name in sim.FLOW_TERMS))
    assert set(KERNEL_PARAMS) - by_flows <= set(OUTPUT_PARAMETERS)
    flows_with_parameters = {f.name for f in FLOWS if f.parameters}
    assert flows_with_parameters == set(sim.FLOW_TERMS)


# --- the declaration itself ---------------------------------------------------------------------


def test_every_parameter_factor_and_unit_is_declared_once_and_used():
    assert len({p.name for p in PARAMETERS}) == len(PARAMETERS)
    assert len(FACTORS_BY_NAME) == len(FACTORS) and len(FLOWS_BY_NAME) == len(FLOWS)
    for item in (*FLOWS, *FACTORS):
        assert set(item.own_parameters) <= set(PARAMETERS_BY_NAME), item.name
        assert set(item.factors) <= set(FACTORS_BY_NAME), item.name
    used_factors = set().union(*(f.factors for f in (*FLOWS, *FACTORS)))
    assert used_factors == set(FACTORS_BY_NAME)
    by_flows = set().union(*(f.parameters for f in FLOWS))
    assert by_flows | set(OUTPUT_PARAMETERS) == set(PARAMETERS_BY_NAME)
    assert not by_flows & set(OUTPUT_PARAMETERS)
    for p in PARAMETERS:
        assert isinstance(p.unit, Unit), p.name
    assert set(parameters_of(FACTORS_BY_NAME["need"])) >= {"threshold_level", "age_rel_0_3"}


def test_code_does_not_branch_on_unit_labels():
    """Units are decided on by dimension; a unit's Dutch label is for reading only."""
    import pathlib

    core = pathlib.Path(sim.__file__).parent
    pattern = re.compile(
        r"\.unit\s*(==|!=|\bin\b)|\bin\s+\w+\.unit\b|\.unit\.(startswith|endswith)"
    )
    assert pattern.search('if ind.unit == "euro"') and pattern.search('"per maand" in p.unit')
    for path in sorted(core.glob("*.py")):
        assert not pattern.search(path.read_text(encoding="utf-8")), path.name


def test_the_trend_break_prior_is_the_published_growth_against_the_published_counts():
    """coverage_pre2021's default is computed from figures in the embedded data, not typed in:
    CBS's break-free growth of 2021 (1.5%) against the published 2020 -> 2021 counts."""
    from jeugdstelsel.data.refdata import series

    def value(name: str, period: str) -> float:
        rows = series(name)
        rows = rows[(rows["period"] == period) & (rows["status"] != "voorlopig")]
        return float(rows["value"].iloc[0])

    growth = value("jeugdhulp_use_growth", "2021") / 100
    prior = (1 + growth) * value("youth_jeugdhulp_total_incl_pgb", "2020") / value(
        "youth_jeugdhulp_total_incl_pgb", "2021")
    assert PARAMETERS_BY_NAME["coverage_pre2021"].default == pytest.approx(prior, abs=5e-4)
