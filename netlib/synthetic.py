"""Synthetic patients for property tests, benchmarks and demonstrations (never real data).

Values are drawn inside each field's declared range; :func:`respect_rules` then makes the
independently drawn fields agree with the patient form's cross-field rules, so the patients
are valid input for ``recommend()`` (a stated grade is kept rarely, since it must agree with
the grade computed from Ki-67 and mitoses).  Standard library only.
"""

from __future__ import annotations

import random
from typing import Any, Callable, Sequence

from .patient import PATIENT_FORM

# Clinically common ranges, drawn instead of the whole declared range so that most patients reach
# the low-grade tables (a uniform mitotic count up to 1000 per 2 mm² would make nearly everyone G3).
TYPICAL_RANGES = {
    "ki67_percent": (0.0, 25.0), "mitoses_per_2mm2": (0.0, 25.0), "age_years": (30.0, 90.0),
    "weight_kg": (40.0, 120.0), "creatinine_mg_dl": (0.5, 2.5), "creatinine_umol_l": (45.0, 220.0),
    "haemoglobin_g_dl": (7.0, 16.0), "wbc_10e9_l": (1.5, 12.0), "platelets_10e9_l": (50.0, 400.0),
    "bilirubin_x_uln": (0.2, 4.0), "albumin_g_dl": (2.5, 5.0), "sum_diameters_baseline_mm": (10.0, 300.0),
    "sum_diameters_current_mm": (10.0, 300.0), "interval_months": (1.0, 24.0),
    "tumour_size_cm": (0.3, 6.0), "liver_involvement_percent": (0.0, 80.0), "stable_disease_months": (0.0, 36.0),
    "prrt_progression_free_months": (0.0, 48.0), "tmb_mutations_per_mb": (0.0, 20.0),
    "creatinine_clearance_ml_min": (20.0, 150.0),
}
GROWTH_FIELDS = ("sum_diameters_baseline_mm", "sum_diameters_current_mm", "interval_months")


def random_value(rng: random.Random, field) -> Any:
    """A value the field accepts, from its typical range where one is set."""
    if field.kind == "choice":
        return rng.choice(field.choices)
    if field.kind == "boolean":
        return rng.random() < 0.5
    if field.kind == "integer":
        step = int(field.step or 1)
        return rng.randrange(int(field.minimum), int(field.maximum) + 1, step)
    low, high = TYPICAL_RANGES.get(field.name, (field.minimum, field.maximum))
    return round(rng.uniform(low, high), 1)


def _implausible_clearance(patient: dict) -> bool:
    """Whether the patient's Cockcroft-Gault inputs give an estimate above the plausible maximum."""
    from .renal import CREATININE_CLEARANCE_MAXIMUM_ML_MIN, creatinine_clearance, creatinine_in_mg_dl
    if any(patient.get(k) is None for k in ("age_years", "weight_kg", "sex")):
        return False
    mg_dl, umol_l = patient.get("creatinine_mg_dl"), patient.get("creatinine_umol_l")
    if mg_dl is None and umol_l is None:
        return False
    clearance = creatinine_clearance(age_years=patient["age_years"], weight_kg=patient["weight_kg"],
                                     sex=patient["sex"], creatinine_mg_dl=creatinine_in_mg_dl(mg_dl, umol_l))
    return clearance > CREATININE_CLEARANCE_MAXIMUM_ML_MIN


def respect_rules(patient: dict, pick: Callable[[Sequence], Any]) -> dict:
    """Make a patient of independently drawn fields satisfy the patient form's cross-field rules.

    ``pick(options)`` chooses one of ``options`` (a random generator, or hypothesis draws).
    """
    if "stated_grade" in patient and pick(range(20)) != 0:
        del patient["stated_grade"]
    if "krenning_score" in patient and patient.get("sstr_imaging") in (None, "not_done"):
        patient["sstr_imaging"] = pick(("planar", "spect", "pet"))
    if "creatinine_mg_dl" in patient and "creatinine_umol_l" in patient:
        del patient[pick(("creatinine_mg_dl", "creatinine_umol_l"))]
    for analyte in ("haemoglobin", "albumin"):
        if f"{analyte}_g_dl" in patient and f"{analyte}_g_l" in patient:
            del patient[pick((f"{analyte}_g_dl", f"{analyte}_g_l"))]
    if _implausible_clearance(patient):
        del patient["weight_kg"]
    given = [name for name in GROWTH_FIELDS if name in patient]
    if 0 < len(given) < len(GROWTH_FIELDS):
        for name in given:
            del patient[name]
    recist, status = patient.get("recist_response"), patient.get("disease_status")
    if recist == "PD" and status in ("stable", "newly_diagnosed"):
        patient["disease_status"] = "progressive"
    elif recist in ("CR", "PR", "SD") and status == "progressive":
        patient["disease_status"] = "stable"
    if patient.get("refractory_syndrome_diarrhoea") is True and patient.get("functioning_syndrome") not in (
            None, "carcinoid_syndrome"):
        patient["functioning_syndrome"] = "carcinoid_syndrome"
    if "gastric_type" in patient and "lung_morphology" in patient:
        del patient[pick(("gastric_type", "lung_morphology"))]
    if "gastric_type" in patient and patient.get("primary_site") not in (None, "stomach"):
        patient["primary_site"] = "stomach"
    if "lung_morphology" in patient and patient.get("primary_site") not in (None, "lung", "thymus"):
        patient["primary_site"] = pick(("lung", "thymus"))
    if "prrt_progression_free_months" in patient and patient.get("prior_prrt") in (None, "never"):
        patient["prior_prrt"] = pick(("progressed", "completed", "toxicity", "ongoing"))
    return patient


def random_patient(rng: random.Random, given: float = 0.6) -> dict:
    """A valid synthetic patient with each field present with probability ``given``."""
    patient = {f.name: random_value(rng, f) for f in PATIENT_FORM.fields if rng.random() < given}
    return respect_rules(patient, lambda options: rng.choice(tuple(options)))
