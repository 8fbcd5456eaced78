"""Peptide receptor radionuclide therapy (PRRT) with 177Lu-dotatate.

* Eligibility on a declared criteria set: NETTER-1 (Strosberg et al. 2017; protocol
  NCT01578239), the default, or NETTER-2 (Singh et al. 2024; protocol NCT03972488).
* The approved regimen as data: 7.4 GBq (200 mCi) every 8 weeks, 4 doses.

Every input is optional: a criterion without its data is reported as missing, and the
result is "incomplete" rather than a guess. A criterion is decided without all of its
inputs only when the answer cannot change: a Krenning score of 3 or 4 is sufficient on
any modality and 0 or 1 on none; a normal prothrombin time or an albumin of at least
3.0 g/dL satisfies the albumin criterion whatever the other value.

The two sets are data (:class:`CriteriaSet`); the evaluating code knows neither.

NETTER-1 (unchanged): exclusions are strict inequalities, so a value exactly on a threshold
is eligible: creatinine clearance < 50 mL/min; serum creatinine > 1.7 mg/dL (> 150 µmol/L,
each compared in the unit given, because 150 µmol/L is 1.697 mg/dL); haemoglobin < 8.0 g/dL;
white cells < 2.0 x 10⁹/L; platelets < 75 x 10⁹/L; total bilirubin > 3 x ULN; albumin
< 3.0 g/dL with an abnormal prothrombin time; Karnofsky < 60 %; Ki-67 > 20 %; poor
differentiation; SSTR uptake below the :mod:`netlib.imaging` threshold (Krenning >= 2
on planar scintigraphy or SPECT, >= 3 on SSTR PET, a declared convention). Age is checked
against the NETTER-1 minimum of 18 years when it is given; it is not required.

NETTER-2: newly diagnosed (within 6 months) well-differentiated G2/G3 GEP-NET with Ki-67
from 10 to 55 % inclusive, age 15 or over, Karnofsky >= 60, and tumour uptake above normal
liver in every target lesion (Krenning >= 3 on any modality). Its laboratory exclusions
could not be retrieved: NETTER-1's values are applied and the result says so.

What was verified (searches of public sources, see the project report):

* NETTER-1: Ki-67 <= 20 % and age >= 18 from the registry record NCT01578239 (inclusion
  criteria). Karnofsky >= 60 and uptake >= normal liver on planar scintigraphy from the
  NETTER-1 publications as summarised in clinical-facts section 6.1; not re-read in the
  primary text.
* NETTER-1 laboratory exclusions (creatinine clearance, haemoglobin, white cells, platelets,
  bilirubin, albumin/prothrombin time) are UNVERIFIED against the NETTER-1 protocol itself:
  the exclusion section of the registry record could not be retrieved. They are corroborated
  by the Imperial College PRRT protocol and by a later PRRT trial whose exclusions reproduce
  the same wording (Cockcroft-Gault clearance < 50 mL/min; Hb < 5.0 mmol/L (< 8.0 g/dL);
  WBC < 2 x 10⁹/L; platelets < 75 x 10⁹/L; albumin < 3.0 g/dL unless the prothrombin time is
  within the normal range). The serum-creatinine ceiling (> 150 µmol/L, > 1.7 mg/dL) is
  unverified.
* NETTER-2 inclusion criteria from a mirror of the registry record NCT03972488: diagnosed
  within 6 months before screening; well-differentiated G2 or G3 GEP-NET; Ki-67 >= 10 and
  <= 55 %; age >= 15 years and body weight > 40 kg; SSTR expression on all target lesions
  with uptake greater than normal liver; Karnofsky >= 60; at least one measurable lesion.
  The Lancet paper (as summarised by the registry and the label's trial page) agrees on
  Ki-67 10-55 %, age >= 15 and newly diagnosed disease.
* NETTER-2 laboratory exclusions: NOT VERIFIED (the exclusion section of the registry record
  could not be retrieved). NETTER-1's thresholds are carried over and marked as such.

Other centres use other thresholds (e.g. Imperial: eGFR < 40 mL/min; LUTIA: GFR
< 50 mL/min, platelets < 100 x 10⁹/L at baseline, bilirubin > ULN). This calculator
applies the chosen trial's set only and says which.

Units: haemoglobin and albumin may be given in g/dL or g/L (at most one per analyte); they
are converted once, by :func:`grams_per_decilitre`. Every laboratory and clearance input has
plausibility bounds: a value no living adult can have is an input error, not a result.

Criteria that are not assessed here: primary site (midgut for NETTER-1, GEP for NETTER-2),
RECIST progression on a fixed dose of octreotide LAR (NETTER-1), absence of prior
progression and prior therapy (NETTER-2), body weight (NETTER-2: > 40 kg), prior PRRT,
recent surgery or liver-directed therapy, pregnancy, uncontrolled heart failure or diabetes.
"""

from __future__ import annotations

from dataclasses import dataclass
from types import MappingProxyType
from typing import Any, Mapping

from .imaging import (KRENNING_MAXIMUM, KRENNING_MINIMUM, KRENNING_SUFFICIENT_BY_MODALITY,
                      KRENNING_SUFFICIENT_PET, KRENNING_SUFFICIENT_SCINTIGRAPHY, MODALITY_CHOICES,
                      MODALITY_PET, PET_EQUAL_TO_LIVER_WARNING)
from .inputs import Field, InputError, Rule, boolean, choice, integer, number
from .registry import Result, calculator, make_result
from .renal import (CREATININE_CLEARANCE_MAXIMUM_ML_MIN, CREATININE_CLEARANCE_MINIMUM_ML_MIN,
                    CREATININE_MAXIMUM_MG_DL, CREATININE_MAXIMUM_UMOL_L, CREATININE_MINIMUM_MG_DL,
                    CREATININE_MINIMUM_UMOL_L)

