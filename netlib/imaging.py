"""Somatostatin-receptor (SSTR) and FDG PET imaging: the Krenning score and the NETPET grade.

* Krenning score (0-4) of tumour uptake on SSTR imaging, given as the score or as the
  reader's visual comparison with liver and spleen, and whether that uptake is
  sufficient for peptide receptor radionuclide therapy (PRRT).
* NETPET grade (P0-P5) from paired FDG and SSTR PET (Chan et al. 2017).

The helper :func:`sstr_uptake_sufficient` and the threshold constants are shared
with :mod:`netlib.prrt` and the treatment pathway, so the uptake rule lives in one
place.

Convention (clinical-facts section 12 item 1; sources disagree):

* Planar scintigraphy or SPECT: sufficient when the score is at least 2, i.e. uptake
  at least equal to normal liver. NETTER-1 required tumour uptake at least equal to
  normal liver on planar 111In-pentetreotide scintigraphy in every target lesion
  (Strosberg et al. 2017).
* SSTR PET (68Ga/64Cu-DOTA peptides): sufficient when the score is at least 3, i.e.
  uptake above normal liver. The scale was built for planar imaging; PET is more
  sensitive, and some PET-based selection scales require uptake above liver while
  others accept uptake above background (clinical-facts 5.2). This PET rule is a
  declared convention of this book. The NANETS/SNMMI patient-selection consensus
  (Hope et al. 2020) is cited for PRRT selection, but whether it states the "above
  liver on PET" rule could NOT be verified against its text. The Lutathera product
  information outside the US asks only for uptake at least as high as normal liver on
  scintigraphy or PET (``lutathera_smpc``), so a PET score of 2 is classed insufficient
  here but carries a warning naming the disagreement.

The score was designed for planar 111In-pentetreotide imaging (Kwekkeboom & Krenning
2002) and is applied, "modified", to SPECT and PET. Score the least avid target
lesion: uptake must be sufficient in every target lesion.
"""

from __future__ import annotations

from .inputs import InputError, Rule, boolean, choice, exactly_one_of, integer
from .registry import Result, calculator, make_result

# Krenning scale (Kwekkeboom & Krenning 2002): 0 none, 1 below normal liver, 2 equal to
# normal liver, 3 above normal liver, 4 above spleen or kidneys.
KRENNING_MINIMUM = 0
KRENNING_MAXIMUM = 4

# NETTER-1 (Strosberg 2017): planar uptake at least equal to normal liver, i.e. score >= 2.
KRENNING_SUFFICIENT_SCINTIGRAPHY = 2
# Book convention (clinical-facts 12.1): on SSTR PET uptake must exceed normal liver, score >= 3.
KRENNING_SUFFICIENT_PET = 3

MODALITY_PLANAR = "planar_scintigraphy"
MODALITY_SPECT = "spect"
MODALITY_PET = "sstr_pet"

MODALITY_CHOICES = {
    MODALITY_PLANAR: "Planar scintigraphy (111In-pentetreotide, OctreoScan)",
    MODALITY_SPECT: "SPECT or SPECT/CT (111In-pentetreotide or 99mTc-tektrotyd)",
    MODALITY_PET: "SSTR PET/CT (68Ga-DOTATATE/DOTATOC/DOTANOC, 64Cu-DOTATATE)",
}

# Minimum sufficient score per modality (see the module docstring for the convention).
KRENNING_SUFFICIENT_BY_MODALITY = {
    MODALITY_PLANAR: KRENNING_SUFFICIENT_SCINTIGRAPHY,
    MODALITY_SPECT: KRENNING_SUFFICIENT_SCINTIGRAPHY,
    MODALITY_PET: KRENNING_SUFFICIENT_PET,
}

KRENNING_MEANINGS = (
    "no uptake",
    "uptake below normal liver",
    "uptake equal to normal liver",
    "uptake above normal liver",
    "uptake above spleen or kidneys",
)

# The reader's visual comparison, in the order of the scale: the index is the Krenning score
# (Kwekkeboom & Krenning 2002; "above spleen" also covers uptake above the kidneys).
VISUAL_UPTAKE_CHOICES = {
    "none": "No uptake",
    "below_liver": "Uptake below normal liver",
    "equal_liver": "Uptake equal to normal liver",
    "above_liver": "Uptake above normal liver (not above spleen or kidneys)",
    "above_spleen": "Uptake above spleen or kidneys",
}
KRENNING_FROM_VISUAL_UPTAKE = {name: score for score, name in enumerate(VISUAL_UPTAKE_CHOICES)}
assert len(KRENNING_FROM_VISUAL_UPTAKE) == KRENNING_MAXIMUM + 1, "one visual class per Krenning score"

