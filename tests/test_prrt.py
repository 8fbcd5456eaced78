"""Tests for netlib.prrt: 177Lu-dotatate eligibility on the NETTER-1 (default) or NETTER-2 criteria,
units and plausibility bounds of the laboratory inputs, and the regimen.

Thresholds come from NETTER-1 (Strosberg 2017; NCT01578239; clinical-facts 6.1 and 13.8):
exclusions are strict inequalities, so a value exactly on a threshold is eligible. The SSTR
uptake rule is the book's convention (clinical-facts 12.1: planar/SPECT >= 2, PET >= 3).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import given, settings, strategies as st

from netlib import InputError, prrt
from netlib.prrt import (
    LUTATHERA_ACTIVITY_PER_DOSE_GBQ,
    LUTATHERA_ACTIVITY_PER_DOSE_MCI,
    LUTATHERA_INTERVAL_TOLERANCE_WEEKS,
    LUTATHERA_INTERVAL_WEEKS,
    LUTATHERA_NUMBER_OF_DOSES,
    LUTATHERA_REGIMEN,
    LUTATHERA_TOTAL_ACTIVITY_GBQ,
    NETTER1_CHECKED,
    NETTER1_CRITERIA,
    NETTER2_CRITERIA,
    NETTER2_UNVERIFIED_CRITERIA,
    PRRT_CATEGORIES,
    grams_per_decilitre,
    prrt_eligibility,
)
from netlib.renal import CREATININE_CLEARANCE_MAXIMUM_ML_MIN

BIB = Path(__file__).resolve().parent.parent / "book" / "references.bib"
ELIGIBLE, NOT_ELIGIBLE, INCOMPLETE = "eligible", "not eligible", "incomplete"

# A typical NETTER-1 candidate, comfortably inside every criterion.
TYPICAL = {
    "differentiation": "well", "ki67_percent": 5.0, "krenning_score": 4, "sstr_modality": "sstr_pet",
    "karnofsky_percent": 90, "creatinine_clearance_ml_min": 85.0, "creatinine_mg_dl": 0.9,
    "haemoglobin_g_dl": 13.0, "wbc_10e9_l": 6.0, "platelets_10e9_l": 250.0, "bilirubin_x_uln": 0.5,
    "albumin_g_dl": 4.0, "prothrombin_time_normal": True,
}


def evaluate(**changes):
    return prrt_eligibility(**{**TYPICAL, **changes})


def test_typical_candidate_is_eligible():
    result = evaluate()
    assert result.category == ELIGIBLE
    assert result.details["failed_criteria"] == () and result.details["missing_criteria"] == ()
    assert result.details["criteria_set"] == "NETTER-1"


def test_every_threshold_exactly_met_at_once_is_eligible():
    # clinical-facts 13.8: values exactly at 50 mL/min, 1.7 mg/dL, Hb 8.0, WBC 2.0, platelets 75,
    # bilirubin 3 x ULN, KPS 60, Ki-67 20 % are all eligible; albumin 3.0 is not below 3.0.
    result = prrt_eligibility(
        differentiation="well", ki67_percent=20.0, krenning_score=2, sstr_modality="planar_scintigraphy",
        karnofsky_percent=60, creatinine_clearance_ml_min=50.0, creatinine_mg_dl=1.7, haemoglobin_g_dl=8.0,
        wbc_10e9_l=2.0, platelets_10e9_l=75.0, bilirubin_x_uln=3.0, albumin_g_dl=3.0,
        prothrombin_time_normal=False)
    assert result.category == ELIGIBLE, result.interpretation


@pytest.mark.parametrize("changes, failed", [
    # Creatinine clearance (Cockcroft-Gault): NETTER-1 excludes < 50 mL/min
    ({"creatinine_clearance_ml_min": 49.9}, "renal"),        # just below
    ({"creatinine_clearance_ml_min": 50.0}, None),            # at: eligible
    ({"creatinine_clearance_ml_min": 50.1}, None),            # just above
    # Serum creatinine: NETTER-1 excludes > 1.7 mg/dL
    ({"creatinine_mg_dl": 1.69}, None),                       # just below
    ({"creatinine_mg_dl": 1.7}, None),                        # at: eligible
    ({"creatinine_mg_dl": 1.71}, "creatinine"),               # just above
    # ... or > 150 umol/L, compared in the unit given
    ({"creatinine_mg_dl": None, "creatinine_umol_l": 149.0}, None),          # just below
    ({"creatinine_mg_dl": None, "creatinine_umol_l": 150.0}, None),          # at: eligible
    ({"creatinine_mg_dl": None, "creatinine_umol_l": 150.2}, "creatinine"),  # just above (though 1.699 mg/dL)
    ({"creatinine_mg_dl": None, "creatinine_umol_l": 151.0}, "creatinine"),  # above
    # Haemoglobin: NETTER-1 excludes < 8.0 g/dL
    ({"haemoglobin_g_dl": 7.9}, "hemoglobin"),                # just below
    ({"haemoglobin_g_dl": 8.0}, None),                        # at: eligible
    ({"haemoglobin_g_dl": 8.1}, None),                        # just above
    # White cells: NETTER-1 excludes < 2.0 x 10^9/L
    ({"wbc_10e9_l": 1.9}, "wbc"),                             # just below
    ({"wbc_10e9_l": 2.0}, None),                              # at: eligible
    ({"wbc_10e9_l": 2.1}, None),                              # just above
    # Platelets: NETTER-1 excludes < 75 x 10^9/L
    ({"platelets_10e9_l": 74.0}, "platelets"),                # just below
    ({"platelets_10e9_l": 74.9}, "platelets"),                # still below
    ({"platelets_10e9_l": 75.0}, None),                       # at: eligible
    ({"platelets_10e9_l": 76.0}, None),                       # just above
    # Total bilirubin: NETTER-1 excludes > 3 x ULN
    ({"bilirubin_x_uln": 2.9}, None),                         # just below
    ({"bilirubin_x_uln": 3.0}, None),                         # at: eligible
    ({"bilirubin_x_uln": 3.1}, "bilirubin"),                  # just above
    # Karnofsky (steps of 10): NETTER-1 requires >= 60
    ({"karnofsky_percent": 50}, "performance_status"),        # just below
    ({"karnofsky_percent": 60}, None),                        # at: eligible
    ({"karnofsky_percent": 70}, None),                        # just above
    # Ki-67: NETTER-1 (NCT01578239) requires <= 20 %
    ({"ki67_percent": 19.9}, None),                           # just below
    ({"ki67_percent": 20.0}, None),                           # at: eligible (G2)
    ({"ki67_percent": 20.1}, "ki67"),                         # just above
    # Differentiation: NETTER-1 enrolled well-differentiated tumours only
    ({"differentiation": "poor"}, "differentiation"),
    # Krenning on planar scintigraphy: NETTER-1 requires uptake >= normal liver (score >= 2)
    ({"krenning_score": 1, "sstr_modality": "planar_scintigraphy"}, "sstr_uptake"),  # just below
    ({"krenning_score": 2, "sstr_modality": "planar_scintigraphy"}, None),           # at
    ({"krenning_score": 3, "sstr_modality": "planar_scintigraphy"}, None),           # just above
    ({"krenning_score": 2, "sstr_modality": "spect"}, None),                         # SPECT follows planar
    # Krenning on SSTR PET: book convention (clinical-facts 12.1) requires > liver (score >= 3)
    ({"krenning_score": 2, "sstr_modality": "sstr_pet"}, "sstr_uptake"),             # just below
    ({"krenning_score": 3, "sstr_modality": "sstr_pet"}, None),                      # at
    ({"krenning_score": 4, "sstr_modality": "sstr_pet"}, None),                      # just above
])
def test_single_criterion_boundaries(changes, failed):
    result = evaluate(**changes)
    if failed is None:
        assert result.category == ELIGIBLE, result.interpretation
        assert result.details["failed_criteria"] == ()
    else:
        assert result.category == NOT_ELIGIBLE
        assert result.details["failed_criteria"] == (failed,)
        assert len(result.details["reasons"]) == 1


@pytest.mark.parametrize("albumin, pt_normal, expected, flag", [
    # NETTER-1: albumin < 3.0 g/dL excludes only when the prothrombin time is NOT normal
    (3.0, False, ELIGIBLE, None),         # at 3.0: not below, PT irrelevant
    (3.0, None, ELIGIBLE, None),          # at 3.0 with PT unknown: still not below
    (3.1, False, ELIGIBLE, None),         # just above
    (2.9, True, ELIGIBLE, None),          # just below, normal PT: eligible (clinical-facts 6.1: 2.8 + normal PT)
    (2.8, True, ELIGIBLE, None),          # the clinical-facts example
    (2.9, False, NOT_ELIGIBLE, "failed"),  # just below with abnormal PT: excluded
    (2.9, None, INCOMPLETE, "missing"),   # just below with PT unknown: criterion incomplete
    (None, True, ELIGIBLE, None),         # normal PT: the exclusion cannot apply
    (None, False, INCOMPLETE, "missing"),  # abnormal PT, albumin unknown
    (None, None, INCOMPLETE, "missing"),  # nothing known
])
def test_albumin_and_prothrombin_time(albumin, pt_normal, expected, flag):
    result = evaluate(albumin_g_dl=albumin, prothrombin_time_normal=pt_normal)
    assert result.category == expected
    assert ("albumin" in result.details["failed_criteria"]) is (flag == "failed")
    assert ("albumin" in result.details["missing_criteria"]) is (flag == "missing")


def test_low_albumin_with_unknown_prothrombin_time_asks_for_it():
    result = evaluate(albumin_g_dl=2.5, prothrombin_time_normal=None)
    assert any("prothrombin time" in w for w in result.warnings)


@pytest.mark.parametrize("score, expected, missing", [
    (4, ELIGIBLE, False),      # above liver: sufficient on every modality
    (3, ELIGIBLE, False),      # above liver: sufficient on every modality
    (2, INCOMPLETE, True),     # equal to liver: enough on planar/SPECT, not on PET, so the modality decides
    (1, NOT_ELIGIBLE, False),  # below liver: insufficient on every modality
    (0, NOT_ELIGIBLE, False),
])
def test_krenning_without_modality_is_decided_only_when_every_modality_agrees(score, expected, missing):
    result = evaluate(krenning_score=score, sstr_modality=None)
    assert result.category == expected
    assert ("sstr_uptake" in result.details["missing_criteria"]) is missing


def test_pet_score_2_carries_the_convention_warning():
    result = evaluate(krenning_score=2, sstr_modality="sstr_pet")
    assert result.category == NOT_ELIGIBLE
    assert any("PET" in w for w in result.warnings)


def test_reasons_name_the_value_and_the_threshold():
    result = evaluate(creatinine_clearance_ml_min=45.0, haemoglobin_g_dl=7.5, platelets_10e9_l=60.0,
                      bilirubin_x_uln=3.5, karnofsky_percent=50, ki67_percent=25.0)
    reasons = dict(zip(result.details["failed_criteria"], result.details["reasons"]))
    assert "45" in reasons["renal"] and "50" in reasons["renal"]
    assert "7.5" in reasons["hemoglobin"] and "8.0" in reasons["hemoglobin"]
    assert "60" in reasons["platelets"] and "75" in reasons["platelets"]
    assert "3.5" in reasons["bilirubin"] and "3 x ULN" in reasons["bilirubin"]
    assert "50 %" in reasons["performance_status"] and "60 %" in reasons["performance_status"]
    assert "25" in reasons["ki67"] and "20" in reasons["ki67"]
    assert list(result.details["failed_criteria"]) == [c for c in NETTER1_CRITERIA if c in reasons]


def test_failure_beats_missing_data():
    result = prrt_eligibility(haemoglobin_g_dl=7.0)
    assert result.category == NOT_ELIGIBLE
    assert result.details["failed_criteria"] == ("hemoglobin",)
    assert len(result.details["missing_criteria"]) == len(NETTER1_CRITERIA) - 1


def test_no_data_is_incomplete_not_a_guess():
    result = prrt_eligibility()
    assert result.category == INCOMPLETE
    assert result.details["missing_criteria"] == NETTER1_CRITERIA


# ---------------------------------------------------------------------------------------------
# Contradictions
# ---------------------------------------------------------------------------------------------


def test_both_creatinine_units_is_a_contradiction():
    with pytest.raises(InputError) as caught:
        evaluate(creatinine_mg_dl=1.0, creatinine_umol_l=88.4)
    assert caught.value.field == "creatinine_umol_l"


@pytest.mark.parametrize("score", [55, 65, 95, 1])
def test_karnofsky_must_be_a_multiple_of_ten(score):
    with pytest.raises(InputError) as caught:
        evaluate(karnofsky_percent=score)
    assert caught.value.field == "karnofsky_percent"


@pytest.mark.parametrize("field, value", [
    ("karnofsky_percent", 110), ("ki67_percent", 101.0), ("krenning_score", 5),
    ("creatinine_clearance_ml_min", -1.0), ("sstr_modality", "PET"),
])
def test_out_of_range_values_are_refused(field, value):
    with pytest.raises(InputError) as caught:
        evaluate(**{field: value})
    assert caught.value.field == field


def test_the_default_set_is_netter1_and_the_result_says_so():
    assert evaluate().details["criteria_set"] == "NETTER-1"
    assert evaluate(criteria_set="netter1").as_dict() == evaluate().as_dict()
    assert evaluate(criteria_set="netter1").details["criteria_set_id"] == "netter1"
    assert "NETTER-1" in evaluate(ki67_percent=30.0).interpretation


@pytest.mark.parametrize("age, failed", [
    # NCT01578239: age >= 18, checked only when given (never missing)
    (17.0, "age"),   # just below
    (18.0, None),    # at: eligible
    (19.0, None),    # just above
])
def test_netter1_checks_age_when_given(age, failed):
    result = evaluate(age_years=age)
    assert result.details["failed_criteria"] == ((failed,) if failed else ())
    assert set(result.details["failed_criteria"]) <= set(NETTER1_CHECKED)
    assert "age" not in evaluate().details["missing_criteria"]


# ---------------------------------------------------------------------------------------------
# NETTER-2 (Singh 2024; registry record NCT03972488)
# ---------------------------------------------------------------------------------------------

# A NETTER-2 candidate: newly diagnosed G2 GEP-NET, uptake above liver, inside every criterion.
TYPICAL_NETTER2 = {**TYPICAL, "criteria_set": "netter2", "ki67_percent": 15.0, "age_years": 58.0,
                   "months_since_diagnosis": 2.0}


def evaluate2(**changes):
    return prrt_eligibility(**{**TYPICAL_NETTER2, **changes})


def test_typical_netter2_candidate_is_eligible_with_the_unverified_warning():
    result = evaluate2()
    assert result.category == ELIGIBLE, result.interpretation
    assert result.details["criteria_set"] == "NETTER-2" and result.details["criteria_set_id"] == "netter2"
    assert "NETTER-2" in result.interpretation
    assert any("could not be verified" in w for w in result.warnings)
    assert set(result.details["unverified_criteria"]) == set(NETTER2_UNVERIFIED_CRITERIA)
    assert "singh2024netter2" in result.citations and "nct03972488" in result.citations


@pytest.mark.parametrize("changes, failed", [
    # Ki-67: NCT03972488 inclusion Ki-67 >= 10 % and <= 55 % (clinical-facts 6.3: 9 and 56 outside)
    ({"ki67_percent": 9.9}, "ki67"),              # just below the minimum
    ({"ki67_percent": 10.0}, None),               # at the minimum: eligible
    ({"ki67_percent": 10.1}, None),               # just above
    ({"ki67_percent": 54.9}, None),               # just below the maximum
    ({"ki67_percent": 55.0}, None),               # at the maximum: eligible
    ({"ki67_percent": 55.1}, "ki67"),             # just above
    ({"ki67_percent": 20.0}, None),               # the NETTER-1 ceiling is no limit here
    # Age: NCT03972488 inclusion age >= 15 years
    ({"age_years": 14.0}, "age"),                 # just below
    ({"age_years": 15.0}, None),                  # at: eligible
    ({"age_years": 16.0}, None),                  # just above
    # Newly diagnosed: NCT03972488 inclusion, diagnosed within 6 months before screening
    ({"months_since_diagnosis": 5.9}, None),      # just below
    ({"months_since_diagnosis": 6.0}, None),      # at: eligible
    ({"months_since_diagnosis": 6.1}, "time_since_diagnosis"),  # just above
    # Uptake: NCT03972488 inclusion, tumour uptake > normal liver, whatever the modality
    ({"krenning_score": 2, "sstr_modality": "planar_scintigraphy"}, "sstr_uptake"),  # equal to liver
    ({"krenning_score": 2, "sstr_modality": "spect"}, "sstr_uptake"),                # equal to liver
    ({"krenning_score": 2, "sstr_modality": "sstr_pet"}, "sstr_uptake"),             # equal to liver
    ({"krenning_score": 3, "sstr_modality": "planar_scintigraphy"}, None),           # above liver
    ({"krenning_score": 3, "sstr_modality": None}, None),                            # above liver, any modality
    ({"krenning_score": 2, "sstr_modality": None}, "sstr_uptake"),                   # decided without modality
    # Karnofsky: NCT03972488 inclusion KPS >= 60
    ({"karnofsky_percent": 50}, "performance_status"),  # just below
    ({"karnofsky_percent": 60}, None),                  # at: eligible
    ({"karnofsky_percent": 70}, None),                  # just above
    # Laboratory: NETTER-1 values carried over (unverified for NETTER-2)
    ({"creatinine_clearance_ml_min": 49.9}, "renal"),
    ({"creatinine_clearance_ml_min": 50.0}, None),
    ({"haemoglobin_g_dl": 7.9}, "hemoglobin"),
    ({"haemoglobin_g_dl": 8.0}, None),
    ({"platelets_10e9_l": 74.0}, "platelets"),
    ({"platelets_10e9_l": 75.0}, None),
    # Differentiation: both trials enrolled well-differentiated tumours only
    ({"differentiation": "poor"}, "differentiation"),
])
def test_netter2_boundaries(changes, failed):
    result = evaluate2(**changes)
    if failed is None:
        assert result.category == ELIGIBLE, result.interpretation
    else:
        assert result.category == NOT_ELIGIBLE
        assert result.details["failed_criteria"] == (failed,)
        assert "NETTER-2" in result.details["reasons"][0]


@pytest.mark.parametrize("field, criterion", [("age_years", "age"),
                                               ("months_since_diagnosis", "time_since_diagnosis")])
def test_netter2_needs_age_and_time_since_diagnosis(field, criterion):
    result = evaluate2(**{field: None})
    assert result.category == INCOMPLETE
    assert result.details["missing_criteria"] == (criterion,)


def test_time_since_diagnosis_is_not_a_netter1_criterion():
    result = evaluate(months_since_diagnosis=30.0)
    assert result.category == ELIGIBLE
    assert any("not a NETTER-1 criterion" in w for w in result.warnings)


def test_a_g1_tumour_progressing_on_an_ssa_fits_netter1_not_netter2():
    values = dict(TYPICAL, ki67_percent=2.0, age_years=60.0, months_since_diagnosis=40.0)
    assert prrt_eligibility(**values).category == ELIGIBLE
    netter2 = prrt_eligibility(**values, criteria_set="netter2")
    assert netter2.category == NOT_ELIGIBLE
    assert set(netter2.details["failed_criteria"]) == {"ki67", "time_since_diagnosis"}


def test_no_data_on_netter2_lists_every_netter2_criterion():
    result = prrt_eligibility(criteria_set="netter2")
    assert result.category == INCOMPLETE
    assert result.details["missing_criteria"] == NETTER2_CRITERIA


def test_unknown_criteria_set_is_refused():
    with pytest.raises(InputError) as caught:
        evaluate(criteria_set="netter3")
    assert caught.value.field == "criteria_set"
    assert "netter1" in str(caught.value) and "netter2" in str(caught.value)


# ---------------------------------------------------------------------------------------------
# Units: haemoglobin and albumin in g/dL or g/L (g/L = g/dL x 10), one unit per analyte
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("g_l, failed", [
    # NETTER-1 excludes Hb < 8.0 g/dL = 80 g/L
    (79.0, "hemoglobin"),  # just below
    (80.0, None),          # at: eligible
    (81.0, None),          # just above
])
def test_haemoglobin_in_g_per_litre(g_l, failed):
    result = evaluate(haemoglobin_g_dl=None, haemoglobin_g_l=g_l)
    assert result.details["failed_criteria"] == ((failed,) if failed else ())
    if failed:
        assert "79 g/L" in result.details["reasons"][0] and "80 g/L" in result.details["reasons"][0]


@pytest.mark.parametrize("g_l, pt_normal, expected", [
    # NETTER-1 excludes albumin < 3.0 g/dL = 30 g/L, only with an abnormal prothrombin time
    (29.0, False, NOT_ELIGIBLE),  # just below, abnormal PT
    (30.0, False, ELIGIBLE),      # at: not below
    (31.0, False, ELIGIBLE),      # just above
    (29.0, True, ELIGIBLE),       # just below, normal PT
    (29.0, None, INCOMPLETE),     # just below, PT unknown
])
def test_albumin_in_g_per_litre(g_l, pt_normal, expected):
    result = evaluate(albumin_g_dl=None, albumin_g_l=g_l, prothrombin_time_normal=pt_normal)
    assert result.category == expected
    if expected == NOT_ELIGIBLE:
        assert "29 g/L" in result.details["reasons"][0] and "30 g/L" in result.details["reasons"][0]


@given(g_dl=st.floats(1, 25))
def test_the_two_haemoglobin_units_agree(g_dl):
    a = evaluate(haemoglobin_g_dl=g_dl)
    b = evaluate(haemoglobin_g_dl=None, haemoglobin_g_l=g_dl * 10)
    assert a.category == b.category or abs(g_dl - 8.0) < 1e-9
    assert grams_per_decilitre(None, g_dl * 10) == pytest.approx(g_dl)


@pytest.mark.parametrize("changes, field", [
    ({"haemoglobin_g_l": 130.0}, "haemoglobin_g_l"),   # both haemoglobin units
    ({"albumin_g_l": 40.0}, "albumin_g_l"),            # both albumin units
])
def test_one_unit_per_analyte(changes, field):
    with pytest.raises(InputError) as caught:
        evaluate(**changes)
    assert caught.value.field == field
    assert "not both" in str(caught.value)


def test_grams_per_decilitre_converts_once():
    assert grams_per_decilitre(12.5, None) == 12.5
    assert grams_per_decilitre(None, 125.0) == 12.5
    assert grams_per_decilitre(None, None) is None


# ---------------------------------------------------------------------------------------------
# Plausibility bounds: values no living adult can have are input errors
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("field, value", [
    ("creatinine_clearance_ml_min", CREATININE_CLEARANCE_MAXIMUM_ML_MIN + 0.1),  # above 500 mL/min
    ("creatinine_clearance_ml_min", 5000.0),
    ("haemoglobin_g_dl", 0.9), ("haemoglobin_g_dl", 25.1),
    ("haemoglobin_g_l", 9.0), ("haemoglobin_g_l", 251.0),
    ("albumin_g_dl", 0.4), ("albumin_g_dl", 7.1),
    ("albumin_g_l", 4.0), ("albumin_g_l", 71.0),
    ("wbc_10e9_l", 500.1), ("platelets_10e9_l", 2001.0), ("bilirubin_x_uln", 100.1),
    ("age_years", 121.0), ("age_years", -1.0), ("months_since_diagnosis", -0.1),
])
def test_impossible_values_are_input_errors(field, value):
    changes = {field: value}
    if field == "haemoglobin_g_l":
        changes["haemoglobin_g_dl"] = None
    if field == "albumin_g_l":
        changes["albumin_g_dl"] = None
    with pytest.raises(InputError) as caught:
        evaluate(**changes)
    assert caught.value.field == field


def test_a_clearance_at_the_plausible_maximum_is_accepted():
    assert evaluate(creatinine_clearance_ml_min=CREATININE_CLEARANCE_MAXIMUM_ML_MIN).category == ELIGIBLE


def test_every_laboratory_and_clearance_field_has_both_bounds():
    for field in prrt_eligibility.calculator.fields:
        if field.kind in ("number", "integer"):
            assert field.minimum is not None and field.maximum is not None, field.name


# ---------------------------------------------------------------------------------------------
# Properties
# ---------------------------------------------------------------------------------------------


def optional(strategy):
    return st.none() | strategy


@st.composite
def netter1_inputs(draw):
    values = {
        "differentiation": draw(optional(st.sampled_from(["well", "poor"]))),
        "ki67_percent": draw(optional(st.floats(0, 100))),
        "krenning_score": draw(optional(st.integers(0, 4))),
        "sstr_modality": draw(optional(st.sampled_from(["planar_scintigraphy", "spect", "sstr_pet"]))),
        "karnofsky_percent": draw(optional(st.integers(0, 10).map(lambda k: 10 * k))),
        "creatinine_clearance_ml_min": draw(optional(st.floats(0, 300))),
        "haemoglobin_g_dl": draw(optional(st.floats(1, 25))),
        "wbc_10e9_l": draw(optional(st.floats(0, 500))),
        "platelets_10e9_l": draw(optional(st.floats(0, 2000))),
        "bilirubin_x_uln": draw(optional(st.floats(0, 100))),
        "albumin_g_dl": draw(optional(st.floats(0.5, 7))),
        "prothrombin_time_normal": draw(optional(st.booleans())),
    }
    unit = draw(st.sampled_from(["none", "mg", "umol"]))  # cross-field rule: at most one creatinine unit
    if unit == "mg":
        values["creatinine_mg_dl"] = draw(st.floats(0.1, 30))
    elif unit == "umol":
        values["creatinine_umol_l"] = draw(st.floats(8.84, 2652))
    return values


def expected_failed_and_missing(v):
    """The NETTER-1 criteria restated from clinical-facts 6.1, independently of the implementation."""
    failed, missing = set(), set()

    def judge(name, value, excluded):
        if value is None:
            missing.add(name)
        elif excluded(value):
            failed.add(name)

    judge("differentiation", v["differentiation"], lambda d: d == "poor")
    judge("ki67", v["ki67_percent"], lambda k: k > 20)
    judge("performance_status", v["karnofsky_percent"], lambda k: k < 60)
    judge("renal", v["creatinine_clearance_ml_min"], lambda c: c < 50)
    judge("hemoglobin", v["haemoglobin_g_dl"], lambda h: h < 8.0)
    judge("wbc", v["wbc_10e9_l"], lambda w: w < 2.0)
    judge("platelets", v["platelets_10e9_l"], lambda p: p < 75)
    judge("bilirubin", v["bilirubin_x_uln"], lambda b: b > 3)
    if v.get("creatinine_mg_dl") is not None:
        judge("creatinine", v["creatinine_mg_dl"], lambda c: c > 1.7)
    elif v.get("creatinine_umol_l") is not None or v["creatinine_clearance_ml_min"] is None:
        judge("creatinine", v.get("creatinine_umol_l"), lambda c: c > 150)
    # Book convention: with a clearance given, a missing serum creatinine is not a missing criterion.
    score, modality = v["krenning_score"], v["sstr_modality"]
    if score is None:
        missing.add("sstr_uptake")
    else:
        needed = {"planar_scintigraphy": {2}, "spect": {2}, "sstr_pet": {3}, None: {2, 3}}[modality]
        verdicts = {score < threshold for threshold in needed}
        if verdicts == {True}:
            failed.add("sstr_uptake")
        elif verdicts == {True, False}:
            missing.add("sstr_uptake")
    albumin, pt_normal = v["albumin_g_dl"], v["prothrombin_time_normal"]
    albumin_low = None if albumin is None else albumin < 3.0
    pt_abnormal = None if pt_normal is None else not pt_normal
    if albumin_low is True and pt_abnormal is True:
        failed.add("albumin")
    elif albumin_low is None and pt_abnormal is not False or albumin_low is True and pt_abnormal is None:
        missing.add("albumin")
    return failed, missing




def test_a_given_clearance_replaces_a_missing_serum_creatinine():
    from netlib.prrt import prrt_eligibility
    base = dict(differentiation="well", ki67_percent=5, krenning_score=4, sstr_modality="sstr_pet",
                karnofsky_percent=90, haemoglobin_g_dl=12, wbc_10e9_l=5, platelets_10e9_l=200, bilirubin_x_uln=1,
                albumin_g_dl=4)
    assert prrt_eligibility(**base).category == INCOMPLETE  # no renal value at all
    with_clearance = prrt_eligibility(**base, creatinine_clearance_ml_min=85)
    assert with_clearance.category == ELIGIBLE
    assert any("Serum creatinine was not given" in w for w in with_clearance.warnings)


@given(values=netter1_inputs())
def test_eligible_if_and_only_if_nothing_failed_and_nothing_missing(values):
    result = prrt_eligibility(**values)
    failed, missing = result.details["failed_criteria"], result.details["missing_criteria"]
    assert result.category in PRRT_CATEGORIES
    assert result.value is None
    assert (result.category == ELIGIBLE) is (not failed and not missing)
    assert (result.category == NOT_ELIGIBLE) is bool(failed)
    assert (result.category == INCOMPLETE) is (not failed and bool(missing))
    assert len(result.details["reasons"]) == len(failed)
    assert set(failed) <= set(NETTER1_CRITERIA) and set(missing) <= set(NETTER1_CRITERIA)
    assert not set(failed) & set(missing)
    assert result.details["criteria_set"] == "NETTER-1"


@given(values=netter1_inputs())
def test_matches_the_criteria_restated_independently(values):
    result = prrt_eligibility(**values)
    expected_failed, expected_missing = expected_failed_and_missing(values)
    assert set(result.details["failed_criteria"]) == expected_failed
    assert set(result.details["missing_criteria"]) == expected_missing


@st.composite
def netter2_inputs(draw):
    values = draw(netter1_inputs())
    values["criteria_set"] = "netter2"
    values["age_years"] = draw(optional(st.floats(0, 120)))
    values["months_since_diagnosis"] = draw(optional(st.floats(0, 1200)))
    return values


@given(values=netter2_inputs())
def test_netter2_categories_are_consistent(values):
    result = prrt_eligibility(**values)
    failed, missing = result.details["failed_criteria"], result.details["missing_criteria"]
    assert (result.category == ELIGIBLE) is (not failed and not missing)
    assert (result.category == NOT_ELIGIBLE) is bool(failed)
    assert set(failed) <= set(NETTER2_CRITERIA) and set(missing) <= set(NETTER2_CRITERIA)
    assert len(result.details["reasons"]) == len(failed)
    assert result.details["criteria_set"] == "NETTER-2"
    ki67 = values["ki67_percent"]
    if ki67 is not None:
        assert ("ki67" in failed) is (ki67 < 10 or ki67 > 55)
    age = values["age_years"]
    if age is not None:
        assert ("age" in failed) is (age < 15)


@given(values=netter2_inputs(), higher=st.floats(0, 100))
def test_netter2_ki67_window_is_an_interval(values, higher):
    # Monotone within the source's window: raising Ki-67 can only leave the window from above, and a
    # value inside [10, 55] never fails the Ki-67 criterion.
    ki67 = values["ki67_percent"]
    if ki67 is None or higher < ki67:
        return
    first = "ki67" in prrt_eligibility(**values).details["failed_criteria"]
    second = "ki67" in prrt_eligibility(**{**values, "ki67_percent": higher}).details["failed_criteria"]
    if ki67 > 55:
        assert first and second
    if 10 <= higher <= 55:
        assert not second


@given(values=netter1_inputs(), lower=st.floats(0, 300))
def test_a_lower_clearance_never_makes_a_patient_eligible(values, lower):
    # Monotone: NETTER-1 excludes low clearance, so lowering it can only add a failure.
    clearance = values["creatinine_clearance_ml_min"]
    if clearance is None or lower > clearance:
        return
    before = prrt_eligibility(**values)
    after = prrt_eligibility(**{**values, "creatinine_clearance_ml_min": lower})
    if before.category == NOT_ELIGIBLE:
        assert after.category == NOT_ELIGIBLE
    assert set(before.details["failed_criteria"]) <= set(after.details["failed_criteria"])


@given(values=netter1_inputs())
def test_adding_data_never_turns_a_failure_into_eligibility(values):
    first = prrt_eligibility(**values)
    completed = {**TYPICAL, **{k: v for k, v in values.items() if v is not None}}
    if completed.get("creatinine_umol_l") is not None:
        completed["creatinine_mg_dl"] = None
    if first.category == NOT_ELIGIBLE:
        assert prrt_eligibility(**completed).category == NOT_ELIGIBLE


# ---------------------------------------------------------------------------------------------
# Regimen and declaration
# ---------------------------------------------------------------------------------------------


def test_lutathera_regimen():
    # LUTATHERA label (4/2024) and NETTER-1: 7.4 GBq (200 mCi) every 8 weeks (+/- 1 week), 4 doses
    assert LUTATHERA_ACTIVITY_PER_DOSE_GBQ == 7.4 and LUTATHERA_ACTIVITY_PER_DOSE_MCI == 200
    assert LUTATHERA_INTERVAL_WEEKS == 8 and LUTATHERA_INTERVAL_TOLERANCE_WEEKS == 1
    assert LUTATHERA_NUMBER_OF_DOSES == 4
    assert LUTATHERA_TOTAL_ACTIVITY_GBQ == pytest.approx(29.6)
    # 1 mCi = 37 MBq, so 200 mCi = 7.4 GBq: the two units agree
    assert LUTATHERA_ACTIVITY_PER_DOSE_MCI * 37 / 1000 == pytest.approx(LUTATHERA_ACTIVITY_PER_DOSE_GBQ)
    assert LUTATHERA_REGIMEN.total_activity_gbq == pytest.approx(29.6)
    assert "lutathera2024label" in LUTATHERA_REGIMEN.citations


def test_help_says_ckd_epi_is_not_interchangeable_and_other_centres_differ():
    calc = prrt_eligibility.calculator
    assert "not interchangeable" in calc.form.by_name["creatinine_clearance_ml_min"].help
    pearls = " ".join(calc.pearls)
    assert "40 mL/min" in pearls and "100 x 10⁹/L" in pearls


def test_every_citation_key_has_a_bib_entry():
    keys = set(re.findall(r"^@\w+\{([^,\s]+),", BIB.read_text(encoding="utf-8"), flags=re.MULTILINE))
    calc = prrt_eligibility.calculator
    used = set(calc.citations) | {k for f in calc.fields for k in f.source} | set(LUTATHERA_REGIMEN.citations)
    used |= set(evaluate(krenning_score=2, sstr_modality="sstr_pet").citations)
    used |= set(evaluate2().citations)
    assert used <= keys


@pytest.mark.parametrize("inputs, reason", [
    ({"criteria_set": "netter2", "age_years": 14}, "Age 14 years is below the NETTER-2 minimum of 15 years."),
    ({"creatinine_umol_l": 200}, "Serum creatinine 200 µmol/L is above the NETTER-1 maximum of 150 µmol/L."),
    ({"creatinine_clearance_ml_min": 49.9},
     "Creatinine clearance 49.9 mL/min is below the NETTER-1 minimum of 50 mL/min (Cockcroft-Gault)."),
    ({"wbc_10e9_l": 1.9}, "White cell count 1.9 x 10⁹/L is below the NETTER-1 minimum of 2.0 x 10⁹/L."),
    ({"haemoglobin_g_l": 79}, "Haemoglobin 79 g/L is below the NETTER-1 minimum of 80 g/L."),
])
def test_each_failed_bound_is_explained_with_value_limit_and_unit(inputs, reason):
    result = prrt_eligibility(**inputs)
    assert result.category == "not eligible"
    assert result.details["reasons"] == (reason,)


def _shown_by_search(value, bound, above):
    """The shown value by its definition: the fewest significant digits, from six, that keep it on its side."""
    if value == 0:
        return "0"
    for digits in range(6, 18):
        text = f"{value:.{digits}g}"
        if bound is None or (float(text) > bound if above else float(text) < bound):
            return text
    return repr(float(value))


@settings(max_examples=400, deadline=None)
@given(bound=st.sampled_from([20.0, 55.0, 10.0, 60.0, 2.0, 3.0, 40.0, 8.0, 100.0, 1.7, 150.0, 1.5, 0.3]),
       above=st.booleans(), scale=st.sampled_from([1e-12, 1e-9, 1e-7, 5e-6, 1e-5, 2e-5, 1e-3, 0.5]),
       fraction=st.floats(min_value=0.0, max_value=1.0))
def test_a_shown_value_stays_on_its_side_of_the_bound_and_takes_no_more_digits_than_needed(
        bound, above, scale, fraction):
    # The reason texts skip the check for a value far from its bound; near it (within a few parts in 10^5)
    # they search for enough digits.  Both give what the search alone gives.
    gap = bound * scale * (0.5 + fraction)
    value = bound + gap if above else bound - gap
    if value == bound:
        return
    text = prrt._shown(value, bound, above)
    assert text == _shown_by_search(value, bound, above)
    assert (float(text) > bound) if above else (float(text) < bound)