# NETTER-1 exclusion thresholds (Strosberg 2017 protocol; clinical-facts 6.1). Each exclusion is a
# strict inequality: the threshold value itself is eligible.
NETTER1_CREATININE_CLEARANCE_MINIMUM_ML_MIN = 50.0  # excluded if Cockcroft-Gault CrCl < 50 mL/min
NETTER1_CREATININE_MAXIMUM_MG_DL = 1.7              # excluded if serum creatinine > 1.7 mg/dL
NETTER1_CREATININE_MAXIMUM_UMOL_L = 150.0           # ... or > 150 µmol/L (compared in the unit given)
NETTER1_HAEMOGLOBIN_MINIMUM_G_DL = 8.0              # excluded if Hb < 8.0 g/dL (4.96 mmol/L)
NETTER1_WBC_MINIMUM_10E9_L = 2.0                    # excluded if WBC < 2.0 x 10⁹/L (2000/mm³)
NETTER1_PLATELETS_MINIMUM_10E9_L = 75.0             # excluded if platelets < 75 x 10⁹/L
NETTER1_BILIRUBIN_MAXIMUM_X_ULN = 3.0               # excluded if total bilirubin > 3 x ULN
NETTER1_ALBUMIN_MINIMUM_G_DL = 3.0                  # excluded if albumin < 3.0 g/dL AND PT abnormal
NETTER1_KARNOFSKY_MINIMUM_PERCENT = 60              # excluded if Karnofsky < 60 %
NETTER1_KI67_MAXIMUM_PERCENT = 20.0                 # inclusion: Ki-67 <= 20 % (NCT01578239)
NETTER1_MINIMUM_AGE_YEARS = 18                      # inclusion: age >= 18 (NCT01578239)

# NETTER-2 inclusion thresholds (Singh 2024; registry record NCT03972488, inclusion criteria).
NETTER2_KI67_MINIMUM_PERCENT = 10.0                 # inclusion: Ki-67 >= 10 % (10 % is eligible)
NETTER2_KI67_MAXIMUM_PERCENT = 55.0                 # inclusion: Ki-67 <= 55 % (55 % is eligible)
NETTER2_MINIMUM_AGE_YEARS = 15                      # inclusion: age >= 15 years
NETTER2_MAXIMUM_MONTHS_SINCE_DIAGNOSIS = 6.0        # inclusion: diagnosed within 6 months of screening
NETTER2_KARNOFSKY_MINIMUM_PERCENT = 60              # inclusion: Karnofsky >= 60
NETTER2_KRENNING_MINIMUM = 3                        # inclusion: uptake > normal liver, on any modality
NETTER2_MINIMUM_WEIGHT_KG = 40                      # inclusion: body weight > 40 kg (not assessed here)
# NETTER-2 laboratory exclusions: NOT VERIFIED (the registry record's exclusion section could not be
# retrieved). NETTER-1's values are carried over, as the brief for this calculator asks, and marked.
NETTER2_CREATININE_CLEARANCE_MINIMUM_ML_MIN = NETTER1_CREATININE_CLEARANCE_MINIMUM_ML_MIN  # unverified
NETTER2_CREATININE_MAXIMUM_MG_DL = NETTER1_CREATININE_MAXIMUM_MG_DL                        # unverified
NETTER2_CREATININE_MAXIMUM_UMOL_L = NETTER1_CREATININE_MAXIMUM_UMOL_L                      # unverified
NETTER2_HAEMOGLOBIN_MINIMUM_G_DL = NETTER1_HAEMOGLOBIN_MINIMUM_G_DL                        # unverified
NETTER2_WBC_MINIMUM_10E9_L = NETTER1_WBC_MINIMUM_10E9_L                                    # unverified
NETTER2_PLATELETS_MINIMUM_10E9_L = NETTER1_PLATELETS_MINIMUM_10E9_L                        # unverified
NETTER2_BILIRUBIN_MAXIMUM_X_ULN = NETTER1_BILIRUBIN_MAXIMUM_X_ULN                          # unverified
NETTER2_ALBUMIN_MINIMUM_G_DL = NETTER1_ALBUMIN_MINIMUM_G_DL                                # unverified

# Karnofsky performance status is scored in steps of 10 (0, 10, ..., 100).
KARNOFSKY_STEP_PERCENT = 10

# Thresholds used elsewhere, quoted for comparison only (clinical-facts 6.1 and 12.6).
IMPERIAL_EGFR_MINIMUM_ML_MIN = 40.0     # Imperial College PRRT protocol: eGFR (CrCl) < 40 excluded
LUTIA_PLATELETS_MINIMUM_10E9_L = 100.0  # LUTIA protocol: platelets < 100 x 10⁹/L at baseline excluded

# Haemoglobin and albumin: g/L = g/dL x 10 (exact, by definition of the units).
G_L_PER_G_DL = 10.0

# Plausibility bounds (values no living adult has; project convention). Haemoglobin 1-25 g/dL
# (survival with Hb near 1.5 g/dL and polycythaemia near 25 g/dL are reported extremes); white cells
# up to 500 x 10⁹/L (hyperleucocytosis); platelets up to 2000 x 10⁹/L (extreme thrombocytosis);
# bilirubin up to 100 x ULN; albumin 0.5-7 g/dL. The g/L bounds are the same range x 10.
HAEMOGLOBIN_MINIMUM_G_DL = 1.0
HAEMOGLOBIN_MAXIMUM_G_DL = 25.0
HAEMOGLOBIN_MINIMUM_G_L = HAEMOGLOBIN_MINIMUM_G_DL * G_L_PER_G_DL
HAEMOGLOBIN_MAXIMUM_G_L = HAEMOGLOBIN_MAXIMUM_G_DL * G_L_PER_G_DL
ALBUMIN_MINIMUM_G_DL = 0.5
ALBUMIN_MAXIMUM_G_DL = 7.0
ALBUMIN_MINIMUM_G_L = ALBUMIN_MINIMUM_G_DL * G_L_PER_G_DL
ALBUMIN_MAXIMUM_G_L = ALBUMIN_MAXIMUM_G_DL * G_L_PER_G_DL
WBC_MAXIMUM_10E9_L = 500.0
PLATELETS_MAXIMUM_10E9_L = 2000.0
BILIRUBIN_MAXIMUM_X_ULN = 100.0
AGE_MAXIMUM_YEARS = 120
MONTHS_SINCE_DIAGNOSIS_MAXIMUM = 1200.0  # 100 years

ELIGIBLE = "eligible"
NOT_ELIGIBLE = "not eligible"
INCOMPLETE = "incomplete"
PRRT_CATEGORIES = (ELIGIBLE, NOT_ELIGIBLE, INCOMPLETE)

NETTER1_CRITERIA = ("differentiation", "ki67", "sstr_uptake", "performance_status", "renal",
                    "creatinine", "hemoglobin", "wbc", "platelets", "bilirubin", "albumin")
# NETTER-1 checks age only when it is given, so "age" can fail but is never missing.
NETTER1_CHECKED = NETTER1_CRITERIA[:4] + ("age",) + NETTER1_CRITERIA[4:]
NETTER2_CRITERIA = ("differentiation", "ki67", "sstr_uptake", "performance_status", "age",
                    "time_since_diagnosis", "renal", "creatinine", "hemoglobin", "wbc", "platelets",
                    "bilirubin", "albumin")