SUFFICIENT = "sufficient uptake for PRRT"
INSUFFICIENT = "insufficient uptake for PRRT"
KRENNING_CATEGORIES = (SUFFICIENT, INSUFFICIENT)

_CITATIONS = ("kwekkeboom2002", "strosberg2017netter1", "hope2020prrt")
_CITATIONS_PET_EQUAL_TO_LIVER = _CITATIONS + ("lutathera_smpc",)
PET_EQUAL_TO_LIVER_WARNING = (
    "Uptake equal to normal liver on SSTR PET: this book requires uptake above liver on PET "
    "(a declared convention), whereas NETTER-1 accepted equal-to-liver uptake on planar "
    "scintigraphy and the non-US Lutathera label accepts it on PET. Discuss at the tumour board "
    "(e.g. compare with SUVmax, planar or SPECT imaging, or FDG PET)."
)


def sstr_uptake_sufficient(krenning_score: int, modality: str) -> bool:
    """True if the Krenning score is high enough for PRRT on this modality.

    Pure and unvalidated (callers validate): planar/SPECT need at least
    ``KRENNING_SUFFICIENT_SCINTIGRAPHY``, SSTR PET at least ``KRENNING_SUFFICIENT_PET``.
    """
    return krenning_score >= KRENNING_SUFFICIENT_BY_MODALITY[modality]


@calculator(
    id="krenning_score",
    title="Krenning score and SSTR uptake for PRRT",
    summary="Interprets the Krenning score of tumour uptake on somatostatin-receptor imaging and "
            "says whether the uptake is sufficient for peptide receptor radionuclide therapy, "
            "with a modality-specific threshold.",
    fields=(
        integer("krenning_score", "Krenning score", "", KRENNING_MINIMUM, KRENNING_MAXIMUM, required=False,
                help="Visual uptake of the least avid target lesion: 0 none, 1 below normal liver, "
                     "2 equal to liver, 3 above liver, 4 above spleen or kidneys. Give this or the "
                     "visual comparison, not both.",
                source=("kwekkeboom2002",)),
        choice("visual_uptake", "Uptake compared with liver and spleen", VISUAL_UPTAKE_CHOICES,
               required=False,
               help="The reader's comparison for the least avid target lesion, instead of the score: "
                    "it is converted to the Krenning score (none 0 ... above spleen or kidneys 4). "
                    "Give this or the score, not both.",
               source=("kwekkeboom2002",)),
        choice("modality", "Imaging modality", MODALITY_CHOICES,
               help=f"Planar scintigraphy and SPECT need a score of at least "
                    f"{KRENNING_SUFFICIENT_SCINTIGRAPHY}; SSTR PET needs at least {KRENNING_SUFFICIENT_PET} "
                    "(uptake above liver): the scale was built for planar imaging, and PET-based selection "
                    "scales often require uptake above liver.",
               source=("strosberg2017netter1", "hope2020prrt")),
    ),
    rules=(exactly_one_of("krenning_score", "visual_uptake"),),
    categories=KRENNING_CATEGORIES,
    citations=_CITATIONS,
    when_to_use="Before considering 177Lu-dotatate (PRRT) for a well-differentiated neuroendocrine "
                "tumour, once somatostatin-receptor imaging is available.",
    pearls=(
        "Score the least avid target lesion: NETTER-1 required sufficient uptake in every target "
        "lesion, not just the hottest one.",
        "The scale was built for planar 111In-pentetreotide imaging; on SSTR PET this book requires "
        f"uptake above liver (score {KRENNING_SUFFICIENT_PET} or more).",
        "The visual comparison and the score are the same scale: equal to liver is 2, above liver 3, "
        "above spleen or kidneys 4.",
        "SSTR PET should replace OctreoScan wherever it is available.",
        "Lesions visible on CT but not on SSTR imaging suggest receptor-negative (possibly "
        "dedifferentiated) disease; consider FDG PET or a biopsy before PRRT.",
    ),
)
def krenning_score(*, modality: str, krenning_score: int | None = None,
                   visual_uptake: str | None = None) -> Result:
    """Krenning score sufficiency for PRRT, from the score or the reader's visual comparison.

    Exactly one of ``krenning_score`` and ``visual_uptake`` is given (the form refuses both or
    neither); the visual classes map one to one onto the scale (Kwekkeboom & Krenning 2002).
    """
    given_as = "score"
    if krenning_score is None:
        krenning_score, given_as = KRENNING_FROM_VISUAL_UPTAKE[visual_uptake], "visual comparison"
    threshold = KRENNING_SUFFICIENT_BY_MODALITY[modality]
    sufficient = krenning_score >= threshold
    meaning = KRENNING_MEANINGS[krenning_score]
    if modality == MODALITY_PET and krenning_score == 2:
        warnings, citations = (PET_EQUAL_TO_LIVER_WARNING,), _CITATIONS_PET_EQUAL_TO_LIVER
    else:
        warnings, citations = (), _CITATIONS
    if sufficient:
        interpretation = (f"Krenning {krenning_score} ({meaning}) on {MODALITY_CHOICES[modality]}: "
                          f"sufficient for PRRT (needs at least {threshold} on this modality), "
                          f"provided every target lesion takes up as well.")
    else:
        interpretation = (f"Krenning {krenning_score} ({meaning}) on {MODALITY_CHOICES[modality]}: "
                          f"insufficient for PRRT (needs at least {threshold} on this modality).")
    return make_result(
        "krenning_score", value=krenning_score, category=SUFFICIENT if sufficient else INSUFFICIENT,
        interpretation=interpretation, warnings=warnings, citations=citations,
        details={"meaning": meaning, "sufficient_from_score": threshold, "sufficient_for_prrt": sufficient,
                 "given_as": given_as})


