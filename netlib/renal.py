"""Kidney function from serum creatinine.

* Cockcroft-Gault creatinine clearance (mL/min, not normalised to body-surface area).
* CKD-EPI 2021 race-free eGFR (mL/min/1.73 m²) with the KDIGO 2012 GFR category.
* Measured creatinine clearance from a timed (usually 24-hour) urine collection (mL/min),
  which :mod:`netlib.prrt` accepts as the measured clearance.

The two are not interchangeable: trials and drug labels that specify a Cockcroft-Gault
creatinine clearance (NETTER-1 did) need that figure, not a CKD-EPI eGFR. This module
holds no treatment policy; thresholds for PRRT live in :mod:`netlib.prrt`.

Conventions (clinical-facts sections 7 and 12 item 4):

* Creatinine in µmol/L is converted to mg/dL by dividing by 88.4 (other sources use
  88.42 or the shortcut factors 1.23/1.04; differences are at most about 0.35 %).
* Cockcroft-Gault uses actual body weight and no creatinine floor, as in the original
  1976 equation; ideal or adjusted weight in obesity is a local choice, not applied here.
* The KDIGO category is assigned on the unrounded eGFR (59.6 is G3a even though a
  laboratory would report "60").
* A creatinine clearance above :data:`CREATININE_CLEARANCE_MAXIMUM_ML_MIN` (500 mL/min) is
  refused as impossible, whether entered, estimated or measured (a project convention, see
  the constant).

The pure helpers :func:`creatinine_clearance`, :func:`egfr_ckd_epi_2021`,
:func:`creatinine_in_mg_dl` and :func:`kdigo_gfr_category` do no validation; they are
for :mod:`netlib.prrt` and the treatment pathway, which validate their own inputs.
"""

from __future__ import annotations

from .inputs import InputError, Rule, choice, exactly_one_of, number
from .registry import Result, calculator, format_value, make_result

# Creatinine unit conversion (clinical-facts 7.1, canonical): mg/dL = µmol/L / 88.4.
UMOL_L_PER_MG_DL = 88.4

# Plausible serum creatinine range, the same in both units (0.1 x 88.4 = 8.84; 30 x 88.4 = 2652).
CREATININE_MINIMUM_MG_DL = 0.1
CREATININE_MAXIMUM_MG_DL = 30.0
CREATININE_MINIMUM_UMOL_L = 8.84
CREATININE_MAXIMUM_UMOL_L = 2652.0

# Plausible creatinine clearance. A project convention, not a published limit: creatinine
# clearance cannot exceed renal plasma flow (about 600-700 mL/min in adults), and measured
# clearances in augmented renal clearance (Udy 2014: defined as >= 130 mL/min/1.73 m²) rarely reach
# 300 mL/min. Anything above 500 mL/min is a unit, volume or timing error, or an estimating
# equation applied outside its range, never a patient's kidney function.
CREATININE_CLEARANCE_MINIMUM_ML_MIN = 0.0
CREATININE_CLEARANCE_MAXIMUM_ML_MIN = 500.0

# Timed urine collection (measured creatinine clearance = U x V / (P x t)). Plausibility bounds:
# urine creatinine 1-1000 mg/dL (the same range in mmol/L: x 88.4 / 1000); volume up to 20 L
# (the most a collection in diabetes insipidus holds); collections of 1 to 48 hours (24 hours is
# the usual; 8-hour and shorter collections are used in intensive care).
MMOL_L_PER_MG_DL = UMOL_L_PER_MG_DL / 1000  # 0.0884
URINE_CREATININE_MINIMUM_MG_DL = 1.0
URINE_CREATININE_MAXIMUM_MG_DL = 1000.0
URINE_CREATININE_MINIMUM_MMOL_L = URINE_CREATININE_MINIMUM_MG_DL * MMOL_L_PER_MG_DL   # 0.0884
URINE_CREATININE_MAXIMUM_MMOL_L = URINE_CREATININE_MAXIMUM_MG_DL * MMOL_L_PER_MG_DL   # 88.4
URINE_VOLUME_MAXIMUM_ML = 20000.0
COLLECTION_MINIMUM_HOURS = 1.0
COLLECTION_MAXIMUM_HOURS = 48.0
COLLECTION_STANDARD_HOURS = 24.0
MINUTES_PER_HOUR = 60

