"""Kidney function from serum creatinine.

* Cockcroft-Gault creatinine clearance (mL/min, not normalised to body-surface area).
* CKD-EPI 2021 race-free eGFR (mL/min/1.73 m²) with the KDIGO 2012 GFR category.

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

The pure helpers :func:`creatinine_clearance`, :func:`egfr_ckd_epi_2021`,
:func:`creatinine_in_mg_dl` and :func:`kdigo_gfr_category` do no validation; they are
for :mod:`netlib.prrt` and the treatment pathway, which validate their own inputs.
"""

from __future__ import annotations

from .inputs import choice, exactly_one_of, number
from .registry import Result, calculator, make_result

# Creatinine unit conversion (clinical-facts 7.1, canonical): mg/dL = µmol/L / 88.4.
UMOL_L_PER_MG_DL = 88.4

# Plausible serum creatinine range, the same in both units (0.1 x 88.4 = 8.84; 30 x 88.4 = 2652).
CREATININE_MINIMUM_MG_DL = 0.1
CREATININE_MAXIMUM_MG_DL = 30.0
CREATININE_MINIMUM_UMOL_L = 8.84
CREATININE_MAXIMUM_UMOL_L = 2652.0

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
    rules=(_CREATININE_RULE,),
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
        interpretation=f"Creatinine clearance {clearance:.0f} mL/min by Cockcroft-Gault "
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
        interpretation=f"eGFR {egfr:.0f} mL/min/1.73 m² (CKD-EPI 2021): KDIGO {category}, {term}.",
        citations=_CKD_EPI_CITATIONS,
        details={"creatinine_mg_dl": scr, "category_term": term})