NETTER2_UNVERIFIED_CRITERIA = ("renal", "creatinine", "hemoglobin", "wbc", "platelets", "bilirubin", "albumin")
CRITERIA_SET = "NETTER-1"  # the default set, by name
DEFAULT_CRITERIA_SET = "netter1"
CRITERIA_SET_CHOICES = {
    "netter1": "NETTER-1: progressive midgut NET after a somatostatin analogue",
    "netter2": "NETTER-2: newly diagnosed G2/G3 GEP-NET, first line",
}


@dataclass(frozen=True, slots=True)
class CriteriaSet:
    """One trial's eligibility thresholds, as data a clinician can review in a diff.

    Bounds follow the trial's wording: a ``minimum`` is eligible at the value, as is a ``maximum``.
    ``minimum_age_years`` is checked when age is given; ``age_required`` makes a missing age a missing
    criterion. ``maximum_months_since_diagnosis`` is None when the trial did not restrict it.
    """

    id: str
    name: str
    ki67_minimum_percent: float | None
    ki67_maximum_percent: float
    krenning_minimum_by_modality: Mapping[str, int]
    karnofsky_minimum_percent: int
    minimum_age_years: int
    age_required: bool
    maximum_months_since_diagnosis: float | None
    creatinine_clearance_minimum_ml_min: float
    creatinine_maximum_mg_dl: float
    creatinine_maximum_umol_l: float
    haemoglobin_minimum_g_dl: float
    wbc_minimum_10e9_l: float
    platelets_minimum_10e9_l: float
    bilirubin_maximum_x_uln: float
    albumin_minimum_g_dl: float
    criteria: tuple[str, ...]
    unverified: tuple[str, ...]
    citations: tuple[str, ...]
    eligible_interpretation: str
    # Lowest score sufficient on some modality, and lowest sufficient on every one (derived).
    krenning_sufficient_on_some: int = 0
    krenning_sufficient_on_all: int = 0

    def __post_init__(self) -> None:
        object.__setattr__(self, "krenning_sufficient_on_some", min(self.krenning_minimum_by_modality.values()))
        object.__setattr__(self, "krenning_sufficient_on_all", max(self.krenning_minimum_by_modality.values()))


_CITATIONS = ("strosberg2017netter1", "nct01578239", "kwekkeboom2002", "hope2020prrt")
_CITATIONS_PET_EQUAL_TO_LIVER = _CITATIONS + ("lutathera_smpc",)
_NETTER1 = ("strosberg2017netter1", "nct01578239")
_NETTER2 = ("singh2024netter2", "nct03972488")
_CITATIONS_NETTER2 = _NETTER2 + ("kwekkeboom2002", "hope2020prrt")

NETTER2_UNVERIFIED_WARNING = (
    "NETTER-2's own laboratory exclusions could not be verified against the protocol; NETTER-1's "
    "thresholds are applied to the renal, blood-count, bilirubin and albumin criteria.")
NETTER2_NOT_ASSESSED = ("Primary site (gastroenteropancreatic), inoperable advanced disease, body weight above "
                        f"{NETTER2_MINIMUM_WEIGHT_KG} kg, absence of prior progression or prior PRRT and the "
                        "other protocol criteria are not assessed.")
NETTER1_NOT_ASSESSED = ("Primary site, progression on a somatostatin analogue and the other protocol criteria "
                        "are not assessed.")

NETTER1 = CriteriaSet(
    id="netter1", name="NETTER-1", ki67_minimum_percent=None, ki67_maximum_percent=NETTER1_KI67_MAXIMUM_PERCENT,
    krenning_minimum_by_modality=KRENNING_SUFFICIENT_BY_MODALITY,
    karnofsky_minimum_percent=NETTER1_KARNOFSKY_MINIMUM_PERCENT, minimum_age_years=NETTER1_MINIMUM_AGE_YEARS,
    age_required=False, maximum_months_since_diagnosis=None,
    creatinine_clearance_minimum_ml_min=NETTER1_CREATININE_CLEARANCE_MINIMUM_ML_MIN,
    creatinine_maximum_mg_dl=NETTER1_CREATININE_MAXIMUM_MG_DL,
    creatinine_maximum_umol_l=NETTER1_CREATININE_MAXIMUM_UMOL_L,
    haemoglobin_minimum_g_dl=NETTER1_HAEMOGLOBIN_MINIMUM_G_DL, wbc_minimum_10e9_l=NETTER1_WBC_MINIMUM_10E9_L,
    platelets_minimum_10e9_l=NETTER1_PLATELETS_MINIMUM_10E9_L,
    bilirubin_maximum_x_uln=NETTER1_BILIRUBIN_MAXIMUM_X_ULN, albumin_minimum_g_dl=NETTER1_ALBUMIN_MINIMUM_G_DL,
    criteria=NETTER1_CRITERIA, unverified=(), citations=_CITATIONS,
    eligible_interpretation="Eligible on every NETTER-1 criterion checked here. " + NETTER1_NOT_ASSESSED,
)

NETTER2 = CriteriaSet(
    id="netter2", name="NETTER-2", ki67_minimum_percent=NETTER2_KI67_MINIMUM_PERCENT,
    ki67_maximum_percent=NETTER2_KI67_MAXIMUM_PERCENT,
    krenning_minimum_by_modality=MappingProxyType({modality: NETTER2_KRENNING_MINIMUM
                                                   for modality in KRENNING_SUFFICIENT_BY_MODALITY}),
    karnofsky_minimum_percent=NETTER2_KARNOFSKY_MINIMUM_PERCENT, minimum_age_years=NETTER2_MINIMUM_AGE_YEARS,
    age_required=True, maximum_months_since_diagnosis=NETTER2_MAXIMUM_MONTHS_SINCE_DIAGNOSIS,
    creatinine_clearance_minimum_ml_min=NETTER2_CREATININE_CLEARANCE_MINIMUM_ML_MIN,
    creatinine_maximum_mg_dl=NETTER2_CREATININE_MAXIMUM_MG_DL,
    creatinine_maximum_umol_l=NETTER2_CREATININE_MAXIMUM_UMOL_L,
    haemoglobin_minimum_g_dl=NETTER2_HAEMOGLOBIN_MINIMUM_G_DL, wbc_minimum_10e9_l=NETTER2_WBC_MINIMUM_10E9_L,
    platelets_minimum_10e9_l=NETTER2_PLATELETS_MINIMUM_10E9_L,
    bilirubin_maximum_x_uln=NETTER2_BILIRUBIN_MAXIMUM_X_ULN, albumin_minimum_g_dl=NETTER2_ALBUMIN_MINIMUM_G_DL,
    criteria=NETTER2_CRITERIA, unverified=NETTER2_UNVERIFIED_CRITERIA, citations=_CITATIONS_NETTER2,
    eligible_interpretation="Eligible on every NETTER-2 criterion checked here. " + NETTER2_NOT_ASSESSED,
)