# Both equations are for adults (Cockcroft 1976 derived in adults; CKD-EPI 2021 for age >= 18).
ADULT_MINIMUM_AGE_YEARS = 18
MAXIMUM_AGE_YEARS = 120
WEIGHT_MINIMUM_KG = 20
WEIGHT_MAXIMUM_KG = 400

# Cockcroft & Gault 1976: CrCl = (140 - age) x weight / (72 x SCr[mg/dL]), x 0.85 if female.
COCKCROFT_GAULT_AGE_FROM = 140
COCKCROFT_GAULT_DIVISOR = 72
COCKCROFT_GAULT_FEMALE_FACTOR = 0.85

# Inker et al. 2021 (CKD-EPI 2021 creatinine equation, no race term):
# eGFR = 142 x min(S/k, 1)^a x max(S/k, 1)^-1.200 x 0.9938^age x 1.012 [female].
CKD_EPI_2021_CONSTANT = 142.0
CKD_EPI_2021_KAPPA_FEMALE = 0.7
CKD_EPI_2021_KAPPA_MALE = 0.9
CKD_EPI_2021_ALPHA_FEMALE = -0.241
CKD_EPI_2021_ALPHA_MALE = -0.302
CKD_EPI_2021_HIGH_EXPONENT = -1.200
CKD_EPI_2021_AGE_BASE = 0.9938
CKD_EPI_2021_FEMALE_FACTOR = 1.012

# KDIGO 2012 GFR categories (mL/min/1.73 m²): G1 >= 90, G2 60-89, G3a 45-59, G3b 30-44,
# G4 15-29, G5 < 15. Each number below is the lowest eGFR of its category.
KDIGO_G1_FROM = 90.0
KDIGO_G2_FROM = 60.0
KDIGO_G3A_FROM = 45.0
KDIGO_G3B_FROM = 30.0
KDIGO_G4_FROM = 15.0

KDIGO_GFR_CATEGORIES = ("G1", "G2", "G3a", "G3b", "G4", "G5")
KDIGO_GFR_TERMS = {
    "G1": "normal or high",
    "G2": "mildly decreased",
    "G3a": "mildly to moderately decreased",
    "G3b": "moderately to severely decreased",
    "G4": "severely decreased",
    "G5": "kidney failure",
}

SEX_CHOICES = {"female": "Female", "male": "Male"}

CREATININE_CLEARANCE_UNIT = "mL/min"
EGFR_UNIT = "mL/min/1.73 m²"


def creatinine_in_mg_dl(creatinine_mg_dl: float | None, creatinine_umol_l: float | None) -> float:
    """Serum creatinine in mg/dL from whichever unit was given (µmol/L / 88.4). No validation."""
    if creatinine_mg_dl is not None:
        return creatinine_mg_dl
    return creatinine_umol_l / UMOL_L_PER_MG_DL


def urine_creatinine_in_mg_dl(urine_creatinine_mg_dl: float | None,
                              urine_creatinine_mmol_l: float | None) -> float:
    """Urine creatinine in mg/dL from whichever unit was given (mmol/L / 0.0884). No validation."""
    if urine_creatinine_mg_dl is not None:
        return urine_creatinine_mg_dl
    return urine_creatinine_mmol_l / MMOL_L_PER_MG_DL


def timed_urine_clearance(*, urine_creatinine_mg_dl: float, urine_volume_ml: float,
                          serum_creatinine_mg_dl: float, collection_hours: float) -> float:
    """Measured creatinine clearance in mL/min: U x V / (P x t), U and P in the same unit. No validation."""
    return urine_creatinine_mg_dl * urine_volume_ml / (
        serum_creatinine_mg_dl * collection_hours * MINUTES_PER_HOUR)


def creatinine_clearance(*, age_years: float, weight_kg: float, sex: str,
                         creatinine_mg_dl: float) -> float:
    """Cockcroft-Gault creatinine clearance in mL/min (actual body weight). No validation."""
    clearance = (COCKCROFT_GAULT_AGE_FROM - age_years) * weight_kg / (COCKCROFT_GAULT_DIVISOR * creatinine_mg_dl)
    return clearance * COCKCROFT_GAULT_FEMALE_FACTOR if sex == "female" else clearance


