"""Tests for netlib.renal: Cockcroft-Gault creatinine clearance, CKD-EPI 2021 eGFR and the measured
creatinine clearance from a timed urine collection.

Expected values are worked by hand from the published equations (Cockcroft & Gault 1976;
Inker et al. 2021) and the KDIGO 2012 GFR table, with the arithmetic in the comments; the
CKD-EPI example (woman, 55 years, creatinine 0.9 mg/dL -> 75.50 unrounded) is the one in
clinical-facts section 12 item 5.
"""

from __future__ import annotations

import math
import re
from pathlib import Path

import pytest
from hypothesis import assume, given, strategies as st

from netlib import InputError
from netlib.renal import (
    COLLECTION_MAXIMUM_HOURS,
    COLLECTION_MINIMUM_HOURS,
    CREATININE_CLEARANCE_MAXIMUM_ML_MIN,
    CREATININE_MAXIMUM_MG_DL,
    CREATININE_MINIMUM_MG_DL,
    KDIGO_GFR_CATEGORIES,
    URINE_CREATININE_MAXIMUM_MG_DL,
    URINE_CREATININE_MINIMUM_MG_DL,
    URINE_VOLUME_MAXIMUM_ML,
    ckd_epi_2021,
    cockcroft_gault,
    creatinine_clearance,
    egfr_ckd_epi_2021,
    kdigo_gfr_category,
    timed_urine_clearance,
    urine_creatinine_clearance,
)

BIB = Path(__file__).resolve().parent.parent / "book" / "references.bib"
UMOL_PER_MG = 88.4  # clinical-facts 7.1 canonical conversion

# ---------------------------------------------------------------------------------------------
# Cockcroft-Gault
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("age, weight, sex, creatinine_mg_dl, expected", [
    # (140 - 40) x 70 / (72 x 1.0) = 7000 / 72 = 97.22
    (40, 70, "male", 1.0, 97.22),
    # same x 0.85 (female) = 82.64
    (40, 70, "female", 1.0, 82.64),
    # (140 - 80) x 50 / (72 x 1.5) = 3000 / 108 = 27.78; x 0.85 = 23.61
    (80, 50, "female", 1.5, 23.61),
    # (140 - 65) x 70 / (72 x 1.4) = 5250 / 100.8 = 52.08
    (65, 70, "male", 1.4, 52.08),
])
def test_cockcroft_gault_worked_examples_in_both_units(age, weight, sex, creatinine_mg_dl, expected):
    in_mg = cockcroft_gault(age_years=age, weight_kg=weight, sex=sex, creatinine_mg_dl=creatinine_mg_dl)
    in_umol = cockcroft_gault(age_years=age, weight_kg=weight, sex=sex,
                              creatinine_umol_l=creatinine_mg_dl * UMOL_PER_MG)
    assert in_mg.value == pytest.approx(expected, abs=0.005)
    assert in_umol.value == pytest.approx(expected, abs=0.005)
    assert in_mg.unit == "mL/min"
    assert in_mg.category is None  # no policy category here: thresholds belong to the caller


def test_cockcroft_gault_umol_example():
    # 70-year-old man, 80 kg, creatinine 120 umol/L = 1.3575 mg/dL:
    # (140 - 70) x 80 / (72 x 1.3575) = 5600 / 97.74 = 57.29
    result = cockcroft_gault(age_years=70, weight_kg=80, sex="male", creatinine_umol_l=120)
    assert result.value == pytest.approx(57.29, abs=0.01)
    assert result.details["creatinine_mg_dl"] == pytest.approx(1.3575, abs=1e-4)


def test_cockcroft_gault_female_factor_is_exactly_0_85():
    male = cockcroft_gault(age_years=55, weight_kg=68, sex="male", creatinine_mg_dl=0.8).value
    female = cockcroft_gault(age_years=55, weight_kg=68, sex="female", creatinine_mg_dl=0.8).value
    assert female == pytest.approx(0.85 * male, rel=1e-12)


