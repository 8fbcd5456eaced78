"""netlib: the executable core of the low-grade neuroendocrine tumour guideline book.

The clinical logic (calculators, decision tables, recommend) imports only the
standard library, so the same code runs in CPython, in Jupyter and in the
browser under Pyodide.  Widgets, reports and plots live in optional layers that
import their dependencies lazily.

Not a medical device; verify before clinical use.
"""

from .inputs import InputError
from .registry import Result

__version__ = "0.1.0"

INTENDED_USE = (
    "Decision support for clinicians who treat well-differentiated, low-grade (G1/G2) "
    "neuroendocrine tumours: it organises published guideline recommendations and "
    "validated calculators for discussion at a multidisciplinary tumour board. "
    "It does not replace clinical judgement."
)
NOT_A_MEDICAL_DEVICE = "Not a medical device; verify every result before clinical use."



def calc(calculator_id: str, /, **values):
    """Evaluate one calculator by its id: ``netlib.calc("who_gep_grade", differentiation="well", ki67_percent=4)``."""
    from .registry import get

    return get(calculator_id).evaluate(values)


def recommend(patient=None, /, **fields):
    """The decision algorithm for one patient (:func:`netlib.pathway.recommend`)."""
    from .pathway import recommend as _recommend

    return _recommend(patient, **fields)


__all__ = ["InputError", "Result", "calc", "recommend", "INTENDED_USE", "NOT_A_MEDICAL_DEVICE", "__version__"]
