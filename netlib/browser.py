"""The bridge the website's live forms call under Pyodide: JSON in, JSON out.

The browser never computes anything itself: it sends the form's values (as text,
exactly as typed) and shows what comes back.  Bad input comes back as
``{"ok": false, "error": {"field", "label", "value", "accepted", "message", "hint"}}`` so the
page can put the message next to the field; it is never a traceback.  A result comes back as netlib
returns it (``result``) and with its sentences in the reader's words (``plain``: a field id or a coded
choice that slipped into a sentence becomes its label).

Messages here are for readers of the site, so they speak the field's label and unit, never its
id (the CLI keeps the ids): "Ki-67 index must be a number between 0 and 100 %; you entered 120".
A decimal comma ("3,5") is refused with the hint to use a point, and a value that fits the field
once converted from a neighbouring unit (120 for haemoglobin in g/dL) gets a "did you mean" hint.
Standard library only.
"""

from __future__ import annotations

import functools
import json
import re
from typing import Any

from . import NOT_A_MEDICAL_DEVICE, __version__
from .inputs import InputError

# Units a reader may confuse with the declared one: (declared unit, other unit, multiply the
# typed value by this to get the declared unit).  Haemoglobin and albumin are reported in g/L in
# most European laboratories and in g/dL in the US; creatinine in µmol/L or mg/dL (88.4 µmol/L per
# mg/dL, KDIGO 2012).
UNIT_CONFUSIONS: tuple[tuple[str, str, float], ...] = (
    ("g/dL", "g/L", 0.1),
    ("g/L", "g/dL", 10.0),
    ("mg/dL", "µmol/L", 1 / 88.4),
    ("µmol/L", "mg/dL", 88.4),
)
DECIMAL_COMMA = re.compile(r"^\s*[-+]?\d+,\d+\s*$")
THOUSANDS = re.compile(r"^\s*\d{1,3}(?:[,.' ]\d{3})+\s*$")


def _clean(values: dict[str, Any]) -> dict[str, Any]:
    # An empty form field means "not given".
    return {k: v for k, v in values.items() if v is not None and v != ""}


# The patient form's groups, in the order a clinician fills them in.  A field joins the group whose
# words its id contains (prior therapy is tried first: "prior_liver_directed_therapy"); the page keeps the schema's own order inside each group, and a field
# no group names goes to "Other" (so a new field is never lost).
FIELD_GROUPS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("Tumour", ("primary_site", "differentiation", "ki67", "mitoses", "necrosis", "grade", "morphology",
                "tumour_size", "gastric", "functioning", "syndrome", "hereditary", "multifocal", "invasion",
                "appendix", "nodes", "msi", "tmb")),
    ("Patient", ("age_years", "sex", "weight")),
    ("Extent and imaging", ("extent", "resectable", "liver", "extrahepatic", "primary_resected", "burden",
                            "sstr", "krenning", "fdg", "metasta")),
    ("Disease status", ("disease_status", "recist", "sum_diameters", "interval", "stable_disease", "progress",
                        "since_diagnosis")),
    ("Prior therapy", ("prior_", "prrt_")),
    ("Fitness", ("ecog", "karnofsky")),
    ("Laboratory", ("creatinine", "clearance", "haemoglobin", "hemoglobin", "wbc", "platelet", "bilirubin",
                    "albumin", "prothrombin", "neutrophil", "alt_", "ast_")),
    ("Trials", ("trial",)),
)


def field_groups(schema: dict) -> list[dict]:
    """The schema's fields in titled groups, schema order kept inside each group."""
    order = schema.get("x-order") or list(schema["properties"])
    groups: dict[str, list[str]] = {title: [] for title, _ in FIELD_GROUPS}
    groups["Other"] = []
    tried = sorted(FIELD_GROUPS, key=lambda group: group[0] != "Prior therapy")
    for name in order:
        title = next((title for title, words in tried if any(word in name for word in words)), "Other")
        groups[title].append(name)
    return [{"title": title, "fields": names} for title, names in groups.items() if names]


@functools.lru_cache(maxsize=None)
def _patient_schema() -> dict:
    from .pathway import patient_schema

    schema = patient_schema()
    schema["x-groups"] = field_groups(schema)
    return schema


@functools.lru_cache(maxsize=None)
def _calculator_schema(calculator_id: str) -> dict:
    from .calculators import get

    return get(calculator_id).schema()