_SETS = {None: NETTER1, "netter1": NETTER1, "netter2": NETTER2}
CRITERIA_SETS: Mapping[str, CriteriaSet] = MappingProxyType({"netter1": NETTER1, "netter2": NETTER2})


@dataclass(frozen=True, slots=True)
class DosingRegimen:
    """A radiopharmaceutical regimen: activity per dose, interval and number of doses."""

    drug: str
    activity_per_dose_gbq: float
    activity_per_dose_mci: float
    interval_weeks: int
    interval_tolerance_weeks: int
    number_of_doses: int
    citations: tuple[str, ...]

    @property
    def total_activity_gbq(self) -> float:
        return self.activity_per_dose_gbq * self.number_of_doses


# LUTATHERA label (4/2024) and NETTER-1: 7.4 GBq (200 mCi) every 8 weeks (± 1 week), 4 doses.
LUTATHERA_ACTIVITY_PER_DOSE_GBQ = 7.4
LUTATHERA_ACTIVITY_PER_DOSE_MCI = 200
LUTATHERA_INTERVAL_WEEKS = 8
LUTATHERA_INTERVAL_TOLERANCE_WEEKS = 1
LUTATHERA_NUMBER_OF_DOSES = 4
LUTATHERA_TOTAL_ACTIVITY_GBQ = LUTATHERA_ACTIVITY_PER_DOSE_GBQ * LUTATHERA_NUMBER_OF_DOSES  # 29.6 GBq

LUTATHERA_REGIMEN = DosingRegimen(
    drug="177Lu-dotatate (Lutathera)",
    activity_per_dose_gbq=LUTATHERA_ACTIVITY_PER_DOSE_GBQ,
    activity_per_dose_mci=LUTATHERA_ACTIVITY_PER_DOSE_MCI,
    interval_weeks=LUTATHERA_INTERVAL_WEEKS,
    interval_tolerance_weeks=LUTATHERA_INTERVAL_TOLERANCE_WEEKS,
    number_of_doses=LUTATHERA_NUMBER_OF_DOSES,
    citations=("lutathera2024label", "strosberg2017netter1"),
)


def grams_per_decilitre(value_g_dl: float | None, value_g_l: float | None) -> float | None:
    """A concentration in g/dL from whichever unit was given (g/L / 10), or None. No validation.

    The one conversion of haemoglobin and albumin in netlib.
    """
    if value_g_dl is not None:
        return value_g_dl
    if value_g_l is not None:
        return value_g_l / G_L_PER_G_DL
    return None


def _at_most_one_unit(name_a: str, name_b: str, analyte: str, unit_a: str, unit_b: str) -> Rule:
    accepted = f"at most one of {name_a} or {name_b}"

    def check(values):
        if values[name_a] is not None and values[name_b] is not None:
            return InputError(name_b, values[name_b], accepted,
                              f"give the {analyte} in {unit_a} or in {unit_b}, not both; got "
                              f"{name_a}={_shown(values[name_a])} and {name_b}={_shown(values[name_b])}")
        return None

    return Rule((name_a, name_b), accepted, check, given=(name_a, name_b))


def _at_most_one_creatinine() -> Rule:
    return _at_most_one_unit("creatinine_mg_dl", "creatinine_umol_l", "serum creatinine", "mg/dL", "µmol/L")


def _karnofsky_in_steps_of_ten() -> Rule:
    def check(values):
        score = values["karnofsky_percent"]
        if score is not None and score % KARNOFSKY_STEP_PERCENT:
            return InputError("karnofsky_percent", score, "a multiple of 10 between 0 and 100",
                              f"karnofsky_percent must be a multiple of 10 (0, 10, ..., 100); got {score}")
        return None

    return Rule(("karnofsky_percent",), "Karnofsky performance status is scored in steps of 10", check,
                given=("karnofsky_percent",))


_BOTH = _NETTER1 + _NETTER2


