"""Peptide receptor radionuclide therapy (PRRT) with 177Lu-dotatate.

* Eligibility on the NETTER-1 criteria (Strosberg et al. 2017; protocol NCT01578239).
* The approved regimen as data: 7.4 GBq (200 mCi) every 8 weeks, 4 doses.

Every input is optional: a criterion without its data is reported as missing, and the
result is "incomplete" rather than a guess. A criterion is decided without all of its
inputs only when the answer cannot change: a Krenning score of 3 or 4 is sufficient on
any modality and 0 or 1 on none; a normal prothrombin time or an albumin of at least
3.0 g/dL satisfies the albumin criterion whatever the other value.

Exclusions are strict inequalities, so a value exactly on a threshold is eligible:
creatinine clearance < 50 mL/min; serum creatinine > 1.7 mg/dL (> 150 µmol/L, each
compared in the unit given, because 150 µmol/L is 1.697 mg/dL); haemoglobin < 8.0 g/dL;
white cells < 2.0 x 10⁹/L; platelets < 75 x 10⁹/L; total bilirubin > 3 x ULN; albumin
< 3.0 g/dL with an abnormal prothrombin time; Karnofsky < 60 %; Ki-67 > 20 %; poor
differentiation; SSTR uptake below the :mod:`netlib.imaging` threshold (Krenning >= 2
on planar scintigraphy or SPECT, >= 3 on SSTR PET, a declared convention).

What was verified (searches of public sources, see the project report):

* Ki-67 <= 20 % and age >= 18: NETTER-1 registry record NCT01578239 (inclusion criteria).
* Karnofsky >= 60 and uptake >= normal liver on planar scintigraphy: from the NETTER-1
  publications as summarised in clinical-facts section 6.1; not re-read in the primary text.
* The laboratory exclusions (creatinine clearance, haemoglobin, white cells, platelets,
  bilirubin, albumin/prothrombin time) are UNVERIFIED against the NETTER-1 protocol
  itself: the exclusion section of the registry record could not be retrieved. They are
  corroborated by the Imperial College PRRT protocol and by a later PRRT trial whose
  exclusions reproduce the same wording (Cockcroft-Gault clearance < 50 mL/min; Hb
  < 5.0 mmol/L (< 8.0 g/dL); WBC < 2 x 10⁹/L; platelets < 75 x 10⁹/L; albumin < 3.0 g/dL
  unless the prothrombin time is within the normal range). The serum-creatinine ceiling
  (> 150 µmol/L, > 1.7 mg/dL) is unverified.

Other centres use other thresholds (e.g. Imperial: eGFR < 40 mL/min; LUTIA: GFR
< 50 mL/min, platelets < 100 x 10⁹/L at baseline, bilirubin > ULN). This calculator
applies the NETTER-1 set only and says so in its result.

Criteria that are not assessed here: midgut primary, RECIST progression on a fixed dose
of octreotide LAR, prior PRRT, recent surgery or liver-directed therapy, pregnancy,
uncontrolled heart failure or diabetes.
"""

from __future__ import annotations

from dataclasses import dataclass

from .imaging import (KRENNING_MAXIMUM, KRENNING_MINIMUM, KRENNING_SUFFICIENT_BY_MODALITY,
                      KRENNING_SUFFICIENT_PET, KRENNING_SUFFICIENT_SCINTIGRAPHY, MODALITY_CHOICES,
                      MODALITY_PET, PET_EQUAL_TO_LIVER_WARNING)
