"""Documentation generated from the model's own declaration: tables, Markdown, diagrams.

Nothing here is kept by hand: the parameter table, the list of stocks and flows and the
stock-and-flow diagram are all read from :mod:`jeugdstelsel.core.model`, so they cannot drift
from what the engine runs.
"""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
from matplotlib.patches import FancyArrowPatch, FancyBboxPatch

from jeugdstelsel.core.model import FACTORS, FLOWS, PARAMETERS, STOCKS, parameters_of

# Where each stock is drawn (presentation only; the structure comes from the declaration).
LAYOUT = {
    "base": (0.3, 2.6),
    "first_line": (3.4, 4.6),
    "waiting": (3.4, 2.0),
    "ambulatory": (6.4, 3.2),
    "residential": (6.4, 0.9),
    "after_care": (9.0, 4.6),
    "child_protection": (0.3, -0.2),
    "juvenile_probation": (3.4, -0.2),
}


def parameter_rows() -> list[dict[str, str]]:
    """One row per parameter for tables (CLI, web, Markdown, Algoritmeregister)."""
    return [
        {
            "naam": p.name,
            "omschrijving": p.label_nl,
            "eenheid": str(p.unit),
            "standaard": f"{p.default:g}",
            "bereik": p.range_text(),
            "gekalibreerd": "ja" if p.calibrated else "nee",
            "groep": p.group,
            "bron": p.source.text_nl(),
            "toelichting": p.description,
        }
        for p in PARAMETERS
    ]


def markdown() -> str:
    """docs/model.md: stocks, flows and parameters."""
    lines = [
        "# Het model (gegenereerd uit de modeldeclaratie)",
        "",
        "Gegenereerd door `jeugdstelsel model --markdown docs/model.md`; niet met de hand "
        "bewerken.",
        "",
        "## Voorraden",
        "",
        "| naam | omschrijving | soort |",
        "|---|---|---|",
    ]
    lines += [
        f"| `{s.name}` | {s.label_nl}: {s.description} | "
        f"{'toestand' if s.kind == 'state' else 'overlay'} |"
        for s in STOCKS
    ]
    lines += [
        "",
        "## Stromen (per maand)",
        "",
        "Stromen uit dezelfde voorraad concurreren: hun kansen per maand worden samen omgezet in "
        "1 - exp(-som) en naar rato verdeeld. De kolom parameters noemt alles waarvan de stroom "
        "afhangt, ook via zijn factoren.",
        "",
        "| nr | stroom | van | naar | formule | factoren | parameters |",
        "|---|---|---|---|---|---|---|",
    ]
    lines += [
        f"| {f.number} | {f.label_nl} | {f.source} | {f.target} | {f.formula} | "
        f"{', '.join(f'`{n}`' for n in f.factors)} | "
        f"{', '.join(f'`{p}`' for p in f.parameters)} |"
        for f in FLOWS
    ]
    lines += [
        "",
        "## Factoren",
        "",
        "Gedeelde grootheden waarop stromen rusten.",
        "",
        "| naam | omschrijving | formule | bouwt op | invoer | parameters |",
        "|---|---|---|---|---|---|",
    ]
    inputs_nl = {"risk": "risico-index gemeente", "time": "tijd"}
    lines += [
        f"| `{c.name}` | {c.label_nl} | {c.formula} | "
        f"{', '.join(f'`{n}`' for n in c.factors)} | "
        f"{', '.join(inputs_nl[i] for i in c.inputs)} | "
        f"{', '.join(f'`{p}`' for p in parameters_of(c))} |"
        for c in FACTORS
    ]
    lines += [
        "",
        "## Parameters",
        "",
        "| naam | omschrijving | eenheid | standaard | bereik/verdeling | gekalibreerd | bron |",
        "|---|---|---|---|---|---|---|",
    ]
    lines += [
        f"| `{r['naam']}` | {r['omschrijving']} | {r['eenheid']} | {r['standaard']} | "
        f"{r['bereik']} | {r['gekalibreerd']} | {r['bron']} |"
        for r in parameter_rows()
    ]
    return "\n".join(lines) + "\n"


