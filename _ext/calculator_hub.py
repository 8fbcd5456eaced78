"""The calculators hub: every calculator of netlib's registry, by clinical question, one click away.

The ``netlib-calculator-hub`` directive lists each registered calculator under the clinical
question it answers, as its own heading (so the site's search finds a calculator by its clinical
name, and ranks the hub's heading first), with what it is for and a link to its live form: the
section a chapter labels ``(calc-<id>)=``, else the chapter that displays it.  A calculator that
no chapter shows is listed as such (and fails the site tests), never silently left out.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from docutils import nodes
from docutils.statemachine import StringList
from sphinx.util.docutils import SphinxDirective
from sphinx.util.osutil import relative_uri

# netlib's modules by the clinical question their calculators answer, in the order of the book.
QUESTIONS = (
    ("grading", "Grading: how aggressive is the tumour?"),
    ("imaging", "SSTR imaging: is uptake enough for PRRT?"),
    ("staging", "Staging: how far has it spread?"),
    ("response", "Response: is the disease growing?"),
    ("renal", "Kidney function: is PRRT safe for the kidneys?"),
    ("prrt", "PRRT: is this patient eligible?"),
    ("cart", "CAR-T toxicity: how severe is it?"),
)


def _forms_and_labels(srcdir: Path) -> tuple[dict[str, str], set[str]]:
    """calculator id -> docname of the chapter that displays it; the calc-* labels the chapters set."""
    pages, labels = {}, set()
    for notebook in sorted((srcdir / "notebooks").glob("*.ipynb")):
        docname = f"notebooks/{notebook.stem}"
        for cell in json.loads(notebook.read_text(encoding="utf-8"))["cells"]:
            source = "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]
            if cell["cell_type"] == "markdown":
                labels |= set(re.findall(r"^\((calc-[\w-]+)\)=", source, re.MULTILINE))
            else:
                for calculator_id in re.findall(r'CalculatorForm\(\s*"(\w+)"', source):
                    pages.setdefault(calculator_id, docname)
    return pages, labels


def _one_line(text: str) -> str:
    return " ".join((text or "").split())


class CalculatorHub(SphinxDirective):
    has_content = False

    def run(self):
        from netlib.calculators import all_calculators

        srcdir = Path(self.env.srcdir)
        pages, labels = _forms_and_labels(srcdir)
        for notebook in (srcdir / "notebooks").glob("*.ipynb"):
            self.env.note_dependency(str(notebook))
        calculators = all_calculators()
        modules = [m for m, _ in QUESTIONS] + sorted({c.module.rsplit(".", 1)[-1] for c in calculators}
                                                       - {m for m, _ in QUESTIONS})
        question = dict(QUESTIONS)
        lines: list[str] = []
        for module in modules:
            members = [c for c in calculators if c.module.rsplit(".", 1)[-1] == module]
            if not members:
                continue
            lines += [f"## {question.get(module, module.capitalize())}", ""]
            for calculator in members:
                label = "calc-" + calculator.id.replace("_", "-")
                lines += [f"### {calculator.title}", ""]
                lines.append(_one_line(calculator.summary))
                if calculator.when_to_use:
                    lines += ["", f"*When to use:* {_one_line(calculator.when_to_use)}"]
                lines.append("")
                if calculator.id in pages:
                    # Straight to the live form (its #live-<id> anchor, _ext/live_forms.py); the section
                    # around it explains when to use it and its evidence.
                    target = relative_uri(self.env.app.builder.get_target_uri(self.env.docname),
                                          self.env.app.builder.get_target_uri(pages[calculator.id]))
                    anchor = "live-" + calculator.id.replace("_", "-")
                    about = f"{{ref}}`about this calculator <{label}>`" if label in labels else \
                        f"{{doc}}`its chapter </{pages[calculator.id]}>`"
                    lines.append(f'<a class="netlib-hub-open" href="{target}#{anchor}">Open the calculator</a> · '
                                 f"{about}")
                else:
                    lines.append("No chapter shows this calculator yet.")
                lines.append("")
        container = nodes.section(classes=["netlib-hub"])
        self.state.nested_parse(StringList(lines, source=self.env.docname), self.content_offset, container,
                                match_titles=True)
        return container.children


def setup(app):
    app.add_directive("netlib-calculator-hub", CalculatorHub)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