@calculator(
    id="prrt_eligibility",
    title="177Lu-dotatate (PRRT) eligibility: NETTER-1 or NETTER-2 criteria",
    summary="Checks tumour, imaging, performance and laboratory criteria against the eligibility criteria of "
            "NETTER-1 (default) or NETTER-2 for 177Lu-dotatate, listing every failed and every missing criterion.",
    fields=(
        choice("criteria_set", "Criteria set", CRITERIA_SET_CHOICES, required=False,
               help="NETTER-1 (the default when left empty) for progression on a somatostatin analogue; NETTER-2 "
                    "for newly diagnosed G2/G3 tumours with Ki-67 from "
                    f"{NETTER2_KI67_MINIMUM_PERCENT:g} to {NETTER2_KI67_MAXIMUM_PERCENT:g} %.",
               source=_BOTH),
        choice("differentiation", "Differentiation", {"well": "Well differentiated (NET)",
                                                      "poor": "Poorly differentiated (NEC)"},
               required=False, help="Both trials enrolled well-differentiated tumours only.",
               source=_BOTH),
        number("ki67_percent", "Ki-67 index", "%", 0, 100, required=False, step=0.1,
               help=f"NETTER-1 required Ki-67 of {NETTER1_KI67_MAXIMUM_PERCENT:g} % or less; NETTER-2 from "
                    f"{NETTER2_KI67_MINIMUM_PERCENT:g} to {NETTER2_KI67_MAXIMUM_PERCENT:g} %. Values exactly on a "
                    "limit are eligible.",
               source=_BOTH),
        integer("krenning_score", "Krenning score", "", KRENNING_MINIMUM, KRENNING_MAXIMUM,
                required=False,
                help="Uptake of the least avid target lesion: 0 none, 1 below liver, 2 equal to liver, "
                     "3 above liver, 4 above spleen or kidneys.",
                source=("kwekkeboom2002", "strosberg2017netter1", "nct03972488")),
        choice("sstr_modality", "SSTR imaging modality", MODALITY_CHOICES, required=False,
               help=f"NETTER-1: planar scintigraphy or SPECT need a Krenning score of at least "
                    f"{KRENNING_SUFFICIENT_SCINTIGRAPHY}, SSTR PET at least {KRENNING_SUFFICIENT_PET}. NETTER-2 "
                    f"required uptake above liver ({NETTER2_KRENNING_MINIMUM}) on any modality.",
               source=("strosberg2017netter1", "hope2020prrt", "nct03972488")),
        Field(name="karnofsky_percent", label="Karnofsky performance status", kind="integer", unit="%",
              minimum=0, maximum=100, required=False, step=KARNOFSKY_STEP_PERCENT,
              help=f"Scored in steps of {KARNOFSKY_STEP_PERCENT}; both trials required at least "
                   f"{NETTER1_KARNOFSKY_MINIMUM_PERCENT} %.", source=_BOTH),
        number("age_years", "Age", "years", 0, AGE_MAXIMUM_YEARS, required=False, step=1,
               help=f"NETTER-2 enrolled patients aged {NETTER2_MINIMUM_AGE_YEARS} or over; NETTER-1 adults "
                    f"({NETTER1_MINIMUM_AGE_YEARS} or over), checked when given.", source=_BOTH),
        number("months_since_diagnosis", "Time since diagnosis", "months", 0, MONTHS_SINCE_DIAGNOSIS_MAXIMUM,
               required=False, step=0.1,
               help=f"NETTER-2 only: diagnosed within {NETTER2_MAXIMUM_MONTHS_SINCE_DIAGNOSIS:g} months before "
                    "screening (exactly 6 is eligible).", source=_NETTER2),
        number("creatinine_clearance_ml_min", "Creatinine clearance", "mL/min",
               CREATININE_CLEARANCE_MINIMUM_ML_MIN, CREATININE_CLEARANCE_MAXIMUM_ML_MIN, required=False, step=0.1,
               help=f"Cockcroft-Gault or measured (timed urine) creatinine clearance; NETTER-1 excluded values "
                    f"below {NETTER1_CREATININE_CLEARANCE_MINIMUM_ML_MIN:g} mL/min (Cockcroft-Gault). A CKD-EPI "
                    "eGFR (mL/min/1.73 m²) is not interchangeable with it. Above "
                    f"{CREATININE_CLEARANCE_MAXIMUM_ML_MIN:g} mL/min is impossible.",
               source=("strosberg2017netter1", "cockcroft1976")),
        number("creatinine_mg_dl", "Serum creatinine", "mg/dL", CREATININE_MINIMUM_MG_DL,
               CREATININE_MAXIMUM_MG_DL, required=False, step=0.01,
               help=f"In mg/dL or in µmol/L, not both. NETTER-1 excluded values above "
                    f"{NETTER1_CREATININE_MAXIMUM_MG_DL:g} mg/dL.",
               source=_NETTER1),
        number("creatinine_umol_l", "Serum creatinine", "µmol/L", CREATININE_MINIMUM_UMOL_L,
               CREATININE_MAXIMUM_UMOL_L, required=False, step=1,
               help=f"In µmol/L or in mg/dL, not both. NETTER-1 excluded values above "
                    f"{NETTER1_CREATININE_MAXIMUM_UMOL_L:g} µmol/L.",
               source=_NETTER1),
        number("haemoglobin_g_dl", "Haemoglobin", "g/dL", HAEMOGLOBIN_MINIMUM_G_DL, HAEMOGLOBIN_MAXIMUM_G_DL,
               required=False, step=0.1,
               help=f"In g/dL or in g/L, not both. NETTER-1 excluded haemoglobin below "
                    f"{NETTER1_HAEMOGLOBIN_MINIMUM_G_DL:.1f} g/dL.",
               source=_NETTER1),
        number("haemoglobin_g_l", "Haemoglobin", "g/L", HAEMOGLOBIN_MINIMUM_G_L, HAEMOGLOBIN_MAXIMUM_G_L,
               required=False, step=1,
               help=f"In g/L or in g/dL, not both (g/L = g/dL x 10). NETTER-1 excluded haemoglobin below "
                    f"{NETTER1_HAEMOGLOBIN_MINIMUM_G_DL * G_L_PER_G_DL:g} g/L.",
               source=_NETTER1),
        number("wbc_10e9_l", "White cell count", "x 10⁹/L", 0, WBC_MAXIMUM_10E9_L, required=False, step=0.1,
               help=f"NETTER-1 excluded white cells below {NETTER1_WBC_MINIMUM_10E9_L:.1f} x 10⁹/L.",
               source=_NETTER1),
        number("platelets_10e9_l", "Platelet count", "x 10⁹/L", 0, PLATELETS_MAXIMUM_10E9_L, required=False,
               step=1, help=f"NETTER-1 excluded platelets below {NETTER1_PLATELETS_MINIMUM_10E9_L:g} x 10⁹/L.",
               source=_NETTER1),
        number("bilirubin_x_uln", "Total bilirubin", "x ULN", 0, BILIRUBIN_MAXIMUM_X_ULN, required=False,
               step=0.1,
               help="Total bilirubin as a multiple of the laboratory's upper limit of normal "
                    "(e.g. 2.5 for 2.5 x ULN). NETTER-1 excluded values above "
                    f"{NETTER1_BILIRUBIN_MAXIMUM_X_ULN:g} x ULN.",
               source=_NETTER1),
        number("albumin_g_dl", "Serum albumin", "g/dL", ALBUMIN_MINIMUM_G_DL, ALBUMIN_MAXIMUM_G_DL,
               required=False, step=0.1,
               help=f"In g/dL or in g/L, not both. NETTER-1 excluded albumin below "
                    f"{NETTER1_ALBUMIN_MINIMUM_G_DL:.1f} g/dL only when the prothrombin time was abnormal.",
               source=_NETTER1),
        number("albumin_g_l", "Serum albumin", "g/L", ALBUMIN_MINIMUM_G_L, ALBUMIN_MAXIMUM_G_L, required=False,
               step=1,
               help=f"In g/L or in g/dL, not both (g/L = g/dL x 10). NETTER-1 excluded albumin below "
                    f"{NETTER1_ALBUMIN_MINIMUM_G_DL * G_L_PER_G_DL:g} g/L only when the prothrombin time was "
                    "abnormal.", source=_NETTER1),
        boolean("prothrombin_time_normal", "Prothrombin time within the normal range", required=False,
                help=f"Needed only when albumin is below {NETTER1_ALBUMIN_MINIMUM_G_DL:.1f} g/dL.", source=_NETTER1),
    ),
    rules=(_at_most_one_creatinine(), _karnofsky_in_steps_of_ten(),
           _at_most_one_unit("haemoglobin_g_dl", "haemoglobin_g_l", "haemoglobin", "g/dL", "g/L"),
           _at_most_one_unit("albumin_g_dl", "albumin_g_l", "albumin", "g/dL", "g/L")),
    categories=PRRT_CATEGORIES,
    whole_form=True,
    citations=_CITATIONS + _NETTER2 + ("lutathera2024label", "ebbers2020lutia", "imperial_prrt_protocol"),
    when_to_use="A well-differentiated, SSTR-positive neuroendocrine tumour when 177Lu-dotatate is being "
                "considered: after progression on a somatostatin analogue (NETTER-1 criteria), or first line for "
                "a newly diagnosed G2/G3 gastroenteropancreatic NET (NETTER-2 criteria).",
    pearls=(
        "The result names the criteria set it applied; leave the set empty for NETTER-1.",
        f"NETTER-1 exclusions are strict: creatinine clearance exactly "
        f"{NETTER1_CREATININE_CLEARANCE_MINIMUM_ML_MIN:g} mL/min, haemoglobin {NETTER1_HAEMOGLOBIN_MINIMUM_G_DL:.1f} "
        f"g/dL, platelets {NETTER1_PLATELETS_MINIMUM_10E9_L:g} x 10⁹/L, bilirubin "
        f"{NETTER1_BILIRUBIN_MAXIMUM_X_ULN:g} x ULN, Karnofsky {NETTER1_KARNOFSKY_MINIMUM_PERCENT} % and Ki-67 "
        f"{NETTER1_KI67_MAXIMUM_PERCENT:g} % are all eligible.",
        f"NETTER-2: Ki-67 exactly {NETTER2_KI67_MINIMUM_PERCENT:g} % or {NETTER2_KI67_MAXIMUM_PERCENT:g} %, age "
        f"{NETTER2_MINIMUM_AGE_YEARS} and diagnosis {NETTER2_MAXIMUM_MONTHS_SINCE_DIAGNOSIS:g} months ago are "
        "eligible; uptake equal to liver (Krenning 2) is not, on any modality.",
        "NETTER-2's laboratory exclusions could not be verified; NETTER-1's are applied and the result warns.",
        "Low albumin excludes only with an abnormal prothrombin time.",
        "Haemoglobin and albumin may be given in g/dL or in g/L (g/L = g/dL x 10), one unit per analyte.",
        "NETTER-1 used a Cockcroft-Gault creatinine clearance; a measured (timed urine) clearance may be entered "
        "instead. A CKD-EPI eGFR is normalised to 1.73 m² and is not interchangeable.",
        f"Other centres use other thresholds, e.g. eGFR below {IMPERIAL_EGFR_MINIMUM_ML_MIN:g} mL/min "
        f"(Imperial protocol) or platelets below {LUTIA_PLATELETS_MINIMUM_10E9_L:g} x 10⁹/L at "
        "baseline (LUTIA); this calculator applies the chosen trial's set only.",
        f"Regimen: {LUTATHERA_ACTIVITY_PER_DOSE_GBQ:g} GBq ({LUTATHERA_ACTIVITY_PER_DOSE_MCI} mCi) every "
        f"{LUTATHERA_INTERVAL_WEEKS} weeks, {LUTATHERA_NUMBER_OF_DOSES} doses "
        f"({LUTATHERA_TOTAL_ACTIVITY_GBQ:g} GBq in total).",
        "Not assessed here: primary site, progression on octreotide LAR (NETTER-1), prior therapy or "
        f"progression and body weight above {NETTER2_MINIMUM_WEIGHT_KG} kg (NETTER-2), prior PRRT, recent "
        "surgery or liver-directed therapy, pregnancy, uncontrolled heart failure or diabetes.",
    ),
)
def prrt_eligibility(values: Mapping[str, Any]) -> Result:
    """``values``: every declared field by name (None when not given), as the form validates them."""
    rules = _SETS[values["criteria_set"]]
    failed, missing, notes = assess(rules, values)
    return explain(rules, values, failed, missing, notes)