def schemas_json() -> str:
    """Every calculator's JSON Schema and the patient schema, keyed by id (built into the site)."""
    from .calculators import all_calculators

    return json.dumps({"version": __version__, "notice": NOT_A_MEDICAL_DEVICE,
                       "calculators": {c.id: _calculator_schema(c.id) for c in all_calculators()},
                       "patient": _patient_schema()}, ensure_ascii=False, sort_keys=False)


# --- Plain language ------------------------------------------------------------------------------

def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:.3g}"


@functools.lru_cache(maxsize=None)
def _vocabulary(schema_json: str) -> tuple[tuple[re.Pattern, dict[str, str]], ...]:
    """Field ids and coded choice values of a schema -> the words a reader sees."""
    schema = json.loads(schema_json)
    words: dict[str, str] = {}
    for name, prop in schema["properties"].items():
        for choice, label in zip(prop.get("enum") or (), prop.get("x-enum-labels") or ()):
            if "_" in choice:  # coded values only; plain words ("pancreas") read well as they are
                words.setdefault(choice, label)
    titles = [prop.get("title") for prop in schema["properties"].values()]
    for name, prop in schema["properties"].items():
        if "_" not in name:
            continue  # a one-word id ("hypotension") is also a plain word of the prose: leave it
        title = prop.get("title") or name.replace("_", " ")
        if titles.count(title) > 1 and prop.get("x-unit"):
            title = f"{title} in {prop['x-unit']}"  # two fields, one quantity: the unit tells them apart
        words[name] = title
    if not words:
        return ()
    pattern = re.compile(r"(?<![\w-])(" + "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))
                         + r")(?![\w-])")
    return ((pattern, words),)


def plain_text(text: str, schema: dict) -> str:
    """Replace field ids and coded choice values in a message by their labels."""
    for pattern, words in _vocabulary(json.dumps(schema, sort_keys=True)):
        text = pattern.sub(lambda match: words[match.group(1)], text)
    return text


def _accepted(prop: dict) -> str:
    if prop.get("enum"):
        labels = prop.get("x-enum-labels") or prop["enum"]
        return "one of: " + "; ".join(labels)
    if prop.get("type") == "boolean":
        return "yes or no"
    return prop.get("x-accepted") or "a value"


def _unit_hint(prop: dict, number: float) -> str:
    unit = prop.get("x-unit") or ""
    low = prop.get("minimum", prop.get("exclusiveMinimum"))
    high = prop.get("maximum", prop.get("exclusiveMaximum"))
    for declared, other, factor in UNIT_CONFUSIONS:
        if declared != unit:
            continue
        converted = number * factor
        if (low is None or converted >= low) and (high is None or converted <= high):
            return (f"This field is in {unit}: if you typed a value in {other}, "
                    f"{_number(number)} {other} is {_number(converted)} {unit}.")
    return ""


def plain_error(error: InputError, schema: dict) -> dict:
    """The error as a reader should see it: label, unit, what is accepted, and a hint."""
    prop = schema["properties"].get(error.field)
    answer = error.as_dict()
    if prop is None:
        answer.update(label=None, hint="", message=plain_text(str(error), schema))
        return answer
    label = prop.get("title") or error.field
    value = error.value
    typed = value.strip() if isinstance(value, str) else value
    numeric = prop.get("type") in ("number", "integer")
    hint = ""
    own_message = str(error) != InputError(error.field, value, error.accepted).args[0]
    if (typed is None or typed == "") and str(error).startswith(f"{error.field} is required"):
        message = f"{label} is required ({_accepted(prop)})."
    elif own_message and not (numeric and isinstance(typed, str)):
        # A cross-field rule's own sentence: keep it, in the reader's words.
        message = plain_text(str(error), schema)
        message = message[:1].upper() + message[1:]
    elif numeric and isinstance(typed, str) and DECIMAL_COMMA.match(typed) and prop["type"] == "number":
        message = f"{label}: use a point for decimals: {typed.replace(',', '.')}, not {typed}."
        hint = "use a point"
    elif numeric and isinstance(typed, str) and THOUSANDS.match(typed):
        message = f"{label}: type the number without separators: {re.sub(r'[^0-9]', '', typed)}, not {typed}."
        hint = "no separators"
    elif numeric and isinstance(typed, str) and DECIMAL_COMMA.match(typed):
        message = f"{label} must be a whole number; you entered {typed}."
        hint = "use a point"
    else:
        shown = f"'{typed}'" if isinstance(typed, str) and not numeric else str(typed)
        if prop.get("enum"):
            message = f"Choose {label} from the list ({_accepted(prop)}); {shown} is not one of them."
        else:
            message = f"{label} must be {_accepted(prop)}; you entered {shown}."
        if numeric:
            try:
                hint = _unit_hint(prop, float(str(typed).strip()))
            except ValueError:
                hint = ""
            if hint:
                message += " " + hint
    answer.update(label=label, accepted=_accepted(prop), message=message, hint=hint)
    return answer


