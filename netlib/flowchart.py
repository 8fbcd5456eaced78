"""The decision algorithm as a flowchart, generated from the decision tables.

``to_dot()`` writes Graphviz DOT text from :data:`netlib.pathway.RULES` (standard
library only); ``render_svg()`` runs Graphviz ``dot`` to make SVG at build time.
No hand-drawn copy exists: change a rule and the chart changes with it.
"""

from __future__ import annotations

import shutil
import subprocess
from collections import OrderedDict

from . import therapies
from .pathway import CERTAIN, NOT_RECOMMENDED, OTHER, PREFERRED, RULES, TABLES

# The guideline's stages (seed guideline, "Clinical decision-making algorithm"), in order.  Each
# decision table hangs off the stage whose question routes a patient to it.
STAGES = (
    ("diagnosis", "Confirm diagnosis and grade\n(WHO 2019 / WHO 2021)"),
    ("extent", "Assess extent and SSTR status\n(SSTR PET, symptoms, burden, growth)"),
    ("advanced", "Unresectable or metastatic\nNET"),
    ("progressive", "Progressive disease"),
)
STAGE_OF_TABLE = {
    "workup": "diagnosis",
    "localised": "extent",
    "first_line": "advanced",
    "syndromes": "advanced",
    "thoracic": "advanced",
    "high_grade": "diagnosis",
    "progression": "progressive",
    "trials": "progressive",
    "exclusions": "diagnosis",
}
TIER_COLOURS = {
    PREFERRED: "#1b7837",
    OTHER: "#5aae61",
    CERTAIN: "#a6a6a6",
    NOT_RECOMMENDED: "#b2182b",
    "missing": "#e08214",
    "advice": "#2166ac",
}
REDIRECT_LABEL = "NEC:\nits own pathway\n(platinum-etoposide)"


def _quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def _groups(rules) -> "OrderedDict[tuple, list]":
    """One node per (option or item, best tier) in a table: the rows behind it are listed in it."""
    groups: "OrderedDict[tuple, list]" = OrderedDict()
    for rule in rules:
        if rule.kind == "missing":
            key = ("missing", rule.item)
        elif rule.kind == "advice":
            key = ("advice", "work-up advice")
        else:
            key = (rule.kind, rule.option)
        groups.setdefault(key, []).append(rule)
    return groups


def _tier_rank(tier: str) -> int:
    order = (PREFERRED, OTHER, CERTAIN, NOT_RECOMMENDED, "missing", "advice")
    return order.index(tier)


def to_dot() -> str:
    """Graphviz DOT for the whole algorithm: per table, one node per option (best tier) or item."""
    lines = [
        "digraph netlib_pathway {",
        '  graph [rankdir=LR, compound=true, fontname="DejaVu Sans", fontsize=11, nodesep=0.15, ranksep=0.5];',
        '  node [shape=box, style="rounded,filled", fillcolor="#ffffff", fontname="DejaVu Sans", fontsize=10];',
        '  edge [fontname="DejaVu Sans", fontsize=9];',
    ]
    for stage_id, label in STAGES:
        lines.append(f'  stage_{stage_id} [label={_quote(label)}, fillcolor="#dde7f3", penwidth=1.5];')
    lines.append(f'  redirect [label={_quote(REDIRECT_LABEL)}, fillcolor="#fde0dd"];')
    lines.append('  stage_diagnosis -> redirect [label="poorly differentiated"];')
    lines.append('  stage_diagnosis -> stage_extent [label="well differentiated"];')
    lines.append('  stage_extent -> stage_advanced [label="unresectable or metastatic"];')
    lines.append('  stage_advanced -> stage_progressive [label="progression"];')

    by_table: "OrderedDict[str, list]" = OrderedDict((table, []) for table in TABLES)
    for rule in RULES:
        by_table[rule.table].append(rule)
    for table, rules in by_table.items():
        if not rules:
            continue
        lines.append(f"  subgraph cluster_{table} {{")
        lines.append(f'    label={_quote(TABLES[table])}; style="rounded"; color="#888888";')
        first = None
        for number, ((kind, what), group) in enumerate(_groups(rules).items()):
            best = min((r.tier for r in group), key=_tier_rank)
            if kind == "missing":
                title, verb = f"asks for: {what}", "missing information"
            elif kind == "advice":
                title, verb = "work-up advice", "advice"
            else:
                title = therapies.name(what)
                verb = "excluded" if kind == "exclude" else best
            ids = ", ".join(r.id for r in group)
            node = f"{table}_{number}"
            first = first or node
            tooltip = " | ".join(f"{r.id}: {r.rationale}" for r in group)
            label = _quote(title + "\n(" + verb + ")\n" + ids)
            lines.append(f'    {node} [label={label}, color="{TIER_COLOURS[best]}", '
                         f'penwidth=2, tooltip={_quote(tooltip)}];')
        lines.append("  }")
        lines.append(f'  stage_{STAGE_OF_TABLE[table]} -> {first} [lhead=cluster_{table}, style=dashed];')
    lines.append("}")
    return "\n".join(lines) + "\n"


def render_svg(dot_text: str | None = None) -> str:
    """SVG from Graphviz ``dot``; a clear error if Graphviz is not installed."""
    executable = shutil.which("dot")
    if executable is None:
        raise RuntimeError("Graphviz 'dot' is needed to draw the flowchart (Debian package graphviz); "
                           "`make book` installs it")
    completed = subprocess.run([executable, "-Tsvg"], input=dot_text or to_dot(), capture_output=True,
                               text=True, timeout=60, check=False)
    if completed.returncode != 0:
        raise RuntimeError(f"Graphviz failed: {completed.stderr.strip()}")
    svg = completed.stdout
    return svg[svg.index("<svg"):]  # drop the XML prolog and DOCTYPE so the SVG can be inlined