def egfr_ckd_epi_2021(*, age_years: float, sex: str, creatinine_mg_dl: float) -> float:
    """CKD-EPI 2021 race-free eGFR in mL/min/1.73 m². No validation."""
    if sex == "female":
        ratio = creatinine_mg_dl / CKD_EPI_2021_KAPPA_FEMALE
        alpha, sex_factor = CKD_EPI_2021_ALPHA_FEMALE, CKD_EPI_2021_FEMALE_FACTOR
    else:
        ratio = creatinine_mg_dl / CKD_EPI_2021_KAPPA_MALE
        alpha, sex_factor = CKD_EPI_2021_ALPHA_MALE, 1.0
    # At creatinine = kappa both spline terms equal 1; only one of them differs from 1 otherwise.
    spline = ratio ** alpha if ratio < 1.0 else ratio ** CKD_EPI_2021_HIGH_EXPONENT
    return CKD_EPI_2021_CONSTANT * spline * CKD_EPI_2021_AGE_BASE ** age_years * sex_factor


def kdigo_gfr_category(egfr: float) -> str:
    """KDIGO 2012 GFR category of an (unrounded) eGFR: exactly 60 is G2, 59.99 is G3a."""
    if egfr >= KDIGO_G1_FROM:
        return "G1"
    if egfr >= KDIGO_G2_FROM:
        return "G2"
    if egfr >= KDIGO_G3A_FROM:
        return "G3a"
    if egfr >= KDIGO_G3B_FROM:
        return "G3b"
    if egfr >= KDIGO_G4_FROM:
        return "G4"
    return "G5"


def _age_field(source: tuple[str, ...]):
    return number("age_years", "Age", "years", ADULT_MINIMUM_AGE_YEARS, MAXIMUM_AGE_YEARS, step=1,
                  help="Adults only: both equations were derived in adults.", source=source)


def _sex_field(source: tuple[str, ...]):
    return choice("sex", "Sex", SEX_CHOICES,
                  help="Sex recorded for the equation (it stands in for average muscle mass).",
                  source=source)


def _creatinine_fields(source: tuple[str, ...]):
    return (
        number("creatinine_mg_dl", "Serum creatinine", "mg/dL", CREATININE_MINIMUM_MG_DL,
               CREATININE_MAXIMUM_MG_DL, required=False, step=0.01,
               help="Give the creatinine in mg/dL or in µmol/L, not both (µmol/L = mg/dL x 88.4). "
                    "Use a stable, IDMS-standardised value.", source=source),
        number("creatinine_umol_l", "Serum creatinine", "µmol/L", CREATININE_MINIMUM_UMOL_L,
               CREATININE_MAXIMUM_UMOL_L, required=False, step=1,
               help="Give the creatinine in µmol/L or in mg/dL, not both (mg/dL = µmol/L / 88.4).",
               source=source),
    )


_CREATININE_RULE = exactly_one_of("creatinine_mg_dl", "creatinine_umol_l")


def cockcroft_gault_plausible() -> Rule:
    """The rule that a Cockcroft-Gault estimate from these inputs is at most the plausible maximum.

    Usable by any form with the five fields (optional ones too: it is silent until all are given).
    """
    # Actual body weight with a very low creatinine gives estimates no kidney can reach (a 20-year-old
    # of 150 kg with creatinine 0.4 mg/dL: 625 mL/min). Refuse them rather than report them.
    def check(values):
        scr_mg_dl, scr_umol_l = values["creatinine_mg_dl"], values["creatinine_umol_l"]
        if (scr_mg_dl is None and scr_umol_l is None) or values["age_years"] is None \
                or values["weight_kg"] is None or values["sex"] is None:
            return None  # the exactly-one rule (or the form's own rules) speak first
        clearance = creatinine_clearance(age_years=values["age_years"], weight_kg=values["weight_kg"],
                                         sex=values["sex"],
                                         creatinine_mg_dl=creatinine_in_mg_dl(scr_mg_dl, scr_umol_l))
        if clearance <= CREATININE_CLEARANCE_MAXIMUM_ML_MIN:
            return None
        name = "creatinine_mg_dl" if scr_mg_dl is not None else "creatinine_umol_l"
        return InputError(
            name, values[name],
            f"a value that, with this age, weight and sex, gives at most "
            f"{CREATININE_CLEARANCE_MAXIMUM_ML_MIN:g} mL/min",
            f"these inputs give a Cockcroft-Gault clearance of {clearance:.0f} mL/min, above the plausible "
            f"maximum of {CREATININE_CLEARANCE_MAXIMUM_ML_MIN:g} mL/min: check the weight and the creatinine "
            f"and its unit (actual body weight overestimates clearance in obesity)")

    return Rule(("age_years", "weight_kg", "sex", "creatinine_mg_dl", "creatinine_umol_l"),
                f"the Cockcroft-Gault estimate is at most {CREATININE_CLEARANCE_MAXIMUM_ML_MIN:g} mL/min", check,
                given=("age_years", "weight_kg", "sex"), any_given=("creatinine_mg_dl", "creatinine_umol_l"))
