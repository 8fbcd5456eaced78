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
    assert "COUNT 16" in completed.stdout


def test_site_packages_really_absent_in_probe():
    # The probe is meaningful only if third-party packages cannot be imported there.
    completed = subprocess.run([sys.executable, "-I", "-S", "-c", "import pytest"], capture_output=True,
                               text=True, timeout=60)
    assert completed.returncode != 0