# ---------------------------------------------------------------------------------------------
# CKD-EPI 2021
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("age, sex, creatinine_mg_dl, expected", [
    # clinical-facts 12.5 / Inker 2021: woman 55 y, 0.9 mg/dL: S/k = 1.2857 > 1, so
    # 142 x 1.2857^-1.2 (0.73964) x 0.9938^55 (0.71031) x 1.012 = 75.50 unrounded (a site rounding
    # intermediates reports 76)
    (55, "female", 0.9, 75.50),
    # man 60 y, 1.2 mg/dL: 142 x 1.3333^-1.2 (0.70804) x 0.9938^60 (0.68856) = 69.23
    (60, "male", 1.2, 69.23),
    # man 40 y, 0.6 mg/dL (below kappa 0.9): 142 x 0.6667^-0.302 (1.13026) x 0.9938^40 (0.77979) = 125.15
    (40, "male", 0.6, 125.15),
    # woman 50 y at creatinine = kappa 0.7: both spline terms are 1; 142 x 0.9938^50 (0.73277) x 1.012 = 105.30
    (50, "female", 0.7, 105.30),
])
def test_ckd_epi_2021_worked_examples_in_both_units(age, sex, creatinine_mg_dl, expected):
    in_mg = ckd_epi_2021(age_years=age, sex=sex, creatinine_mg_dl=creatinine_mg_dl)
    in_umol = ckd_epi_2021(age_years=age, sex=sex, creatinine_umol_l=creatinine_mg_dl * UMOL_PER_MG)
    assert in_mg.value == pytest.approx(expected, abs=0.005)
    assert in_umol.value == pytest.approx(expected, abs=0.005)
    assert in_mg.unit == "mL/min/1.73 m²"


def test_ckd_epi_worked_example_is_not_rounded():
    value = ckd_epi_2021(age_years=55, sex="female", creatinine_mg_dl=0.9).value
    assert value != 76 and value != 75.5
    assert round(value, 2) == 75.50


def test_ckd_epi_has_no_race_term_and_no_0_85_factor():
    # Inker 2021: the female multiplier is 1.012 with its own kappa/alpha, never Cockcroft-Gault's 0.85.
    female = ckd_epi_2021(age_years=55, sex="female", creatinine_mg_dl=0.9).value
    male = ckd_epi_2021(age_years=55, sex="male", creatinine_mg_dl=0.9).value
    assert female / male != pytest.approx(0.85, abs=0.01)
    assert {f.name for f in ckd_epi_2021.calculator.fields} == {
        "age_years", "sex", "creatinine_mg_dl", "creatinine_umol_l"}


@pytest.mark.parametrize("egfr, expected", [
    (120.0, "G1"),
    (90.0, "G1"),     # KDIGO 2012: G1 >= 90
    (89.99, "G2"),    # KDIGO 2012: G2 60-89 (just below 90)
    (60.0, "G2"),     # KDIGO 2012: exactly 60 is G2
    (59.99, "G3a"),   # KDIGO 2012: G3a 45-59, on the unrounded value
    (45.0, "G3a"),    # KDIGO 2012: exactly 45 is G3a
    (44.99, "G3b"),   # KDIGO 2012: G3b 30-44
    (30.0, "G3b"),    # KDIGO 2012: exactly 30 is G3b
    (29.99, "G4"),    # KDIGO 2012: G4 15-29
    (15.0, "G4"),     # KDIGO 2012: exactly 15 is G4
    (14.99, "G5"),    # KDIGO 2012: G5 < 15
    (3.0, "G5"),
])
def test_kdigo_category_boundaries(egfr, expected):
    assert kdigo_gfr_category(egfr) == expected


def test_worked_example_category():
    # 75.50 lies in 60-89: KDIGO G2, "mildly decreased"
    result = ckd_epi_2021(age_years=55, sex="female", creatinine_mg_dl=0.9)
    assert result.category == "G2"
    assert "mildly decreased" in result.interpretation