from .inputs import Field, InputError, Rule, boolean, choice, integer, number
from .registry import Result, calculator, make_result
from .renal import (CREATININE_MAXIMUM_MG_DL, CREATININE_MAXIMUM_UMOL_L, CREATININE_MINIMUM_MG_DL,
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

# Karnofsky performance status is scored in steps of 10 (0, 10, ..., 100).
KARNOFSKY_STEP_PERCENT = 10

# Thresholds used elsewhere, quoted for comparison only (clinical-facts 6.1 and 12.6).
IMPERIAL_EGFR_MINIMUM_ML_MIN = 40.0     # Imperial College PRRT protocol: eGFR (CrCl) < 40 excluded
LUTIA_PLATELETS_MINIMUM_10E9_L = 100.0  # LUTIA protocol: platelets < 100 x 10⁹/L at baseline excluded

# Lowest score that is sufficient on some modality, and lowest that is sufficient on every one.
_KRENNING_SUFFICIENT_ON_SOME = min(KRENNING_SUFFICIENT_BY_MODALITY.values())
_KRENNING_SUFFICIENT_ON_ALL = max(KRENNING_SUFFICIENT_BY_MODALITY.values())

NETTER1_CRITERIA = ("differentiation", "ki67", "sstr_uptake", "performance_status", "renal",
                    "creatinine", "hemoglobin", "wbc", "platelets", "bilirubin", "albumin")
CRITERIA_SET = "NETTER-1"

ELIGIBLE = "eligible"
NOT_ELIGIBLE = "not eligible"
INCOMPLETE = "incomplete"
PRRT_CATEGORIES = (ELIGIBLE, NOT_ELIGIBLE, INCOMPLETE)


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

_CITATIONS = ("strosberg2017netter1", "nct01578239", "kwekkeboom2002", "hope2020prrt")
_CITATIONS_PET_EQUAL_TO_LIVER = _CITATIONS + ("lutathera_smpc",)
_NETTER1 = ("strosberg2017netter1", "nct01578239")

# Sentence endings for the reasons, built once (each reason names the value, then the threshold).
_KI67_REASON = f" is above the NETTER-1 maximum of {NETTER1_KI67_MAXIMUM_PERCENT:g} %."
_KARNOFSKY_REASON = f" is below the NETTER-1 minimum of {NETTER1_KARNOFSKY_MINIMUM_PERCENT} %."
_RENAL_REASON = (f" is below the NETTER-1 minimum of {NETTER1_CREATININE_CLEARANCE_MINIMUM_ML_MIN:g} mL/min "
                 "(Cockcroft-Gault).")
_CREATININE_MG_DL_REASON = f" is above the NETTER-1 maximum of {NETTER1_CREATININE_MAXIMUM_MG_DL:g} mg/dL."
_CREATININE_UMOL_L_REASON = f" is above the NETTER-1 maximum of {NETTER1_CREATININE_MAXIMUM_UMOL_L:g} µmol/L."
_HAEMOGLOBIN_REASON = f" is below the NETTER-1 minimum of {NETTER1_HAEMOGLOBIN_MINIMUM_G_DL:.1f} g/dL."
_WBC_REASON = f" is below the NETTER-1 minimum of {NETTER1_WBC_MINIMUM_10E9_L:.1f} x 10⁹/L."
_PLATELETS_REASON = f" is below the NETTER-1 minimum of {NETTER1_PLATELETS_MINIMUM_10E9_L:g} x 10⁹/L."
_BILIRUBIN_REASON = f" is above the NETTER-1 maximum of {NETTER1_BILIRUBIN_MAXIMUM_X_ULN:g} x ULN."
_ALBUMIN_REASON = (f" is below {NETTER1_ALBUMIN_MINIMUM_G_DL:.1f} g/dL with an abnormal prothrombin time "
                   "(NETTER-1 excludes low albumin only then).")
_ALBUMIN_NEEDS_PT_WARNING = (f" is below {NETTER1_ALBUMIN_MINIMUM_G_DL:.1f} g/dL: NETTER-1 excluded this only "
                             "with an abnormal prothrombin time, so the prothrombin time is needed.")


def _show(x: float) -> str:
    return f"{x:g}"


def _at_most_one_creatinine() -> Rule:
    def check(values):
        if values["creatinine_mg_dl"] is not None and values["creatinine_umol_l"] is not None:
            return InputError("creatinine_umol_l", values["creatinine_umol_l"],
                              "at most one of creatinine_mg_dl or creatinine_umol_l",
                              "give the serum creatinine in mg/dL or in µmol/L, not both; got "
                              f"creatinine_mg_dl={_show(values['creatinine_mg_dl'])} and "
                              f"creatinine_umol_l={_show(values['creatinine_umol_l'])}")
        return None

    return Rule(("creatinine_mg_dl", "creatinine_umol_l"),
                "at most one of creatinine_mg_dl or creatinine_umol_l", check)


def _karnofsky_in_steps_of_ten() -> Rule:
    def check(values):
        score = values["karnofsky_percent"]
        if score is not None and score % KARNOFSKY_STEP_PERCENT:
            return InputError("karnofsky_percent", score, "a multiple of 10 between 0 and 100",
                              f"karnofsky_percent must be a multiple of 10 (0, 10, ..., 100); got {score}")
        return None

    return Rule(("karnofsky_percent",), "Karnofsky performance status is scored in steps of 10", check)


@calculator(
    id="prrt_eligibility",
    title="177Lu-dotatate (PRRT) eligibility: NETTER-1 criteria",
    summary="Checks tumour, imaging, performance and laboratory criteria against the NETTER-1 "
            "eligibility criteria for 177Lu-dotatate, listing every failed and every missing criterion.",
    fields=(
        choice("differentiation", "Differentiation", {"well": "Well differentiated (NET)",
                                                      "poor": "Poorly differentiated (NEC)"},
               required=False, help="NETTER-1 enrolled well-differentiated tumours only.",
               source=_NETTER1),
        number("ki67_percent", "Ki-67 index", "%", 0, 100, required=False, step=0.1,
               help=f"NETTER-1 required Ki-67 of {NETTER1_KI67_MAXIMUM_PERCENT:g} % or less; exactly "
                    f"{NETTER1_KI67_MAXIMUM_PERCENT:g} % is eligible.",
               source=_NETTER1),
        integer("krenning_score", "Krenning score", "", KRENNING_MINIMUM, KRENNING_MAXIMUM,
                required=False,
                help="Uptake of the least avid target lesion: 0 none, 1 below liver, 2 equal to liver, "
                     "3 above liver, 4 above spleen or kidneys.",
                source=("kwekkeboom2002", "strosberg2017netter1")),
        choice("sstr_modality", "SSTR imaging modality", MODALITY_CHOICES, required=False,
               help=f"Planar scintigraphy or SPECT need a Krenning score of at least "
                    f"{KRENNING_SUFFICIENT_SCINTIGRAPHY}; SSTR PET at least {KRENNING_SUFFICIENT_PET}.",
               source=("strosberg2017netter1", "hope2020prrt")),
        Field(name="karnofsky_percent", label="Karnofsky performance status", kind="integer", unit="%",
              minimum=0, maximum=100, required=False, step=KARNOFSKY_STEP_PERCENT,
              help=f"Scored in steps of {KARNOFSKY_STEP_PERCENT}; NETTER-1 required at least "
                   f"{NETTER1_KARNOFSKY_MINIMUM_PERCENT} %.", source=_NETTER1),
        number("creatinine_clearance_ml_min", "Creatinine clearance (Cockcroft-Gault)", "mL/min", 0,
               required=False, step=0.1,
               help=f"Cockcroft-Gault creatinine clearance, as NETTER-1 specified (excluded below "
                    f"{NETTER1_CREATININE_CLEARANCE_MINIMUM_ML_MIN:g} mL/min). A CKD-EPI eGFR (mL/min/1.73 m²) "
                    "is not interchangeable with it.",
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
        number("haemoglobin_g_dl", "Haemoglobin", "g/dL", 1, 25, required=False, step=0.1,
               help=f"NETTER-1 excluded haemoglobin below {NETTER1_HAEMOGLOBIN_MINIMUM_G_DL:.1f} g/dL.",
               source=_NETTER1),
        number("wbc_10e9_l", "White cell count", "x 10⁹/L", 0, 500, required=False, step=0.1,
               help=f"NETTER-1 excluded white cells below {NETTER1_WBC_MINIMUM_10E9_L:.1f} x 10⁹/L.",
               source=_NETTER1),
        number("platelets_10e9_l", "Platelet count", "x 10⁹/L", 0, 2000, required=False, step=1,
               help=f"NETTER-1 excluded platelets below {NETTER1_PLATELETS_MINIMUM_10E9_L:g} x 10⁹/L.",
               source=_NETTER1),
        number("bilirubin_x_uln", "Total bilirubin", "x ULN", 0, 100, required=False, step=0.1,
               help="Total bilirubin as a multiple of the laboratory's upper limit of normal "
                    "(e.g. 2.5 for 2.5 x ULN). NETTER-1 excluded values above "
                    f"{NETTER1_BILIRUBIN_MAXIMUM_X_ULN:g} x ULN.",
               source=_NETTER1),
        number("albumin_g_dl", "Serum albumin", "g/dL", 0.5, 7, required=False, step=0.1,
               help=f"NETTER-1 excluded albumin below {NETTER1_ALBUMIN_MINIMUM_G_DL:.1f} g/dL only when the "
                    "prothrombin time was abnormal (g/L = g/dL x 10).", source=_NETTER1),
        boolean("prothrombin_time_normal", "Prothrombin time within the normal range", required=False,
                help=f"Needed only when albumin is below {NETTER1_ALBUMIN_MINIMUM_G_DL:.1f} g/dL.", source=_NETTER1),
    ),
    rules=(_at_most_one_creatinine(), _karnofsky_in_steps_of_ten()),
    categories=PRRT_CATEGORIES,
    citations=_CITATIONS + ("lutathera2024label", "ebbers2020lutia", "imperial_prrt_protocol"),
    when_to_use="A well-differentiated, SSTR-positive neuroendocrine tumour progressing on a somatostatin "
                "analogue, when 177Lu-dotatate is being considered.",
    pearls=(
        f"Exclusions are strict: creatinine clearance exactly {NETTER1_CREATININE_CLEARANCE_MINIMUM_ML_MIN:g} "
        f"mL/min, haemoglobin {NETTER1_HAEMOGLOBIN_MINIMUM_G_DL:.1f} g/dL, platelets "
        f"{NETTER1_PLATELETS_MINIMUM_10E9_L:g} x 10⁹/L, bilirubin {NETTER1_BILIRUBIN_MAXIMUM_X_ULN:g} x ULN, "
        f"Karnofsky {NETTER1_KARNOFSKY_MINIMUM_PERCENT} % and Ki-67 {NETTER1_KI67_MAXIMUM_PERCENT:g} % are "
        "all eligible.",
        "Low albumin excludes only with an abnormal prothrombin time.",
        "NETTER-1 used a Cockcroft-Gault creatinine clearance; a CKD-EPI eGFR is normalised to "
        "1.73 m² and is not interchangeable.",
        f"Other centres use other thresholds, e.g. eGFR below {IMPERIAL_EGFR_MINIMUM_ML_MIN:g} mL/min "
        f"(Imperial protocol) or platelets below {LUTIA_PLATELETS_MINIMUM_10E9_L:g} x 10⁹/L at "
        "baseline (LUTIA); this calculator applies the NETTER-1 set only.",
        f"Regimen: {LUTATHERA_ACTIVITY_PER_DOSE_GBQ:g} GBq ({LUTATHERA_ACTIVITY_PER_DOSE_MCI} mCi) every "
        f"{LUTATHERA_INTERVAL_WEEKS} weeks, {LUTATHERA_NUMBER_OF_DOSES} doses "
        f"({LUTATHERA_TOTAL_ACTIVITY_GBQ:g} GBq in total).",
        "Not assessed here: midgut primary, progression on octreotide LAR, prior PRRT, recent surgery "
        "or liver-directed therapy, pregnancy, uncontrolled heart failure or diabetes.",
    ),
)
def prrt_eligibility(*, differentiation: str | None = None, ki67_percent: float | None = None,
                     krenning_score: int | None = None, sstr_modality: str | None = None,
                     karnofsky_percent: int | None = None,
                     creatinine_clearance_ml_min: float | None = None,
                     creatinine_mg_dl: float | None = None, creatinine_umol_l: float | None = None,
                     haemoglobin_g_dl: float | None = None, wbc_10e9_l: float | None = None,
                     platelets_10e9_l: float | None = None, bilirubin_x_uln: float | None = None,
                     albumin_g_dl: float | None = None,
                     prothrombin_time_normal: bool | None = None) -> Result:
    failed: list[str] = []
    reasons: list[str] = []
    missing: list[str] = []
    warnings: list[str] = []
    fail, explain, lack = failed.append, reasons.append, missing.append  # bound once: hot path
    citations = _CITATIONS

    if differentiation is None:
        lack("differentiation")
    elif differentiation == "poor":
        fail("differentiation")
        explain("Poorly differentiated (neuroendocrine carcinoma): NETTER-1 enrolled "
                "well-differentiated tumours only.")

    if ki67_percent is None:
        lack("ki67")
    elif ki67_percent > NETTER1_KI67_MAXIMUM_PERCENT:
        fail("ki67")
        explain(f"Ki-67 {ki67_percent:g} %{_KI67_REASON}")

    # SSTR uptake: the threshold depends on the modality, except where every modality agrees.
    if krenning_score is None:
        lack("sstr_uptake")
    else:
        if sstr_modality is not None:
            threshold = KRENNING_SUFFICIENT_BY_MODALITY[sstr_modality]
        elif krenning_score >= _KRENNING_SUFFICIENT_ON_ALL:
            threshold = _KRENNING_SUFFICIENT_ON_ALL
        elif krenning_score < _KRENNING_SUFFICIENT_ON_SOME:
            threshold = _KRENNING_SUFFICIENT_ON_SOME
        else:
            threshold = None
            lack("sstr_uptake")
            warnings.append(f"Krenning {krenning_score} is sufficient on planar scintigraphy or SPECT "
                            "but not on SSTR PET: give the imaging modality.")
        if threshold is not None and krenning_score < threshold:
            fail("sstr_uptake")
            where = "on any modality" if sstr_modality is None else f"on {MODALITY_CHOICES[sstr_modality]}"
            explain(f"Krenning score {krenning_score} is below the minimum of {threshold} {where}: "
                    "SSTR uptake insufficient for PRRT.")
        if sstr_modality == MODALITY_PET and krenning_score == 2:
            warnings.append(PET_EQUAL_TO_LIVER_WARNING)
            citations = _CITATIONS_PET_EQUAL_TO_LIVER

    if karnofsky_percent is None:
        lack("performance_status")
    elif karnofsky_percent < NETTER1_KARNOFSKY_MINIMUM_PERCENT:
        fail("performance_status")
        explain(f"Karnofsky performance status {karnofsky_percent} %{_KARNOFSKY_REASON}")

    if creatinine_clearance_ml_min is None:
        lack("renal")
    elif creatinine_clearance_ml_min < NETTER1_CREATININE_CLEARANCE_MINIMUM_ML_MIN:
        fail("renal")
        explain(f"Creatinine clearance {creatinine_clearance_ml_min:g} mL/min{_RENAL_REASON}")

    # Serum creatinine is compared in the unit it was given in: 150 µmol/L is 1.697 mg/dL, not 1.7.
    if creatinine_mg_dl is not None:
        if creatinine_mg_dl > NETTER1_CREATININE_MAXIMUM_MG_DL:
            fail("creatinine")
            explain(f"Serum creatinine {creatinine_mg_dl:g} mg/dL{_CREATININE_MG_DL_REASON}")
    elif creatinine_umol_l is not None:
        if creatinine_umol_l > NETTER1_CREATININE_MAXIMUM_UMOL_L:
            fail("creatinine")
            explain(f"Serum creatinine {creatinine_umol_l:g} µmol/L{_CREATININE_UMOL_L_REASON}")
    else:
        lack("creatinine")

    if haemoglobin_g_dl is None:
        lack("hemoglobin")
    elif haemoglobin_g_dl < NETTER1_HAEMOGLOBIN_MINIMUM_G_DL:
        fail("hemoglobin")
        explain(f"Haemoglobin {haemoglobin_g_dl:g} g/dL{_HAEMOGLOBIN_REASON}")

    if wbc_10e9_l is None:
        lack("wbc")
    elif wbc_10e9_l < NETTER1_WBC_MINIMUM_10E9_L:
        fail("wbc")
        explain(f"White cell count {wbc_10e9_l:g} x 10⁹/L{_WBC_REASON}")

    if platelets_10e9_l is None:
        lack("platelets")
    elif platelets_10e9_l < NETTER1_PLATELETS_MINIMUM_10E9_L:
        fail("platelets")
        explain(f"Platelet count {platelets_10e9_l:g} x 10⁹/L{_PLATELETS_REASON}")

    if bilirubin_x_uln is None:
        lack("bilirubin")
    elif bilirubin_x_uln > NETTER1_BILIRUBIN_MAXIMUM_X_ULN:
        fail("bilirubin")
        explain(f"Total bilirubin {bilirubin_x_uln:g} x ULN{_BILIRUBIN_REASON}")

    # NETTER-1: albumin < 3.0 g/dL excludes only when the prothrombin time is abnormal.
    if (albumin_g_dl is not None and albumin_g_dl >= NETTER1_ALBUMIN_MINIMUM_G_DL) \
            or prothrombin_time_normal is True:
        pass
    elif albumin_g_dl is None:
        lack("albumin")
    elif prothrombin_time_normal is False:
        fail("albumin")
        explain(f"Serum albumin {albumin_g_dl:g} g/dL{_ALBUMIN_REASON}")
    else:
        lack("albumin")
        warnings.append(f"Albumin {albumin_g_dl:g} g/dL{_ALBUMIN_NEEDS_PT_WARNING}")

    if failed:
        category = NOT_ELIGIBLE
        interpretation = "Not eligible on the NETTER-1 criteria. " + " ".join(reasons)
    elif missing:
        category = INCOMPLETE
        interpretation = (f"No NETTER-1 criterion checked here failed, but {len(missing)} cannot be "
                          f"assessed without more data: {', '.join(missing)}.")
    else:
        category = ELIGIBLE
        interpretation = ("Eligible on every NETTER-1 criterion checked here. Primary site, progression on "
                          "a somatostatin analogue and the other protocol criteria are not assessed.")
    return make_result(
        "prrt_eligibility", category=category, interpretation=interpretation, warnings=warnings,
        citations=citations,
        details={"failed_criteria": tuple(failed), "reasons": tuple(reasons),
                 "missing_criteria": tuple(missing), "criteria_set": CRITERIA_SET})