def _plain_result(data: Any, schema: dict) -> Any:
    """Every sentence of a result in the reader's words (ids and codes stay in id-like keys)."""
    if isinstance(data, str):
        return plain_text(data, schema)
    if isinstance(data, list):
        return [_plain_result(item, schema) for item in data]
    if isinstance(data, dict):
        return {key: value if key in _CODE_KEYS else _plain_result(value, schema) for key, value in data.items()}
    return data


# Keys whose values are codes the page matches on (options, rule ids, citation keys), not prose.
_CODE_KEYS = frozenset({"option", "rule_id", "citations", "calculator", "category", "tier", "kind", "facts",
                        "derived", "pathway", "ruleset_version", "value", "unit", "table", "id"})


# --- How serious a category is ---------------------------------------------------------------------

# A calculator declares its categories from the most favourable to the least (NET G1 ... NEC, CR ... PD,
# no CRS ... grade 4).  Where the declared order is not one of severity, the tone is named here.
TONE_OVERRIDES: dict[str, dict[str, str]] = {
    "tumour_growth_rate": {"high": "bad", "low": "good", "not applicable": "neutral"},
    "doubling_time": {"growing": "caution", "no growth": "good"},
    "prrt_eligibility": {"incomplete": "neutral"},
    "crs_grade": {"grade 4": "bad", "grade 5": "bad"},
    "icans_grade": {"grade 4": "bad", "grade 5": "bad"},
}


def severity(calculator_id: str, category: str | None) -> dict | None:
    """Where a category sits on its calculator's scale: rank, size of the scale and a tone.

    The page shows the tone as a colour *and* as text (never colour alone).
    """
    categories = _calculator_schema(calculator_id)["x-calculator"]["categories"]
    if category is None or category not in categories:
        return None
    overrides = TONE_OVERRIDES.get(calculator_id, {})
    ranked = [c for c in categories if overrides.get(c) != "neutral"]
    if category in overrides:
        tone = overrides[category]
    elif len(ranked) <= 1:
        tone = "neutral"
    else:
        position = ranked.index(category) / (len(ranked) - 1)
        tone = "good" if position == 0 else "bad" if position == 1 else "caution"
    rank = ranked.index(category) + 1 if category in ranked else None
    return {"tone": tone, "rank": rank, "of": len(ranked), "scale": ranked}


# --- The two operations ---------------------------------------------------------------------------

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
        calculator = get(calculator_id)
        result = calculator.evaluate(_clean(values))
    except InputError as error:
        try:
            schema = _calculator_schema(calculator_id)
        except InputError:
            return json.dumps({"ok": False, "error": error.as_dict()}, ensure_ascii=False)
        return json.dumps({"ok": False, "error": plain_error(error, schema)}, ensure_ascii=False)
    schema = _calculator_schema(calculator_id)
    data = result.as_dict()
    return json.dumps({"ok": True, "result": data, "plain": _plain_result(data, schema),
                       "headline": result.headline(), "severity": severity(calculator_id, result.category)},
                      ensure_ascii=False)


def recommend(values_json: str) -> str:
    """Run the decision algorithm from a JSON object of patient fields.

    A field the algorithm refuses is set aside and named in ``errors``; the recommendation is then
    made from the other fields (``"partial": true``), so one slip does not blank the whole list.
    """
    from .pathway import recommend as run

    schema = _patient_schema()
    try:
        values = json.loads(values_json)
        if not isinstance(values, dict):
            raise InputError("values", values, "a JSON object of patient fields")
    except InputError as error:
        return json.dumps({"ok": False, "error": error.as_dict()}, ensure_ascii=False)
    values = _clean(values)
    errors: list[dict] = []
    while True:
        try:
            result = run(values)
            break
        except InputError as error:
            errors.append(plain_error(error, schema))
            if error.field not in values:
                return json.dumps({"ok": False, "error": errors[-1], "errors": errors}, ensure_ascii=False)
            del values[error.field]
    data = result.as_dict()
    answer = {"ok": True, "result": data, "plain": _plain_result(data, schema)}
    if errors:
        answer.update(partial=True, errors=errors, error=errors[0])
    return json.dumps(answer, ensure_ascii=False, default=str)
