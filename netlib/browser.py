"""The bridge the website's live forms call under Pyodide: JSON in, JSON out.

The browser never computes anything itself: it sends the form's values (as text,
exactly as typed) and shows what comes back.  Bad input comes back as
``{"ok": false, "error": {"field", "value", "accepted", "message"}}`` so the page can
put the message next to the field; it is never a traceback.  Standard library only.
"""

from __future__ import annotations

import json
from typing import Any

from . import NOT_A_MEDICAL_DEVICE, __version__
from .inputs import InputError


def _clean(values: dict[str, Any]) -> dict[str, Any]:
    # An empty form field means "not given".
    return {k: v for k, v in values.items() if v is not None and v != ""}


def schemas_json() -> str:
    """Every calculator's JSON Schema and the patient schema, keyed by id (built into the site)."""
    from .calculators import all_calculators
    from .pathway import patient_schema

    return json.dumps({"version": __version__, "notice": NOT_A_MEDICAL_DEVICE,
                       "calculators": {c.id: c.schema() for c in all_calculators()},
                       "patient": patient_schema()}, ensure_ascii=False, sort_keys=False)


def calculate(calculator_id: str, values_json: str) -> str:
    """Evaluate one calculator from a JSON object of field values.

    The answer also carries the result's one-line ``headline`` (value with unit and/or
    category), formatted by netlib so that the page shows exactly what Python shows.
    """
    from .calculators import get

    try:
        values = json.loads(values_json)
        if not isinstance(values, dict):
            raise InputError("values", values, "a JSON object of field values")
        result = get(calculator_id).evaluate(_clean(values))
    except InputError as error:
        return json.dumps({"ok": False, "error": error.as_dict()}, ensure_ascii=False)
    return json.dumps({"ok": True, "result": result.as_dict(), "headline": result.headline()}, ensure_ascii=False)


def recommend(values_json: str) -> str:
    """Run the decision algorithm from a JSON object of patient fields."""
    from .pathway import recommend as run

    try:
        values = json.loads(values_json)
        if not isinstance(values, dict):
            raise InputError("values", values, "a JSON object of patient fields")
        result = run(_clean(values))
    except InputError as error:
        return json.dumps({"ok": False, "error": error.as_dict()}, ensure_ascii=False)
    return json.dumps({"ok": True, "result": result.as_dict()}, ensure_ascii=False, default=str)
