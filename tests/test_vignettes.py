"""Clinical vignettes: patients written from the guideline texts, independently of the decision tables.

Each vignette in tests/vignettes/*.toml names its source (a bibliography key), the section and a paraphrase of
the passage it encodes, the patient, the options that must be recommended (optionally with their tier), those
that must not be, and the items the result must ask for.  One test per vignette; a failure quotes the passage.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest

from netlib import therapies
from netlib.pathway import PATIENT_FORM, TIERS, recommend

FOLDER = Path(__file__).resolve().parent / "vignettes"
BIB = Path(__file__).resolve().parents[1] / "book" / "references.bib"
BIB_KEYS = frozenset(re.findall(r"^@\w+\s*\{\s*([^,\s]+)\s*,", BIB.read_text(encoding="utf-8"), re.M))
KEYS = {"id", "source", "section", "passage", "patient", "must_include", "must_include_tier", "must_exclude",
        "must_be_missing", "advice_contains"}


def _vignettes() -> list[dict]:
    out = []
    for path in sorted(FOLDER.glob("*.toml")):
        for vignette in tomllib.loads(path.read_text(encoding="utf-8")).get("vignette", []):
            out.append({**vignette, "_file": path.name})
    return out


VIGNETTES = _vignettes()


def test_there_are_enough_vignettes_and_ids_are_unique():
    ids = [v["id"] for v in VIGNETTES]
    assert len(ids) >= 80 and len(ids) == len(set(ids))


@pytest.mark.parametrize("vignette", VIGNETTES, ids=lambda v: v["id"])
def test_vignette(vignette):
    where = f"{vignette['id']} ({vignette['_file']}; {vignette['source']}, {vignette['section']}): {vignette['passage']}"
    assert set(vignette) - {"_file"} <= KEYS, where
    assert vignette["source"] in BIB_KEYS, where
    assert set(vignette["patient"]) <= set(PATIENT_FORM.by_name), where
    named = set(vignette.get("must_include", [])) | set(vignette.get("must_exclude", [])) | set(
        vignette.get("must_include_tier", {}))
    assert named <= set(therapies.THERAPIES), where
    result = recommend(vignette["patient"])
    tiers = {r.option: r.tier for r in result.recommendations}
    shown = f"{where}\n  returned: {sorted(tiers.items())}\n  missing: {[m.item for m in result.missing]}"
    for option in vignette.get("must_include", []):
        assert option in tiers, shown
    for option, tier in vignette.get("must_include_tier", {}).items():
        assert tier in TIERS and tiers.get(option) == tier, shown
    for option in vignette.get("must_exclude", []):
        assert option not in tiers, shown
    for item in vignette.get("must_be_missing", []):
        assert any(item.lower() in m.item.lower() for m in result.missing), shown
    for words in vignette.get("advice_contains", []):
        assert any(words.lower() in statement.lower() for statement, _keys in result.advice), shown
    assert "car_t_off_trial" not in tiers, shown
