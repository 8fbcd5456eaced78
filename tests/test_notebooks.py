"""The notebooks run, and their clinically decisive outputs have not changed.

* papermill executes every notebook from a clean kernel (a cell error fails the test);
* ``pytest --nbval-lax`` re-runs every notebook and compares the cells tagged
  ``nbval-check-output`` (the worked examples that print a grade, a category or a
  dose-relevant result) with the outputs stored in the notebook;
* structural checks keep that comparison meaningful: every decisive cell has a stored
  reference output, widget cells are tagged ``nbval-ignore-output``, and every registered
  calculator has a page with a form and a checked worked example.

Refresh the stored outputs after a deliberate change with
``python scripts/build_book.py --store-outputs`` and review the diff.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
ALL_NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
SANITIZE = ROOT / "tests" / "sanitize.cfg"


def _book_notebooks() -> list[Path]:
    """The chapters: the notebooks listed in _toc.yml."""
    listed = re.findall(r"^\s*(?:-\s*file|root):\s*(notebooks/[\w.-]+)\s*$",
                        (ROOT / "_toc.yml").read_text(encoding="utf-8"), re.MULTILINE)
    return [ROOT / (name if name.endswith(".ipynb") else name + ".ipynb") for name in listed]


NOTEBOOKS = _book_notebooks()
# Parameterised templates (not chapters) run with a synthetic example, as `netlib report` runs them.
TEMPLATE_PARAMETERS = {
    "patient-report": lambda: {"patient": dict(__import__("netlib.examples", fromlist=["x"])
                                               .PATIENT_EXAMPLES["progressive-midgut-on-ssa"]),
                               "provenance": {"patient_id": "synthetic example", "source": "test_notebooks"}},
}

pytestmark = pytest.mark.book


def _cells(path: Path) -> list[dict]:
    return json.loads(path.read_text(encoding="utf-8"))["cells"]


def _source(cell: dict) -> str:
    return "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]


def _tags(cell: dict) -> set[str]:
    return set(cell.get("metadata", {}).get("tags", []))


def test_there_are_notebooks():
    assert len(NOTEBOOKS) >= 8, [p.name for p in NOTEBOOKS]
    missing = [p.name for p in NOTEBOOKS if not p.exists()]
    assert not missing, f"listed in _toc.yml but missing: {missing}"


@pytest.mark.parametrize("path", ALL_NOTEBOOKS, ids=[p.stem for p in ALL_NOTEBOOKS])
def test_papermill_executes_notebook(path, tmp_path):
    import papermill

    parameters = TEMPLATE_PARAMETERS[path.stem]() if path.stem in TEMPLATE_PARAMETERS else None
    if path not in NOTEBOOKS and parameters is None:
        pytest.fail(f"{path.name} is neither in _toc.yml nor a known template: add it to one of them")
    papermill.execute_notebook(str(path), str(tmp_path / path.name), parameters=parameters,
                               cwd=str(path.parent), kernel_name="python3", progress_bar=False,
                               log_output=False)
    executed = json.loads((tmp_path / path.name).read_text(encoding="utf-8"))
    errors = [o for c in executed["cells"] for o in c.get("outputs", []) if o.get("output_type") == "error"]
    assert not errors


def test_nbval_lax_over_all_notebooks():
    """nbval in lax mode: every cell runs; cells tagged nbval-check-output must match their stored output."""
    command = [sys.executable, "-m", "pytest", "--nbval-lax", "--nbval-current-env",
               "--nbval-sanitize-with", str(SANITIZE), "-p", "no:cacheprovider", "-q",
               "-o", "addopts=", *map(str, NOTEBOOKS)]
    result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=900)
    tail = "\n".join(result.stdout.splitlines()[-40:])
    assert result.returncode == 0, f"nbval failed:\n{tail}\n{result.stderr[-2000:]}"
    assert re.search(r"\d+ passed", tail), tail


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_decisive_cells_have_reference_outputs(path):
    """A checked cell without a stored output would pass trivially."""
    for index, cell in enumerate(_cells(path)):
        if cell["cell_type"] == "code" and "nbval-check-output" in _tags(cell):
            assert cell.get("execution_count") is not None and cell.get("outputs"), (
                f"{path.name} cell {index} is checked by nbval but has no stored output: "
                "run python scripts/build_book.py --store-outputs")
            assert all(o.get("output_type") != "error" for o in cell["outputs"])


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_widget_cells_are_excluded_from_output_comparison(path):
    for index, cell in enumerate(_cells(path)):
        if cell["cell_type"] == "code" and "CalculatorForm(" in _source(cell):
            assert "nbval-ignore-output" in _tags(cell), f"{path.name} cell {index}"


def test_every_calculator_has_a_page_with_form_and_checked_example():
    import netlib.calculators

    forms, checked, labels = set(), set(), set()
    for path in NOTEBOOKS:
        for cell in _cells(path):
            text = _source(cell)
            if cell["cell_type"] == "markdown":
                labels.update(re.findall(r"^\(calc-([\w-]+)\)=", text, re.MULTILINE))
                continue
            forms.update(re.findall(r"CalculatorForm\(\s*\"(\w+)\"", text))
            if "nbval-check-output" in _tags(cell):
                checked.update(re.findall(r"example_text\(\s*\"(\w+)\"", text))
    for calculator_id in netlib.calculators.list_ids():
        assert calculator_id in forms, f"{calculator_id} has no form in the notebooks"
        assert calculator_id in checked, f"{calculator_id} has no nbval-checked worked example"
        assert calculator_id.replace("_", "-") in labels, f"{calculator_id} has no (calc-...)= label"