# ---------------------------------------------------------------------------------------------
# The criteria are checked once, in assess(), which records codes only: the category needs no text,
# and the decision tables read the category of every patient (netlib.patient).  explain() turns the
# codes into the result's reasons and warnings.  Each check is written once, here.
# ---------------------------------------------------------------------------------------------

# Why a criterion failed -> the criterion it fails (the result's ``failed_criteria``).
_CRITERION_OF_REASON = MappingProxyType({
    "poorly_differentiated": "differentiation", "ki67_above": "ki67", "ki67_below": "ki67",
    "uptake_below": "sstr_uptake", "karnofsky_below": "performance_status", "age_below": "age",
    "diagnosed_too_long_ago": "time_since_diagnosis", "clearance_below": "renal",
    "creatinine_mg_dl_above": "creatinine", "creatinine_umol_l_above": "creatinine",
    "haemoglobin_below": "hemoglobin", "wbc_below": "wbc", "platelets_below": "platelets",
    "bilirubin_above": "bilirubin", "albumin_below_with_abnormal_pt": "albumin",
})


def krenning_threshold(rules: CriteriaSet, krenning_score: int, sstr_modality: str | None) -> int | None:
    """The Krenning score this score is compared with, or None when it depends on a modality not given."""
    if sstr_modality is not None:
        return rules.krenning_minimum_by_modality[sstr_modality]
    if krenning_score >= rules.krenning_sufficient_on_all:
        return rules.krenning_sufficient_on_all
    if krenning_score < rules.krenning_sufficient_on_some:
        return rules.krenning_sufficient_on_some
    return None


def category(failed: list[str], missing: list[str]) -> str:
    return NOT_ELIGIBLE if failed else (INCOMPLETE if missing else ELIGIBLE)


