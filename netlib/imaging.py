"""Somatostatin-receptor (SSTR) imaging: the Krenning uptake score.

* Krenning score (0-4) of tumour uptake on SSTR imaging, and whether that uptake
  is sufficient for peptide receptor radionuclide therapy (PRRT).

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

from .inputs import choice, integer
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
        integer("krenning_score", "Krenning score", "", KRENNING_MINIMUM, KRENNING_MAXIMUM,
                help="Visual uptake of the least avid target lesion: 0 none, 1 below normal liver, "
                     "2 equal to liver, 3 above liver, 4 above spleen or kidneys.",
                source=("kwekkeboom2002",)),
        choice("modality", "Imaging modality", MODALITY_CHOICES,
               help=f"Planar scintigraphy and SPECT need a score of at least "
                    f"{KRENNING_SUFFICIENT_SCINTIGRAPHY}; SSTR PET needs at least {KRENNING_SUFFICIENT_PET} "
                    "(uptake above liver): the scale was built for planar imaging, and PET-based selection "
                    "scales often require uptake above liver.",
               source=("strosberg2017netter1", "hope2020prrt")),
    ),
    categories=KRENNING_CATEGORIES,
    citations=_CITATIONS,
    when_to_use="Before considering 177Lu-dotatate (PRRT) for a well-differentiated neuroendocrine "
                "tumour, once somatostatin-receptor imaging is available.",
    pearls=(
        "Score the least avid target lesion: NETTER-1 required sufficient uptake in every target "
        "lesion, not just the hottest one.",
        "The scale was built for planar 111In-pentetreotide imaging; on SSTR PET this book requires "
        f"uptake above liver (score {KRENNING_SUFFICIENT_PET} or more).",
        "SSTR PET should replace OctreoScan wherever it is available.",
        "Lesions visible on CT but not on SSTR imaging suggest receptor-negative (possibly "
        "dedifferentiated) disease; consider FDG PET or a biopsy before PRRT.",
    ),
)
def krenning_score(*, krenning_score: int, modality: str) -> Result:
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
        details={"meaning": meaning, "sufficient_from_score": threshold, "sufficient_for_prrt": sufficient})
