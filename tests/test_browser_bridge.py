"""The JSON bridge the live web forms call: same answers as the Python API, errors as data."""

import json

import pytest

import netlib.calculators
from netlib import browser
from netlib.examples import CALCULATOR_EXAMPLES, PATIENT_EXAMPLES
from netlib.pathway import recommend


@pytest.mark.parametrize("calculator_id", sorted(CALCULATOR_EXAMPLES))
def test_calculate_matches_python(calculator_id):
    values = CALCULATOR_EXAMPLES[calculator_id]
    # The browser sends what was typed: text for every field.
    as_text = {k: (("yes" if v else "no") if isinstance(v, bool) else str(v)) for k, v in values.items()}
    answer = json.loads(browser.calculate(calculator_id, json.dumps(as_text)))
    assert answer["ok"] is True
    assert answer["result"] == netlib.calculators.get(calculator_id)(**values).as_dict()


def test_bad_input_comes_back_as_a_field_error_not_a_traceback():
    answer = json.loads(browser.calculate("who_gep_grade", json.dumps({"differentiation": "well",
                                                                        "ki67_percent": "120"})))
    # The page's message speaks the field's label and unit, never its id (issue 12); the id stays in "field".
    assert answer == {"ok": False, "error": {
        "field": "ki67_percent", "label": "Ki-67 index", "value": "120", "accepted": "a number between 0 and 100 %",
        "message": "Ki-67 index must be a number between 0 and 100 %; you entered 120.", "hint": ""}}


def test_empty_field_means_not_given():
    answer = json.loads(browser.calculate("who_gep_grade", json.dumps(
        {"differentiation": "well", "ki67_percent": "", "mitoses_per_2mm2": "3"})))
    assert answer["ok"] and answer["result"]["category"] == "NET G2"


def test_non_object_values_are_refused():
    answer = json.loads(browser.calculate("who_gep_grade", "[1, 2]"))
    assert answer["ok"] is False and answer["error"]["field"] == "values"


@pytest.mark.parametrize("name", sorted(PATIENT_EXAMPLES))
def test_recommend_matches_python(name):
    patient = PATIENT_EXAMPLES[name]
    answer = json.loads(browser.recommend(json.dumps(patient)))
    assert answer["ok"] is True
    expected = json.loads(json.dumps(recommend(patient).as_dict(), default=str))
    assert answer["result"] == expected


def test_recommend_error_names_the_field_and_keeps_the_rest():
    """A refused field is set aside and named; the recommendation comes from the other fields."""
    answer = json.loads(browser.recommend(json.dumps({"primary_site": "liver", "differentiation": "well"})))
    assert answer["ok"] is True and answer["partial"] is True
    assert answer["error"]["field"] == "primary_site" and answer["error"]["label"] == "Primary site"
    assert "primary_site" not in answer["error"]["message"]
    assert answer["result"] == json.loads(browser.recommend(json.dumps({"differentiation": "well"})))["result"]


def test_decimal_comma_and_unit_hints():
    comma = json.loads(browser.calculate("who_gep_grade", json.dumps({"differentiation": "well",
                                                                       "ki67_percent": "3,5"})))
    assert comma["error"]["hint"] == "use a point" and "3.5" in comma["error"]["message"]
    separators = json.loads(browser.calculate("ki67_index", json.dumps({"positive_cells": "1,000",
                                                                         "total_cells": "2000"})))
    assert separators["error"]["hint"] == "no separators"
    # 88 µmol/L typed into the mg/dL box: the message offers the conversion (KDIGO: 88.4 µmol/L per mg/dL).
    creatinine = json.loads(browser.calculate("cockcroft_gault", json.dumps(
        {"age_years": 60, "weight_kg": 70, "sex": "male", "creatinine_mg_dl": "88"})))
    assert "µmol/L" in creatinine["error"]["hint"] and "0.995 mg/dL" in creatinine["error"]["hint"]


def test_schemas_cover_every_calculator_and_the_patient():
    schemas = json.loads(browser.schemas_json())
    assert set(schemas["calculators"]) == set(netlib.calculators.list_ids())
    assert "primary_site" in schemas["patient"]["properties"]