# ---------------------------------------------------------------------------------------------
# Cross-field rule: exactly one creatinine unit
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("calculator, base", [
    (cockcroft_gault, {"age_years": 60, "weight_kg": 70, "sex": "male"}),
    (ckd_epi_2021, {"age_years": 60, "sex": "male"}),
])
def test_both_creatinine_units_is_a_contradiction(calculator, base):
    with pytest.raises(InputError) as caught:
        calculator(**base, creatinine_mg_dl=1.0, creatinine_umol_l=88.4)
    assert caught.value.field == "creatinine_umol_l"
    assert "exactly one" in str(caught.value)


@pytest.mark.parametrize("calculator, base", [
    (cockcroft_gault, {"age_years": 60, "weight_kg": 70, "sex": "male"}),
    (ckd_epi_2021, {"age_years": 60, "sex": "male"}),
])
def test_no_creatinine_is_refused(calculator, base):
    with pytest.raises(InputError) as caught:
        calculator(**base)
    assert caught.value.field == "creatinine_mg_dl"


@pytest.mark.parametrize("age", [17, 17.9, 121])
def test_adult_equations_refuse_children_and_impossible_ages(age):
    with pytest.raises(InputError) as caught:
        ckd_epi_2021(age_years=age, sex="female", creatinine_mg_dl=0.9)
    assert caught.value.field == "age_years"


# ---------------------------------------------------------------------------------------------
# Properties
# ---------------------------------------------------------------------------------------------

ages = st.floats(18, 120, allow_nan=False)
weights = st.floats(20, 400, allow_nan=False)
sexes = st.sampled_from(["female", "male"])
creatinines = st.floats(CREATININE_MINIMUM_MG_DL, CREATININE_MAXIMUM_MG_DL, allow_nan=False)


@st.composite
def creatinine_in_one_unit(draw):
    mg = draw(creatinines)
    if draw(st.booleans()):
        return {"creatinine_mg_dl": mg}
    return {"creatinine_umol_l": mg * UMOL_PER_MG}


@given(age=ages, weight=weights, sex=sexes, creatinine=creatinine_in_one_unit())
def test_cockcroft_gault_gives_a_plausible_clearance_or_says_why_not(age, weight, sex, creatinine):
    (name, value), = creatinine.items()
    mg = value if name == "creatinine_mg_dl" else value / UMOL_PER_MG
    estimate = creatinine_clearance(age_years=age, weight_kg=weight, sex=sex, creatinine_mg_dl=mg)
    if estimate > CREATININE_CLEARANCE_MAXIMUM_ML_MIN * (1 + 1e-9):
        with pytest.raises(InputError) as caught:
            cockcroft_gault(age_years=age, weight_kg=weight, sex=sex, **creatinine)
        assert caught.value.field == name and "mL/min" in str(caught.value)
        return
    if estimate > CREATININE_CLEARANCE_MAXIMUM_ML_MIN * (1 - 1e-9):
        return  # within rounding of the limit: either answer is acceptable
    result = cockcroft_gault(age_years=age, weight_kg=weight, sex=sex, **creatinine)
    assert math.isfinite(result.value) and 0 < result.value <= CREATININE_CLEARANCE_MAXIMUM_ML_MIN
    assert result.category is None


@given(age=ages, sex=sexes, creatinine=creatinine_in_one_unit())
def test_ckd_epi_valid_inputs_never_raise(age, sex, creatinine):
    result = ckd_epi_2021(age_years=age, sex=sex, **creatinine)
    assert math.isfinite(result.value) and result.value > 0
    assert result.category in KDIGO_GFR_CATEGORIES
    assert result.category == kdigo_gfr_category(result.value)


@given(age=ages, weight=weights, sex=sexes, mg=creatinines)
def test_units_give_the_same_answer(age, weight, sex, mg):
    assume(creatinine_clearance(age_years=age, weight_kg=weight, sex=sex, creatinine_mg_dl=mg)
           < CREATININE_CLEARANCE_MAXIMUM_ML_MIN * 0.999)
    for calculator, extra in ((cockcroft_gault, {"weight_kg": weight}), (ckd_epi_2021, {})):
        a = calculator(age_years=age, sex=sex, creatinine_mg_dl=mg, **extra).value
        b = calculator(age_years=age, sex=sex, creatinine_umol_l=mg * UMOL_PER_MG, **extra).value
        assert a == pytest.approx(b, rel=1e-9)


