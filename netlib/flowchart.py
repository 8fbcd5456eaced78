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
    ("advanced", "Unresectable or metastatic\nG1/G2 NET"),
    ("progressive", "Progressive disease"),
)
STAGE_OF_TABLE = {
    "localised": "extent",
    "advanced": "advanced",
    "syndrome": "advanced",
    "progressive": "progressive",
    "trials": "progressive",
    "exclusions": "diagnosis",
}
TIER_COLOURS = {
    PREFERRED: "#1b7837",
    OTHER: "#5aae61",
    CERTAIN: "#a6a6a6",
    NOT_RECOMMENDED: "#b2182b",
}
REDIRECT_LABEL = "NEC or NET G3:\nseparate pathway\n(redirected)"


def _quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def to_dot() -> str:
    """Graphviz DOT for the whole algorithm, one node per rule, coloured by tier."""
    lines = [
        "digraph netlib_pathway {",
        '  graph [rankdir=LR, compound=true, fontname="DejaVu Sans", fontsize=11, nodesep=0.15, ranksep=0.5];',
        '  node [shape=box, style="rounded,filled", fillcolor="#ffffff", fontname="DejaVu Sans", fontsize=10];',
        '  edge [fontname="DejaVu Sans", fontsize=9];',
    ]
    for stage_id, label in STAGES:
        lines.append(f'  stage_{stage_id} [label={_quote(label)}, fillcolor="#dde7f3", penwidth=1.5];')
    lines.append(f'  redirect [label={_quote(REDIRECT_LABEL)}, fillcolor="#fde0dd"];')
    lines.append('  stage_diagnosis -> redirect [label="poorly differentiated, or G3"];')
    lines.append('  stage_diagnosis -> stage_extent [label="G1/G2"];')
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
        for rule in rules:
            option = therapies.name(rule.option) if rule.option else ""
            verb = "excludes" if rule.tier == NOT_RECOMMENDED else rule.tier
            label = f"{rule.id}\n{option}\n({verb})"
            colour = TIER_COLOURS[rule.tier]
            lines.append(f'    rule_{rule.id.replace("-", "_")} [label={_quote(label)}, color="{colour}", '
                         f'penwidth=2, tooltip={_quote(rule.rationale)}];')
        lines.append("  }")
        first = rules[0].id.replace("-", "_")
        lines.append(f'  stage_{STAGE_OF_TABLE[table]} -> rule_{first} [lhead=cluster_{table}, style=dashed];')
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