_CG_CITATIONS = ("cockcroft1976",)
_CKD_EPI_CITATIONS = ("inker2021ckdepi", "kdigo2012ckd")


@calculator(
    id="cockcroft_gault",
    title="Cockcroft-Gault creatinine clearance",
    summary="Estimates creatinine clearance in mL/min (not normalised to body-surface area) from age, "
            "actual body weight, sex and serum creatinine.",
    fields=(
        _age_field(_CG_CITATIONS),
        number("weight_kg", "Body weight", "kg", WEIGHT_MINIMUM_KG, WEIGHT_MAXIMUM_KG, step=0.1,
               help="Actual body weight, as in the original equation.", source=_CG_CITATIONS),
        _sex_field(_CG_CITATIONS),
        *_creatinine_fields(_CG_CITATIONS),
    ),
    rules=(_CREATININE_RULE, cockcroft_gault_plausible()),
    unit=CREATININE_CLEARANCE_UNIT,
    citations=_CG_CITATIONS,
    when_to_use="When a trial protocol or drug label specifies a Cockcroft-Gault creatinine clearance, "
                "for example NETTER-1 eligibility for 177Lu-dotatate.",
    pearls=(
        "Not interchangeable with a CKD-EPI eGFR, which is normalised to 1.73 m² of body surface.",
        "Actual body weight overestimates clearance in obesity; some centres use ideal or adjusted "
        "weight. This calculator uses actual weight, as the original equation did.",
        "Low muscle mass (frailty, cachexia, amputation) lowers creatinine and inflates the estimate.",
        "Valid only in a steady state: not during acute kidney injury.",
        f"An estimate above {CREATININE_CLEARANCE_MAXIMUM_ML_MIN:g} mL/min is refused as impossible; it comes "
        "from actual body weight in obesity or from a very low creatinine, and a measured clearance "
        "(timed urine collection) is the better figure then.",
    ),
)
def cockcroft_gault(*, age_years: float, weight_kg: float, sex: str,
                    creatinine_mg_dl: float | None = None,
                    creatinine_umol_l: float | None = None) -> Result:
    scr = creatinine_in_mg_dl(creatinine_mg_dl, creatinine_umol_l)
    clearance = creatinine_clearance(age_years=age_years, weight_kg=weight_kg, sex=sex,
                                     creatinine_mg_dl=scr)
    return make_result(
        "cockcroft_gault", value=clearance, unit=CREATININE_CLEARANCE_UNIT,
        interpretation=f"Creatinine clearance {format_value(clearance, CREATININE_CLEARANCE_UNIT)} mL/min by Cockcroft-Gault "
                       f"(actual body weight; not normalised to body-surface area).",
        citations=_CG_CITATIONS,
        details={"creatinine_mg_dl": scr,
                 "sex_factor": COCKCROFT_GAULT_FEMALE_FACTOR if sex == "female" else 1.0,
                 "weight_basis": "actual body weight"})