@given(age=ages, weight=weights, sex=sexes, low=creatinines, high=creatinines)
def test_higher_creatinine_never_raises_the_estimate(age, weight, sex, low, high):
    assume(low < high)
    assert creatinine_clearance(age_years=age, weight_kg=weight, sex=sex, creatinine_mg_dl=high) <= \
        creatinine_clearance(age_years=age, weight_kg=weight, sex=sex, creatinine_mg_dl=low)
    assert egfr_ckd_epi_2021(age_years=age, sex=sex, creatinine_mg_dl=high) <= \
        egfr_ckd_epi_2021(age_years=age, sex=sex, creatinine_mg_dl=low)


@given(younger=ages, older=ages, sex=sexes, mg=creatinines)
def test_older_age_never_raises_the_estimate(younger, older, sex, mg):
    assume(younger < older)
    assert creatinine_clearance(age_years=older, weight_kg=70, sex=sex, creatinine_mg_dl=mg) <= \
        creatinine_clearance(age_years=younger, weight_kg=70, sex=sex, creatinine_mg_dl=mg)
    assert egfr_ckd_epi_2021(age_years=older, sex=sex, creatinine_mg_dl=mg) <= \
        egfr_ckd_epi_2021(age_years=younger, sex=sex, creatinine_mg_dl=mg)


# ---------------------------------------------------------------------------------------------
# Plausibility of a clearance (project convention: at most 500 mL/min, renal.py)
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("weight, expected_to_raise", [
    # Cockcroft-Gault, man of 20, creatinine 0.4 mg/dL: (140 - 20) x weight / (72 x 0.4) = weight x 4.1667
    (119.9, False),   # 499.58 mL/min: just below the 500 mL/min limit
    (120.0, False),   # 500.00 mL/min: at the limit, accepted
    (120.1, True),    # 500.42 mL/min: just above, refused
    (150.0, True),    # 625 mL/min: the example in the module
])
def test_cockcroft_gault_refuses_impossible_estimates(weight, expected_to_raise):
    values = dict(age_years=20, weight_kg=weight, sex="male", creatinine_mg_dl=0.4)
    if expected_to_raise:
        with pytest.raises(InputError) as caught:
            cockcroft_gault(**values)
        assert caught.value.field == "creatinine_mg_dl"
        assert "500 mL/min" in str(caught.value)
    else:
        assert cockcroft_gault(**values).value == pytest.approx(weight * 120 / 28.8)


# ---------------------------------------------------------------------------------------------
# Measured creatinine clearance (timed urine collection): CrCl = U x V / (P x t)
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("values, expected, excretion", [
    # 100 mg/dL x 1440 mL / (1.0 mg/dL x 24 h x 60) = 144000 / 1440 = 100 mL/min; 100 x 14.4 dL = 1440 mg/24 h
    (dict(urine_creatinine_mg_dl=100.0, urine_volume_ml=1440.0, creatinine_mg_dl=1.0, collection_hours=24.0),
     100.0, 1440.0),
    # SI units: 8.84 mmol/L (100 mg/dL) and 88.4 umol/L (1.0 mg/dL) give the same 100 mL/min
    (dict(urine_creatinine_mmol_l=8.84, urine_volume_ml=1440.0, creatinine_umol_l=88.4, collection_hours=24.0),
     100.0, 1440.0),
    # 8-hour collection: 120 mg/dL x 500 mL / (0.8 mg/dL x 480 min) = 60000 / 384 = 156.25 mL/min;
    # excretion 120 x 5 dL = 600 mg in 8 h = 1800 mg/24 h
    (dict(urine_creatinine_mg_dl=120.0, urine_volume_ml=500.0, creatinine_mg_dl=0.8, collection_hours=8.0),
     156.25, 1800.0),
    # Anuria: no urine, no clearance
    (dict(urine_creatinine_mg_dl=50.0, urine_volume_ml=0.0, creatinine_mg_dl=6.0, collection_hours=24.0),
     0.0, 0.0),
])
def test_urine_clearance_worked_examples(values, expected, excretion):
    result = urine_creatinine_clearance(**values)
    assert result.value == pytest.approx(expected)
    assert result.unit == "mL/min"
    assert result.details["creatinine_excretion_mg_per_24_h"] == pytest.approx(excretion)