# ---------------------------------------------------------------------------------------------
# NETPET grade: paired FDG and SSTR PET (Chan et al. 2017)
# ---------------------------------------------------------------------------------------------
#
# Chan 2017 (abstract) and the multicentre validation (Chan 2023): P1 is SSTR-positive and
# FDG-negative disease; P2-P4 SSTR-positive and FDG-positive disease; P5 at least one lesion that is
# FDG-positive and SSTR-negative.  Within P2-P4 the FDG avidity is lower than (P2), equal to (P3) or
# higher than (P4) the SSTR avidity; P0 is no significant uptake on either scan.  The P0 and P2-P4
# wording was checked in a review table (Iravani 2022, which reads a positive lesion as uptake above
# background), not in the full text of Chan 2017.  Convention (not verified against the full text):
# the most discordant lesion sets the grade, so one FDG-avid lesion without SSTR uptake makes P5 and
# one lesion with FDG above SSTR makes P4.

NETPET_CATEGORIES = ("P0", "P1", "P2", "P3", "P4", "P5")

FDG_VERSUS_SSTR_CHOICES = {
    "lower": "FDG uptake lower than SSTR uptake in every FDG-avid lesion",
    "equal": "FDG uptake about equal to SSTR uptake in the most FDG-avid lesion, never higher",
    "higher": "FDG uptake higher than SSTR uptake in at least one lesion",
}
NETPET_GRADE_BY_FDG_VERSUS_SSTR = {"lower": 2, "equal": 3, "higher": 4}

# Chan 2023 (319 patients, metastatic GEP-NEN): median overall survival by NETPET group, in months.
NETPET_P1_MEDIAN_OVERALL_SURVIVAL_MONTHS = 101.8
NETPET_P2_TO_P4_MEDIAN_OVERALL_SURVIVAL_MONTHS = 46.5
NETPET_P5_MEDIAN_OVERALL_SURVIVAL_MONTHS = 11.5

_NETPET_CITATIONS = ("chan2017netpet", "chan2023netpet")
_NETPET_PRRT_CITATIONS = _NETPET_CITATIONS + ("iravani2022phenotyping",)