@calculator(
    id="ckd_epi_2021",
    title="CKD-EPI 2021 eGFR (race-free)",
    summary="Estimates the glomerular filtration rate in mL/min/1.73 m² with the 2021 CKD-EPI "
            "creatinine equation (no race term) and gives the KDIGO GFR category.",
    fields=(
        _age_field(("inker2021ckdepi",)),
        _sex_field(("inker2021ckdepi",)),
        *_creatinine_fields(("inker2021ckdepi",)),
    ),
    rules=(_CREATININE_RULE,),
    categories=KDIGO_GFR_CATEGORIES,
    unit=EGFR_UNIT,
    citations=_CKD_EPI_CITATIONS,
    when_to_use="Staging kidney function and following it over time in adults; not a substitute for the "
                "Cockcroft-Gault clearance where a protocol specifies Cockcroft-Gault.",
    pearls=(
        "The 2021 equation has no race coefficient; the 2009 equation's 1.159 multiplier is gone.",
        "The sex terms are kappa (0.7 female, 0.9 male), alpha (-0.241, -0.302) and 1.012 for women; "
        "there is no 0.85 factor, which belongs to Cockcroft-Gault.",
        "G1 and G2 are chronic kidney disease only with markers of kidney damage (e.g. albuminuria).",
        "The category is assigned on the unrounded eGFR.",
    ),
)
def ckd_epi_2021(*, age_years: float, sex: str, creatinine_mg_dl: float | None = None,
                 creatinine_umol_l: float | None = None) -> Result:
    scr = creatinine_in_mg_dl(creatinine_mg_dl, creatinine_umol_l)
    egfr = egfr_ckd_epi_2021(age_years=age_years, sex=sex, creatinine_mg_dl=scr)
    category = kdigo_gfr_category(egfr)
    term = KDIGO_GFR_TERMS[category]
    return make_result(
        "ckd_epi_2021", value=egfr, unit=EGFR_UNIT, category=category,
        interpretation=f"eGFR {format_value(egfr, EGFR_UNIT)} {EGFR_UNIT} (CKD-EPI 2021): KDIGO {category}, {term}.",
        citations=_CKD_EPI_CITATIONS,
        details={"creatinine_mg_dl": scr, "category_term": term})


_URINE_CITATIONS = ("kdigo2012ckd", "udy2014arc")
_URINE_FIELDS = ("urine_creatinine_mg_dl", "urine_creatinine_mmol_l", "urine_volume_ml", "creatinine_mg_dl",
                 "creatinine_umol_l", "collection_hours")


def _urine_clearance_plausible() -> Rule:
    # A factor-of-1000 unit slip (urine in mmol/L read as µmol/L, or the reverse) or a volume in the
    # wrong unit gives clearances no kidney has; refuse them rather than report them.
    def check(values):
        urine_mg, urine_mmol = values["urine_creatinine_mg_dl"], values["urine_creatinine_mmol_l"]
        serum_mg, serum_umol = values["creatinine_mg_dl"], values["creatinine_umol_l"]
        if (urine_mg is None) == (urine_mmol is None) or (serum_mg is None) == (serum_umol is None):
            return None  # the exactly-one rules speak first
        clearance = timed_urine_clearance(
            urine_creatinine_mg_dl=urine_creatinine_in_mg_dl(urine_mg, urine_mmol),
            urine_volume_ml=values["urine_volume_ml"],
            serum_creatinine_mg_dl=creatinine_in_mg_dl(serum_mg, serum_umol),
            collection_hours=values["collection_hours"])
        if clearance <= CREATININE_CLEARANCE_MAXIMUM_ML_MIN:
            return None
        name = "urine_creatinine_mg_dl" if urine_mg is not None else "urine_creatinine_mmol_l"
        return InputError(
            name, values[name], f"values giving a clearance of at most {CREATININE_CLEARANCE_MAXIMUM_ML_MIN:g} mL/min",
            f"these values give a creatinine clearance of {clearance:.0f} mL/min, above the plausible maximum "
            f"of {CREATININE_CLEARANCE_MAXIMUM_ML_MIN:g} mL/min: check the units of urine and serum creatinine, "
            "the volume and the collection time")

    return Rule(_URINE_FIELDS, f"the measured clearance is at most {CREATININE_CLEARANCE_MAXIMUM_ML_MIN:g} mL/min",
                check)


