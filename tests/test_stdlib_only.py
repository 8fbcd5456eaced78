"""netlib's clinical core runs with the standard library alone (as it must under Pyodide)."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

# Runs in a fresh interpreter with no site-packages (-S) and isolated mode (-I): only the standard
# library and the repository folder are importable.
PROBE = r"""
import sys
sys.path.insert(0, ROOT)
import netlib, netlib.calculators, netlib.pathway, netlib.evidence, netlib.therapies, netlib.cart
from netlib.examples import CALCULATOR_EXAMPLES
for calc in netlib.calculators.all_calculators():
    result = calc(**CALCULATOR_EXAMPLES[calc.id])
    assert result.calculator == calc.id
netlib.pathway.recommend(primary_site="small_intestine", differentiation="well", ki67_percent=2,
                         extent="metastatic", sstr_imaging="pet", krenning_score=3)
outside = sorted(
    name for name, module in sys.modules.items()
    if name.split(".")[0] not in sys.stdlib_module_names and name.split(".")[0] != "netlib"
    and name not in ("__main__",) and module is not None
)
print("NON_STDLIB", outside)
print("COUNT", len(netlib.calculators.all_calculators()))
"""


def test_core_imports_only_the_standard_library():
    completed = subprocess.run([sys.executable, "-I", "-S", "-c", f"ROOT = {str(ROOT)!r}\n" + PROBE],
                               capture_output=True, text=True, timeout=120)
    assert completed.returncode == 0, completed.stderr
    assert "NON_STDLIB []" in completed.stdout, completed.stdout
    # Every registered calculator loads without third-party packages (the registry, counted here in
    # the full environment, is the reference).
    import netlib.calculators
    assert f"COUNT {len(netlib.calculators.all_calculators())}" in completed.stdout


def test_site_packages_really_absent_in_probe():
    # The probe is meaningful only if third-party packages cannot be imported there.
    completed = subprocess.run([sys.executable, "-I", "-S", "-c", "import pytest"], capture_output=True,
                               text=True, timeout=60)
    assert completed.returncode != 0


# Layers that import an optional extra (ipywidgets for the book, papermill for reports, pandas and Dask
# for netlib.frame): the only modules allowed to need more than the standard library.
OPTIONAL_EXTRA_MODULES = {"widgets", "report", "frame"}


def test_every_other_module_imports_with_the_standard_library_alone():
    names = sorted(p.stem for p in (ROOT / "netlib").glob("*.py")
                   if not p.stem.startswith("__") and p.stem not in OPTIONAL_EXTRA_MODULES)
    probe = (f"import sys, importlib\nsys.path.insert(0, {str(ROOT)!r})\n"
             f"for name in {names!r}:\n    importlib.import_module('netlib.' + name)\n"
             "print('IMPORTED', len(sys.modules))")
    completed = subprocess.run([sys.executable, "-I", "-S", "-c", probe], capture_output=True, text=True, timeout=120)
    assert completed.returncode == 0, completed.stderr
    assert "frame" not in names and "cli" in names
