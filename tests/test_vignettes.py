"""Clinical vignettes: what the guideline texts say the decision tables must (not) recommend.

Each tests/vignettes/*.toml file holds ``[[vignette]]`` tables written from a source paper (a key of
book/references.bib), independently of how the tables read it:

    id                  unique, e.g. "LOC-PAN-01"
    source              bibliography key
    section             where in the source (section or table)
    passage             a paraphrase of what the source says for this patient
    patient             input fields of netlib.pathway.PATIENT_FORM
    must_include        options that must be recommended (in Recommendations.options)
    must_include_tier   optional {option = tier} where the source fixes the tier
    must_exclude        options that must not be recommended (absent, or listed as excluded)
    must_be_missing     optional substrings of Recommendations.missing[].item (case-insensitive)
    advice_contains     optional substrings of Recommendations.advice statements (case-insensitive),
                        for investigations the source asks for (germline testing, echocardiography)

car_t_off_trial is never recommended, whatever the vignette says.  Shape checks run first and do not
need the decision tables; the behaviour test runs one case per vignette id.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest

from netlib.therapies import THERAPIES

ROOT = Path(__file__).resolve().parents[1]
VIGNETTE_DIR = ROOT / "tests" / "vignettes"
BIB = ROOT / "book" / "references.bib"

REQUIRED_KEYS = {"id", "source", "section", "passage", "patient", "must_include", "must_exclude"}
OPTIONAL_KEYS = {"must_include_tier", "must_be_missing", "advice_contains"}
TIERS = {"preferred", "other recommended", "useful in certain circumstances"}
NEVER_RECOMMENDED = "car_t_off_trial"


def _load() -> list[tuple[str, dict]]:
    vignettes = []
    for path in sorted(VIGNETTE_DIR.glob("*.toml")):
        with path.open("rb") as handle:
            data = tomllib.load(handle)
        assert set(data) <= {"vignette"}, f"{path.name}: only [[vignette]] tables are allowed"
        vignettes.extend((path.name, item) for item in data.get("vignette", []))
    return vignettes


VIGNETTES = _load()
BY_ID = {item["id"]: (name, item) for name, item in VIGNETTES if "id" in item}
IDS = sorted(BY_ID)


def _bib_keys() -> set[str]:
    return set(re.findall(r"^@\w+\s*\{\s*([^,\s]+)\s*,", BIB.read_text(encoding="utf-8"), re.M))


def _describe(item: dict) -> str:
    return f"vignette {item['id']} ({item['source']}, {item['section']}): {item['passage']}"


def test_there_are_enough_vignettes():
    assert len(VIGNETTES) >= 90
    ids = [item.get("id") for _name, item in VIGNETTES]
    assert len(ids) == len(set(ids)), "vignette ids must be unique"


def test_car_t_is_excluded_in_at_least_a_dozen_vignettes():
    assert sum(NEVER_RECOMMENDED in item["must_exclude"] for _name, item in VIGNETTES) >= 12


@pytest.mark.parametrize("vignette_id", IDS)
def test_vignette_shape(vignette_id):
    from netlib.pathway import PATIENT_FORM  # at run time: the form belongs to the decision tables

    name, item = BY_ID[vignette_id]
    where = f"{name}: {vignette_id}"
    keys = set(item)
    assert REQUIRED_KEYS <= keys, f"{where}: missing keys {sorted(REQUIRED_KEYS - keys)}"
    assert keys <= REQUIRED_KEYS | OPTIONAL_KEYS, f"{where}: unknown keys {sorted(keys - REQUIRED_KEYS - OPTIONAL_KEYS)}"
    for key in ("source", "section", "passage"):
        assert isinstance(item[key], str) and item[key].strip(), f"{where}: {key} must be a non-empty string"
    assert item["source"] in _bib_keys(), f"{where}: source {item['source']!r} is not in book/references.bib"

    unknown_fields = sorted(set(item["patient"]) - set(PATIENT_FORM.by_name))
    assert not unknown_fields, f"{where}: unknown patient fields {unknown_fields}"

    options = list(item["must_include"]) + list(item["must_exclude"])
    unknown_options = sorted(set(options) - set(THERAPIES))
    assert not unknown_options, f"{where}: unknown option ids {unknown_options}"
    assert not set(item["must_include"]) & set(item["must_exclude"]), f"{where}: an option is both included and excluded"
    assert NEVER_RECOMMENDED not in item["must_include"], f"{where}: {NEVER_RECOMMENDED} can never be required"

    tiers = item.get("must_include_tier", {})
    assert set(tiers) <= set(item["must_include"]), f"{where}: a tier is given for an option not in must_include"
    assert set(tiers.values()) <= TIERS, f"{where}: unknown tier in {tiers}"
    for key in ("must_be_missing", "advice_contains"):
        assert all(isinstance(text, str) and text for text in item.get(key, [])), f"{where}: {key} holds non-empty strings"


@pytest.mark.parametrize("vignette_id", IDS)
def test_vignette(vignette_id):
    from netlib.pathway import recommend

    _name, item = BY_ID[vignette_id]
    result = recommend(dict(item["patient"]))
    options = tuple(result.options)
    tiers = {rec.option: rec.tier for rec in result.recommendations}
    missing = [entry.item for entry in result.missing]
    advice = [statement for statement, _citations in result.advice]
    context = (f"{_describe(item)}\n  options returned: {list(options)}\n  tiers: {tiers}\n"
               f"  missing: {missing}\n  pathway: {getattr(result, 'pathway', None)}")

    assert NEVER_RECOMMENDED not in options, f"{NEVER_RECOMMENDED} recommended in {context}"
    absent = [option for option in item["must_include"] if option not in options]
    assert not absent, f"must_include {absent} not recommended in {context}"
    for option, tier in item.get("must_include_tier", {}).items():
        assert tiers.get(option) == tier, f"{option} should be {tier!r} in {context}"
    present = [option for option in item["must_exclude"] if option in options]
    assert not present, f"must_exclude {present} recommended in {context}"
    for text in item.get("must_be_missing", []):
        assert any(text.lower() in entry.lower() for entry in missing), f"missing item {text!r} not asked for in {context}"
    for text in item.get("advice_contains", []):
        assert any(text.lower() in statement.lower() for statement in advice), \
            f"advice mentioning {text!r} not given in {context}\n  advice: {advice}"