@calculator(
    id="urine_creatinine_clearance",
    title="Measured creatinine clearance (timed urine collection)",
    summary="Creatinine clearance in mL/min from a timed urine collection: urine creatinine x urine volume / "
            "(serum creatinine x collection time). The value can be entered as the measured clearance for "
            "PRRT eligibility.",
    fields=(
        number("urine_creatinine_mg_dl", "Urine creatinine", "mg/dL", URINE_CREATININE_MINIMUM_MG_DL,
               URINE_CREATININE_MAXIMUM_MG_DL, required=False, step=0.1,
               help="Creatinine concentration in the pooled collection, in mg/dL or in mmol/L, not both "
                    "(mmol/L = mg/dL x 0.0884).", source=_URINE_CITATIONS),
        number("urine_creatinine_mmol_l", "Urine creatinine", "mmol/L", URINE_CREATININE_MINIMUM_MMOL_L,
               URINE_CREATININE_MAXIMUM_MMOL_L, required=False, step=0.01,
               help="Creatinine concentration in the pooled collection, in mmol/L (as most SI laboratories "
                    "report urine) or in mg/dL, not both.", source=_URINE_CITATIONS),
        number("urine_volume_ml", "Urine volume", "mL", 0, URINE_VOLUME_MAXIMUM_ML, step=1,
               help="Total volume of the whole collection, in millilitres.", source=_URINE_CITATIONS),
        *_creatinine_fields(_URINE_CITATIONS),
        number("collection_hours", "Collection time", "hours", COLLECTION_MINIMUM_HOURS,
               COLLECTION_MAXIMUM_HOURS, step=0.5,
               help=f"From the discarded first void to the last void collected; usually "
                    f"{COLLECTION_STANDARD_HOURS:g} hours.", source=_URINE_CITATIONS),
    ),
    rules=(exactly_one_of("urine_creatinine_mg_dl", "urine_creatinine_mmol_l"), _CREATININE_RULE,
           _urine_clearance_plausible()),
    unit=CREATININE_CLEARANCE_UNIT,
    citations=_URINE_CITATIONS,
    when_to_use="When an estimating equation is unreliable (very low or high muscle mass, obesity, amputation, "
                "augmented renal clearance) and a protocol asks for the creatinine clearance, for example "
                "before 177Lu-dotatate.",
    pearls=(
        "Urine and serum creatinine are converted to the same unit before dividing; mixing mmol/L in urine "
        "with µmol/L in serum is the commonest error (a factor of 1000).",
        "An incomplete collection underestimates clearance: the daily creatinine excretion shown with the "
        "result is a check on completeness.",
        "Tubular secretion of creatinine makes the measured clearance exceed the true GFR, by more as GFR falls.",
        f"A result above {CREATININE_CLEARANCE_MAXIMUM_ML_MIN:g} mL/min is refused as impossible: check the units, "
        "the volume and the collection time.",
        "The serum creatinine should be drawn during the collection, in a steady state.",
    ),
)
def urine_creatinine_clearance(*, urine_volume_ml: float, collection_hours: float,
                               urine_creatinine_mg_dl: float | None = None,
                               urine_creatinine_mmol_l: float | None = None,
                               creatinine_mg_dl: float | None = None,
                               creatinine_umol_l: float | None = None) -> Result:
    urine = urine_creatinine_in_mg_dl(urine_creatinine_mg_dl, urine_creatinine_mmol_l)
    serum = creatinine_in_mg_dl(creatinine_mg_dl, creatinine_umol_l)
    clearance = timed_urine_clearance(urine_creatinine_mg_dl=urine, urine_volume_ml=urine_volume_ml,
                                      serum_creatinine_mg_dl=serum, collection_hours=collection_hours)
    # Creatinine excreted per 24 hours (mg): concentration (mg/dL) x volume (dL), scaled to 24 hours.
    excretion_mg_per_24_h = urine * urine_volume_ml / 100 * COLLECTION_STANDARD_HOURS / collection_hours
    return make_result(
        "urine_creatinine_clearance", value=clearance, unit=CREATININE_CLEARANCE_UNIT,
        interpretation=f"Measured creatinine clearance {format_value(clearance, CREATININE_CLEARANCE_UNIT)} mL/min from a urine collection of "
                       f"{collection_hours:g} hours (creatinine excretion {excretion_mg_per_24_h:.0f} mg per 24 "
                       "hours; not normalised to body-surface area).",
        citations=_URINE_CITATIONS,
        details={"urine_creatinine_mg_dl": urine, "serum_creatinine_mg_dl": serum,
                 "creatinine_excretion_mg_per_24_h": excretion_mg_per_24_h})