def assess(rules: CriteriaSet, values: Mapping[str, Any]) -> tuple[list[str], list[str], list[str]]:
    """Check ``values`` against one criteria set: (failed reasons, missing criteria, notes), as codes.

    Bounds as the trials worded them: a minimum or a maximum is itself eligible.
    """
    failed: list[str] = []
    missing: list[str] = []
    notes: list[str] = []
    fail, lack = failed.append, missing.append  # bound once: hot path

    differentiation = values["differentiation"]
    if differentiation is None:
        lack("differentiation")
    elif differentiation == "poor":
        fail("poorly_differentiated")

    ki67 = values["ki67_percent"]
    if ki67 is None:
        lack("ki67")
    elif ki67 > rules.ki67_maximum_percent:
        fail("ki67_above")
    elif rules.ki67_minimum_percent is not None and ki67 < rules.ki67_minimum_percent:
        fail("ki67_below")

    # SSTR uptake: the threshold depends on the modality, except where every modality agrees.
    score, modality = values["krenning_score"], values["sstr_modality"]
    if score is None:
        lack("sstr_uptake")
    else:
        threshold = krenning_threshold(rules, score, modality)
        if threshold is None:
            lack("sstr_uptake")
            notes.append("modality_needed")
        elif score < threshold:
            fail("uptake_below")
        if rules is NETTER1 and modality == MODALITY_PET and score == 2:
            notes.append("pet_equal_to_liver")

    karnofsky = values["karnofsky_percent"]
    if karnofsky is None:
        lack("performance_status")
    elif karnofsky < rules.karnofsky_minimum_percent:
        fail("karnofsky_below")

    age = values["age_years"]
    if age is None:
        if rules.age_required:
            lack("age")
    elif age < rules.minimum_age_years:
        fail("age_below")

    months = values["months_since_diagnosis"]
    if rules.maximum_months_since_diagnosis is not None:
        if months is None:
            lack("time_since_diagnosis")
        elif months > rules.maximum_months_since_diagnosis:
            fail("diagnosed_too_long_ago")
    elif months is not None:
        notes.append("time_not_used")

    clearance = values["creatinine_clearance_ml_min"]
    if clearance is None:
        lack("renal")
    elif clearance < rules.creatinine_clearance_minimum_ml_min:
        fail("clearance_below")

    # Serum creatinine is compared in the unit it was given in: 150 µmol/L is 1.697 mg/dL, not 1.7.
    creatinine_mg_dl, creatinine_umol_l = values["creatinine_mg_dl"], values["creatinine_umol_l"]
    if creatinine_mg_dl is not None:
        if creatinine_mg_dl > rules.creatinine_maximum_mg_dl:
            fail("creatinine_mg_dl_above")
    elif creatinine_umol_l is not None:
        if creatinine_umol_l > rules.creatinine_maximum_umol_l:
            fail("creatinine_umol_l_above")
    elif clearance is None:
        lack("creatinine")
    else:
        # Convention of this book: with a creatinine clearance given (measured or calculated), a missing
        # serum creatinine does not leave the check incomplete; the clearance is the renal criterion that
        # matters for 177Lu, and the serum ceiling is then not assessed (said in a note).
        notes.append("serum_creatinine_not_checked")

    haemoglobin = grams_per_decilitre(values["haemoglobin_g_dl"], values["haemoglobin_g_l"])
    if haemoglobin is None:
        lack("hemoglobin")
    elif haemoglobin < rules.haemoglobin_minimum_g_dl:
        fail("haemoglobin_below")

    wbc = values["wbc_10e9_l"]
    if wbc is None:
        lack("wbc")
    elif wbc < rules.wbc_minimum_10e9_l:
        fail("wbc_below")

    platelets = values["platelets_10e9_l"]
    if platelets is None:
        lack("platelets")
    elif platelets < rules.platelets_minimum_10e9_l:
        fail("platelets_below")

    bilirubin = values["bilirubin_x_uln"]
    if bilirubin is None:
        lack("bilirubin")
    elif bilirubin > rules.bilirubin_maximum_x_uln:
        fail("bilirubin_above")

    # NETTER-1: albumin < 3.0 g/dL excludes only when the prothrombin time is abnormal.
    albumin = grams_per_decilitre(values["albumin_g_dl"], values["albumin_g_l"])
    prothrombin_time_normal = values["prothrombin_time_normal"]
    if (albumin is not None and albumin >= rules.albumin_minimum_g_dl) or prothrombin_time_normal is True:
        pass
    elif albumin is None:
        lack("albumin")
    elif prothrombin_time_normal is False:
        fail("albumin_below_with_abnormal_pt")
    else:
        lack("albumin")
        notes.append("albumin_needs_prothrombin_time")
    return failed, missing, notes


def explain(rules: CriteriaSet, values: Mapping[str, Any], failed: list[str], missing: list[str],
            notes: list[str]) -> Result:
    """The calculator's result from an assessment: a reason for each failure, a warning for each note."""
    name = rules.name
    warnings = [_note(code, rules, values) for code in notes] if notes else []
    if rules.unverified:
        warnings.append(NETTER2_UNVERIFIED_WARNING)
    if failed:
        found = NOT_ELIGIBLE
        reasons = explain_failures(rules, values, failed)
        interpretation = f"Not eligible on the {name} criteria. " + " ".join(reasons)
    else:
        reasons = ()
        if missing:
            found = INCOMPLETE
            interpretation = (f"No {name} criterion checked here failed, but {len(missing)} cannot be "
                              f"assessed without more data: {', '.join(missing)}.")
        else:
            found, interpretation = ELIGIBLE, rules.eligible_interpretation
    return make_result(
        "prrt_eligibility", category=found, interpretation=interpretation, warnings=warnings,
        citations=_CITATIONS_PET_EQUAL_TO_LIVER if notes and "pet_equal_to_liver" in notes else rules.citations,
        details={"failed_criteria": tuple([_CRITERION_OF_REASON[code] for code in failed]), "reasons": reasons,
                 "missing_criteria": tuple(missing), "criteria_set": name, "criteria_set_id": rules.id,
                 "unverified_criteria": rules.unverified})


def explain_failures(rules: CriteriaSet, values: Mapping[str, Any], failed: list[str]) -> tuple[str, ...]:
    """The result's ``reasons``: one sentence for each failed criterion, in checking order."""
    return tuple([_reason(code, rules, values) for code in failed])


def _shown(value: float, bound: float | None = None, above: bool = False) -> str:
    """A patient's value in a reason, in six significant digits (36.3909, 7.5), or as many more as it takes
    to stay on its side of ``bound`` (20.0000001 % above a maximum of 20 %, never "20 %"); never "-0"."""
    if value == 0:
        return "0"
    # Six significant digits move a value by at most 5e-6 of itself: a value further than 1e-5 of itself
    # from the bound, on its side, is shown so without a check.
    if bound is None or ((value > bound if above else value < bound) and abs(value - bound) > 1e-5 * abs(value)):
        return f"{value:.6g}"
    for digits in range(6, 18):
        text = f"{value:.{digits}g}"
        if bound is None or (float(text) > bound if above else float(text) < bound):
            return text
    return repr(float(value))