@pytest.mark.parametrize("volume, expected_to_raise", [
    # 100 mg/dL urine, 0.5 mg/dL serum, 24 h: CrCl = volume x 100 / (0.5 x 1440) = volume / 7.2
    (3599.0, False),  # 499.86 mL/min: just below the limit
    (3600.0, False),  # exactly 500 mL/min: accepted
    (3601.0, True),   # 500.14 mL/min: refused
])
def test_urine_clearance_refuses_impossible_results(volume, expected_to_raise):
    values = dict(urine_creatinine_mg_dl=100.0, urine_volume_ml=volume, creatinine_mg_dl=0.5, collection_hours=24.0)
    if expected_to_raise:
        with pytest.raises(InputError) as caught:
            urine_creatinine_clearance(**values)
        assert caught.value.field == "urine_creatinine_mg_dl"
    else:
        assert urine_creatinine_clearance(**values).value == pytest.approx(volume / 7.2)


def test_urine_creatinine_in_the_wrong_unit_is_caught():
    # 88 mg/dL typed into the mmol/L box is 88 mmol/L = 995 mg/dL: with 1440 mL in 24 h and serum 1.0 mg/dL
    # that is a clearance of 995 mL/min, which the plausibility rule refuses (the right answer is 88 mL/min).
    with pytest.raises(InputError) as caught:
        urine_creatinine_clearance(urine_creatinine_mmol_l=88.0, urine_volume_ml=1440.0, creatinine_mg_dl=1.0,
                                   collection_hours=24.0)
    assert caught.value.field == "urine_creatinine_mmol_l" and "995 mL/min" in str(caught.value)
    # 8840 (a value in umol/L) in the mmol/L box is outside the field's own range.
    with pytest.raises(InputError) as caught:
        urine_creatinine_clearance(urine_creatinine_mmol_l=8840.0, urine_volume_ml=1440.0, creatinine_umol_l=88.4,
                                   collection_hours=24.0)
    assert caught.value.field == "urine_creatinine_mmol_l"


@pytest.mark.parametrize("changes, field", [
    (dict(urine_creatinine_mmol_l=8.84), "urine_creatinine_mmol_l"),      # both urine units
    (dict(urine_creatinine_mg_dl=None), "urine_creatinine_mg_dl"),        # no urine creatinine
    (dict(creatinine_umol_l=88.4), "creatinine_umol_l"),                  # both serum units
    (dict(collection_hours=COLLECTION_MINIMUM_HOURS - 0.1), "collection_hours"),
    (dict(collection_hours=COLLECTION_MAXIMUM_HOURS + 0.1), "collection_hours"),
    (dict(urine_volume_ml=URINE_VOLUME_MAXIMUM_ML + 1), "urine_volume_ml"),
    (dict(urine_volume_ml=-1.0), "urine_volume_ml"),
    (dict(urine_creatinine_mg_dl=URINE_CREATININE_MINIMUM_MG_DL - 0.1), "urine_creatinine_mg_dl"),
    (dict(urine_creatinine_mg_dl=URINE_CREATININE_MAXIMUM_MG_DL + 1), "urine_creatinine_mg_dl"),
])
def test_urine_clearance_bad_input(changes, field):
    values = {**dict(urine_creatinine_mg_dl=100.0, urine_volume_ml=1440.0, creatinine_mg_dl=1.0,
                     collection_hours=24.0), **changes}
    values = {k: v for k, v in values.items() if v is not None}
    with pytest.raises(InputError) as caught:
        urine_creatinine_clearance(**values)
    assert caught.value.field == field


urine_mg = st.floats(URINE_CREATININE_MINIMUM_MG_DL, URINE_CREATININE_MAXIMUM_MG_DL, allow_nan=False)
volumes = st.floats(0, URINE_VOLUME_MAXIMUM_ML, allow_nan=False)
hours = st.floats(COLLECTION_MINIMUM_HOURS, COLLECTION_MAXIMUM_HOURS, allow_nan=False)