def _edges() -> list[tuple[str, str, str]]:
    """Flows between stocks, one edge per pair with the flow numbers and labels joined."""
    names = {s.name for s in STOCKS}
    merged: dict[tuple[str, str], list[str]] = {}
    for f in FLOWS:
        sources = (
            sorted(names - {"child_protection", "juvenile_probation"})
            if f.source == "alle toestanden"
            else f.source.split("|")
        )
        for src in sources:
            for dst in f.target.split("|"):
                if src in names and dst in names:
                    label = f"({f.number}) {f.label_nl}"
                    if label not in merged.setdefault((src, dst), []):
                        merged[(src, dst)].append(label)
    overlay_from_all = {
        k for k, v in merged.items() if k[1] in ("child_protection", "juvenile_probation")
    }
    edges = [(a, b, "\n".join(v)) for (a, b), v in merged.items() if (a, b) not in overlay_from_all]
    for target in ("child_protection", "juvenile_probation"):
        labels = {"\n".join(v) for (a, b), v in merged.items() if b == target}
        if labels:  # drawn once from the base, labelled as coming from every state
            edges.append(("base", target, next(iter(labels)) + "\n(uit elke toestand)"))
    return edges


def dot() -> str:
    """The stock-and-flow structure in Graphviz DOT."""
    out = ["digraph jeugdstelsel {", "  rankdir=LR; node [shape=box, style=rounded];"]
    for s in STOCKS:
        style = ', style="rounded,dashed"' if s.kind == "overlay" else ""
        out.append(f'  {s.name} [label="{s.label_nl}"{style}];')
    out += [f'  {a} -> {b} [label="{label}"];' for a, b, label in _edges()]
    out.append("}")
    return "\n".join(out) + "\n"


def diagram(path: Path) -> Path:
    """Write the stock-and-flow diagram (.dot as text; .png/.svg/.pdf drawn with matplotlib)."""
    path = Path(path)
    if path.suffix == ".dot":
        path.write_text(dot(), encoding="utf-8")
        return path
    fig, ax = plt.subplots(figsize=(14, 8))
    ax.set_xlim(-0.9, 10.0)
    ax.set_ylim(-0.8, 5.4)
    ax.axis("off")
    for s in STOCKS:
        x, y = LAYOUT[s.name]
        dashed = s.kind == "overlay"
        ax.add_patch(
            FancyBboxPatch(
                (x - 0.85, y - 0.3),
                1.7,
                0.6,
                boxstyle="round,pad=0.05",
                facecolor="#f7fbff" if not dashed else "#fff7ec",
                edgecolor="#08306b",
                linestyle="--" if dashed else "-",
                linewidth=1.5,
                zorder=3,
            )
        )
        ax.text(x, y, s.label_nl, ha="center", va="center", fontsize=10, weight="bold", zorder=4)
    seen: dict[tuple[str, str], int] = {}
    for a, b, label in _edges():
        (x1, y1), (x2, y2) = LAYOUT[a], LAYOUT[b]
        k = seen.get((a, b), 0) + seen.get((b, a), 0)
        seen[(a, b)] = seen.get((a, b), 0) + 1
        rad = 0.12 + 0.18 * k
        ax.add_patch(
            FancyArrowPatch(
                (x1, y1),
                (x2, y2),
                connectionstyle=f"arc3,rad={rad}",
                arrowstyle="-|>",
                mutation_scale=14,
                color="#4d4d4d",
                shrinkA=30,
                shrinkB=30,
                linewidth=1,
                linestyle="--" if "overlay" in (a, b) else "-",
            )
        )
        mx, my = (x1 + x2) / 2, (y1 + y2) / 2
        ax.text(
            mx + rad * (y2 - y1) * 0.5,
            my - rad * (x2 - x1) * 0.5,
            label,
            fontsize=6.5,
            ha="center",
            va="center",
            color="#252525",
            bbox={"facecolor": "white", "edgecolor": "none", "alpha": 0.8, "pad": 1},
        )
    ax.set_title("jeugdstelsel: voorraden en stromen (stippellijn: overlay)", fontsize=12)
    fig.savefig(path, dpi=110, bbox_inches="tight")
    plt.close(fig)
    return path