def _albumin_shown(rules: CriteriaSet, values: Mapping[str, Any]) -> tuple[str, str]:
    if values["albumin_g_dl"] is not None:
        return (f"{_shown(values['albumin_g_dl'], rules.albumin_minimum_g_dl)} g/dL",
                f"{rules.albumin_minimum_g_dl:.1f} g/dL")
    return (f"{_shown(values['albumin_g_l'], rules.albumin_minimum_g_dl * G_L_PER_G_DL)} g/L",
            f"{rules.albumin_minimum_g_dl * G_L_PER_G_DL:g} g/L")


# A value on the wrong side of one of the set's bounds: the label, the field, its unit, the side, the
# CriteriaSet attribute holding the bound and how the bound is written.
_BOUND_REASONS = MappingProxyType({
    "ki67_above": ("Ki-67", "ki67_percent", "%", "above", "ki67_maximum_percent", "g"),
    "karnofsky_below": ("Karnofsky performance status", "karnofsky_percent", "%", "below",
                        "karnofsky_minimum_percent", "g"),
    "age_below": ("Age", "age_years", "years", "below", "minimum_age_years", "g"),
    "clearance_below": ("Creatinine clearance", "creatinine_clearance_ml_min", "mL/min", "below",
                        "creatinine_clearance_minimum_ml_min", "g"),
    "creatinine_mg_dl_above": ("Serum creatinine", "creatinine_mg_dl", "mg/dL", "above", "creatinine_maximum_mg_dl",
                               "g"),
    "creatinine_umol_l_above": ("Serum creatinine", "creatinine_umol_l", "µmol/L", "above",
                                "creatinine_maximum_umol_l", "g"),
    "wbc_below": ("White cell count", "wbc_10e9_l", "x 10⁹/L", "below", "wbc_minimum_10e9_l", ".1f"),
    "platelets_below": ("Platelet count", "platelets_10e9_l", "x 10⁹/L", "below", "platelets_minimum_10e9_l", "g"),
    "bilirubin_above": ("Total bilirubin", "bilirubin_x_uln", "x ULN", "above", "bilirubin_maximum_x_uln", "g"),
})


def _bound_sentence(rules: CriteriaSet, code: str) -> tuple | None:
    """The fixed parts of a _BOUND_REASONS sentence of one criteria set: (text before the patient's value,
    its field, the bound, whether the value is above it, text after); None for another reason."""
    key = (id(rules), code)
    known = _BOUND_SENTENCES.get(key)
    if known is not None and known[0] is rules:  # the set itself is kept in the entry, so its id stays its own
        return known[1]
    reason = _BOUND_REASONS.get(code)
    if reason is None:
        _BOUND_SENTENCES[key] = (rules, None)
        return None
    label, field, unit, side, attribute, written = reason
    limit = "minimum" if side == "below" else "maximum"
    method = " (Cockcroft-Gault)" if code == "clearance_below" else ""
    bound = getattr(rules, attribute)
    sentence = (f"{label} ", field, bound, side == "above",
                f" {unit} is {side} the {rules.name} {limit} of {bound:{written}} {unit}{method}.")
    _BOUND_SENTENCES[key] = (rules, sentence)
    return sentence


# (id of a criteria set, reason code) -> (the set, its sentence or None); filled on use, a few dozen entries.
_BOUND_SENTENCES: dict[tuple[int, str], tuple] = {}


def _reason(code: str, rules: CriteriaSet, v: Mapping[str, Any]) -> str:
    sentence = _bound_sentence(rules, code)
    if sentence is not None:
        before, field, bound, above, after = sentence
        return before + _shown(v[field], bound, above) + after
    name = rules.name
    if code == "poorly_differentiated":
        return (f"Poorly differentiated (neuroendocrine carcinoma): {name} enrolled well-differentiated "
                "tumours only.")
    if code == "ki67_below":
        return (f"Ki-67 {_shown(v['ki67_percent'], rules.ki67_minimum_percent)} % is below the {name} minimum of {rules.ki67_minimum_percent:g} % "
                f"({name} enrolled G2 and G3 tumours from {rules.ki67_minimum_percent:g} to "
                f"{rules.ki67_maximum_percent:g} %).")
    if code == "uptake_below":
        score, modality = v["krenning_score"], v["sstr_modality"]
        where = "on any modality" if modality is None else f"on {MODALITY_CHOICES[modality]}"
        return (f"Krenning score {score} is below the {name} minimum of "
                f"{krenning_threshold(rules, score, modality)} {where}: SSTR uptake insufficient for PRRT.")
    if code == "diagnosed_too_long_ago":
        return (f"Diagnosed {_shown(v['months_since_diagnosis'], rules.maximum_months_since_diagnosis, True)} months ago: {name} enrolled newly diagnosed disease, "
                f"within {rules.maximum_months_since_diagnosis:g} months.")
    if code == "haemoglobin_below":
        if v["haemoglobin_g_dl"] is not None:
            return (f"Haemoglobin {_shown(v['haemoglobin_g_dl'], rules.haemoglobin_minimum_g_dl)} g/dL is below the {name} minimum of "
                    f"{rules.haemoglobin_minimum_g_dl:.1f} g/dL.")
        return (f"Haemoglobin {_shown(v['haemoglobin_g_l'], rules.haemoglobin_minimum_g_dl * G_L_PER_G_DL)} g/L is below the {name} minimum of "
                f"{rules.haemoglobin_minimum_g_dl * G_L_PER_G_DL:g} g/L.")
    if code == "albumin_below_with_abnormal_pt":
        shown, limit = _albumin_shown(rules, v)
        return (f"Serum albumin {shown} is below {limit} with an abnormal prothrombin time "
                f"({name} excludes low albumin only then).")
    raise AssertionError(f"no reason text for {code!r}")


def _note(code: str, rules: CriteriaSet, v: Mapping[str, Any]) -> str:
    name = rules.name
    if code == "modality_needed":
        return (f"Krenning {v['krenning_score']} is sufficient on planar scintigraphy or SPECT "
                "but not on SSTR PET: give the imaging modality.")
    if code == "pet_equal_to_liver":
        return PET_EQUAL_TO_LIVER_WARNING
    if code == "time_not_used":
        return f"Time since diagnosis is not a {name} criterion and was not used."
    if code == "serum_creatinine_not_checked":
        return (f"Serum creatinine was not given: its {name} ceiling was not checked; the creatinine "
                "clearance was used for renal function.")
    if code == "albumin_needs_prothrombin_time":
        shown, limit = _albumin_shown(rules, v)
        return (f"Albumin {shown} is below {limit}: {name} excluded this only with an abnormal "
                "prothrombin time, so the prothrombin time is needed.")
    raise AssertionError(f"no note text for {code!r}")