_NETPET_MEANING = (
    "no significant uptake on either scan",
    "SSTR-avid disease without FDG-avid disease",
    "FDG-avid disease, every FDG-avid lesion SSTR-avid, FDG uptake lower than SSTR uptake",
    "FDG-avid disease, every FDG-avid lesion SSTR-avid, FDG uptake equal to SSTR uptake in at least one",
    "FDG-avid disease, every FDG-avid lesion SSTR-avid, FDG uptake higher than SSTR uptake in at least one",
    "at least one FDG-avid lesion without SSTR uptake",
)
_NETPET_OUTLOOK = (
    "With no uptake on either scan the grade says nothing about the tumour's biology: check that the "
    "disease is visible on CT or MRI and consider a biopsy. PRRT has no target.",
    f"The most favourable group: median overall survival {NETPET_P1_MEDIAN_OVERALL_SURVIVAL_MONTHS:g} months "
    "in the multicentre validation. The SSTR-avid disease is a target for PRRT.",
    "An intermediate group (P2-P4 together: median overall survival "
    f"{NETPET_P2_TO_P4_MEDIAN_OVERALL_SURVIVAL_MONTHS:g} months in the multicentre validation). All FDG-avid "
    "disease also takes up SSTR tracer, so PRRT reaches it.",
    "An intermediate group (P2-P4 together: median overall survival "
    f"{NETPET_P2_TO_P4_MEDIAN_OVERALL_SURVIVAL_MONTHS:g} months in the multicentre validation). All FDG-avid "
    "disease also takes up SSTR tracer, so PRRT reaches it.",
    "An intermediate group (P2-P4 together: median overall survival "
    f"{NETPET_P2_TO_P4_MEDIAN_OVERALL_SURVIVAL_MONTHS:g} months in the multicentre validation), at its "
    "aggressive end: lesions with FDG uptake above SSTR uptake may respond poorly to PRRT alone; discuss "
    "at the tumour board.",
    "The least favourable group: median overall survival "
    f"{NETPET_P5_MEDIAN_OVERALL_SURVIVAL_MONTHS:g} months in the multicentre validation. FDG-avid disease "
    "without SSTR uptake suggests dedifferentiated, higher-grade disease that PRRT cannot reach: consider "
    "a biopsy of that lesion and a systemic treatment that covers it.",
)


def _netpet_answers_agree() -> Rule:
    def check(values):
        fdg, without_sstr = values["fdg_avid_disease"], values["fdg_avid_lesion_without_sstr_uptake"]
        versus = values["fdg_versus_sstr_uptake"]
        if not fdg:
            if without_sstr:
                return InputError("fdg_avid_lesion_without_sstr_uptake", True, "false or empty when there is "
                                  "no FDG-avid disease",
                                  "fdg_avid_lesion_without_sstr_uptake is true but fdg_avid_disease is false: "
                                  "set fdg_avid_disease to true, or leave the lesion question empty")
            if versus is not None:
                return InputError("fdg_versus_sstr_uptake", versus, "empty when there is no FDG-avid disease",
                                  f"fdg_versus_sstr_uptake is {versus!r} but fdg_avid_disease is false: "
                                  "with no FDG-avid lesion there is nothing to compare; leave it empty")
            return None
        if without_sstr is None:
            return InputError("fdg_avid_lesion_without_sstr_uptake", None, "true or false when there is "
                              "FDG-avid disease",
                              "fdg_avid_lesion_without_sstr_uptake is required when fdg_avid_disease is "
                              "true: does any FDG-avid lesion lack SSTR uptake?")
        if without_sstr:
            return None
        if not values["sstr_avid_disease"]:
            return InputError("fdg_avid_lesion_without_sstr_uptake", False, "true when there is FDG-avid "
                              "but no SSTR-avid disease",
                              "fdg_avid_lesion_without_sstr_uptake is false but sstr_avid_disease is false: "
                              "with no SSTR uptake anywhere every FDG-avid lesion lacks it; correct one of "
                              "the answers")
        if versus is None:
            return InputError("fdg_versus_sstr_uptake", None, "one of " + ", ".join(FDG_VERSUS_SSTR_CHOICES),
                              "fdg_versus_sstr_uptake is required when every FDG-avid lesion also takes up "
                              "SSTR tracer: is FDG uptake lower than, equal to or higher than SSTR uptake?")
        return None

    return Rule(("sstr_avid_disease", "fdg_avid_disease", "fdg_avid_lesion_without_sstr_uptake",
                 "fdg_versus_sstr_uptake"),
                "FDG-avid disease needs the lesion question, and the comparison when every FDG-avid lesion "
                "is SSTR-avid; without FDG-avid disease both stay empty", check)