@given(urine=urine_mg, volume=volumes, serum=creatinines, duration=hours)
def test_urine_clearance_is_plausible_or_refused(urine, volume, serum, duration):
    expected = timed_urine_clearance(urine_creatinine_mg_dl=urine, urine_volume_ml=volume,
                                     serum_creatinine_mg_dl=serum, collection_hours=duration)
    values = dict(urine_creatinine_mg_dl=urine, urine_volume_ml=volume, creatinine_mg_dl=serum,
                  collection_hours=duration)
    if expected > CREATININE_CLEARANCE_MAXIMUM_ML_MIN:
        with pytest.raises(InputError):
            urine_creatinine_clearance(**values)
    else:
        result = urine_creatinine_clearance(**values)
        assert result.value == pytest.approx(expected) and 0 <= result.value <= CREATININE_CLEARANCE_MAXIMUM_ML_MIN


@given(urine=urine_mg, serum=creatinines, duration=hours, low=volumes, high=volumes)
def test_more_urine_or_a_shorter_collection_never_lowers_the_clearance(urine, serum, duration, low, high):
    assume(low < high)
    clearance = lambda v, t: timed_urine_clearance(urine_creatinine_mg_dl=urine, urine_volume_ml=v,  # noqa: E731
                                                   serum_creatinine_mg_dl=serum, collection_hours=t)
    assert clearance(low, duration) <= clearance(high, duration)
    assert clearance(high, COLLECTION_MAXIMUM_HOURS) <= clearance(high, duration)


@given(urine=urine_mg, volume=volumes, duration=hours, low=creatinines, high=creatinines)
def test_higher_serum_creatinine_never_raises_the_measured_clearance(urine, volume, duration, low, high):
    assume(low < high)
    assert timed_urine_clearance(urine_creatinine_mg_dl=urine, urine_volume_ml=volume, serum_creatinine_mg_dl=high,
                                 collection_hours=duration) <= \
        timed_urine_clearance(urine_creatinine_mg_dl=urine, urine_volume_ml=volume, serum_creatinine_mg_dl=low,
                              collection_hours=duration)


def test_every_citation_key_has_a_bib_entry():
    keys = set(re.findall(r"^@\w+\{([^,\s]+),", BIB.read_text(encoding="utf-8"), flags=re.MULTILINE))
    for function, example in ((cockcroft_gault, {"age_years": 60, "weight_kg": 70, "sex": "male",
                                                 "creatinine_mg_dl": 1.0}),
                              (ckd_epi_2021, {"age_years": 60, "sex": "male", "creatinine_mg_dl": 1.0}),
                              (urine_creatinine_clearance, {"urine_creatinine_mg_dl": 100.0, "urine_volume_ml": 1440.0,
                                                            "creatinine_mg_dl": 1.0, "collection_hours": 24.0})):
        calc = function.calculator
        used = set(calc.citations) | {k for f in calc.fields for k in f.source} | set(function(**example).citations)
        assert used <= keys


@pytest.mark.parametrize("function, values", [
    (cockcroft_gault, {"age_years": 65, "weight_kg": 70, "sex": "female", "creatinine_mg_dl": 1.0}),  # 61.98 mL/min
    (ckd_epi_2021, {"age_years": 65, "sex": "female", "creatinine_mg_dl": 1.0}),                      # 62.52
    (urine_creatinine_clearance, {"urine_creatinine_mg_dl": 120.0, "urine_volume_ml": 500, "creatinine_mg_dl": 0.8,
                                  "collection_hours": 8}),                                           # 156.25
])
def test_headline_and_text_show_the_same_rounded_number(function, values):
    """registry.format_value rounds both: a clearance of 61.98 reads 62 mL/min in the headline and the text."""
    from netlib.registry import format_value

    result = function(**values)
    shown = format_value(result.value, result.unit)
    assert result.headline().startswith(f"{shown} {result.unit}")
    assert f" {shown} {result.unit}" in result.interpretation
    assert "." not in shown  # whole mL/min, as laboratories report clearances