@calculator(
    id="netpet_score",
    title="NETPET grade (dual FDG and SSTR PET)",
    summary="Grades paired FDG and somatostatin-receptor PET scans P0-P5 by whether FDG-avid disease "
            "exists, whether it also takes up SSTR tracer, and how FDG compares with SSTR uptake.",
    fields=(
        boolean("sstr_avid_disease", "SSTR-avid disease",
                help="Any lesion with SSTR PET uptake above background.",
                source=("chan2017netpet", "iravani2022phenotyping")),
        boolean("fdg_avid_disease", "FDG-avid disease",
                help="Any lesion with FDG uptake above background, read by the nuclear medicine physician.",
                source=("chan2017netpet",)),
        boolean("fdg_avid_lesion_without_sstr_uptake", "An FDG-avid lesion without SSTR uptake",
                required=False,
                help="Needed when there is FDG-avid disease: true if at least one FDG-avid lesion shows no "
                     "SSTR uptake (this alone makes P5).",
                source=("chan2017netpet", "chan2023netpet")),
        choice("fdg_versus_sstr_uptake", "FDG compared with SSTR uptake", FDG_VERSUS_SSTR_CHOICES,
               required=False,
               help="Needed when every FDG-avid lesion also takes up SSTR tracer: compare the two in the "
                    "lesion where FDG is highest relative to SSTR.",
               source=("chan2017netpet", "iravani2022phenotyping")),
    ),
    rules=(_netpet_answers_agree(),),
    categories=NETPET_CATEGORIES,
    citations=_NETPET_CITATIONS,
    when_to_use="Metastatic or unresectable neuroendocrine neoplasm staged with both FDG and SSTR PET "
                "(Chan 2017: within 31 days of each other), for prognosis and before PRRT.",
    pearls=(
        "The worst lesion decides: one FDG-avid lesion without SSTR uptake makes the whole scan pair P5.",
        "P1 (SSTR-avid, FDG-negative) carries the best and P5 the worst survival; P2-P4 lie between.",
        "NETPET does not replace the WHO grade; in the original cohort it predicted survival where the WHO "
        "grade did not.",
        "Read both scans side by side: a lesion counts as discordant only if the same lesion is compared.",
    ),
)
def netpet_score(*, sstr_avid_disease: bool, fdg_avid_disease: bool,
                 fdg_avid_lesion_without_sstr_uptake: bool | None = None,
                 fdg_versus_sstr_uptake: str | None = None) -> Result:
    """NETPET grade P0-P5 from what the reader sees on paired FDG and SSTR PET (Chan 2017).

    P0 no uptake on either; P1 SSTR without FDG; P5 if any FDG-avid lesion lacks SSTR uptake;
    otherwise P2, P3 or P4 as FDG uptake is lower than, equal to or higher than SSTR uptake in the
    most FDG-dominant lesion.  The form's rule refuses answers that contradict one another.
    """
    if not fdg_avid_disease:
        grade = 1 if sstr_avid_disease else 0
    elif fdg_avid_lesion_without_sstr_uptake:
        grade = 5
    else:
        grade = NETPET_GRADE_BY_FDG_VERSUS_SSTR[fdg_versus_sstr_uptake]
    category = NETPET_CATEGORIES[grade]
    warnings = []
    if grade == 5 and fdg_versus_sstr_uptake is not None:
        warnings.append("The FDG versus SSTR comparison was recorded but not used: one FDG-avid lesion "
                        "without SSTR uptake makes P5 whatever the other lesions show.")
    if grade == 0:
        warnings.append("Neither scan shows significant uptake; Chan 2017 graded patients with metastatic "
                        "disease, so confirm that the disease is visible on anatomical imaging.")
    return make_result(
        "netpet_score", value=grade, category=category,
        interpretation=f"NETPET {category}: {_NETPET_MEANING[grade]}. {_NETPET_OUTLOOK[grade]}",
        warnings=warnings,
        citations=_NETPET_PRRT_CITATIONS if grade in (0, 4, 5) else _NETPET_CITATIONS,
        details={"grade": grade, "meaning": _NETPET_MEANING[grade],
                 "prognostic_group": ("none" if grade == 0 else "favourable" if grade == 1
                                      else "unfavourable" if grade == 5 else "intermediate")})
