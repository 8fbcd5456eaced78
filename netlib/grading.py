"""Pathological classification and grading of neuroendocrine neoplasms.

* WHO 2019 grading of gastroenteropancreatic (GEP) neuroendocrine neoplasms.
* Ki-67 labelling index from counted cells.
* WHO 2021 classification of lung carcinoids (tumourlet, typical vs atypical), and the exit from the
  NET pathway for large-cell neuroendocrine carcinoma and small-cell carcinoma.
"""

from __future__ import annotations

from .inputs import InputError, Rule, choice, integer, not_greater, number
from .registry import Result, calculator, make_result

# WHO 2019 GEP thresholds (Nagtegaal et al. 2020, table 1): G1 Ki-67 < 3 % and mitoses < 2 per 2 mm²;
# G2 Ki-67 3-20 % and mitoses 2-20 (both ends inclusive); G3 above 20.
KI67_G2_FROM_PERCENT = 3.0
KI67_G2_TO_PERCENT = 20.0
MITOSES_G2_FROM_PER_2MM2 = 2.0
MITOSES_G2_TO_PER_2MM2 = 20.0

# Ki-67 counting: at least 500 tumour cells in hot spots (WHO 2019).
KI67_MINIMUM_CELLS = 500
# Not a clinical threshold: a sanity bound on a count.  Digital image analysis of a whole slide can
# count tens of thousands of nuclei; a million means a typing error.
KI67_MAXIMUM_CELLS = 1_000_000

# WHO 2021 lung: typical carcinoid < 2 mitoses per 2 mm² and no necrosis;
# atypical carcinoid 2-10 mitoses per 2 mm² (inclusive) and/or necrosis.
LUNG_ATYPICAL_FROM_MITOSES = 2.0
LUNG_ATYPICAL_TO_MITOSES = 10.0
# WHO 2021 lung: a carcinoid-like proliferation smaller than 5 mm is a tumourlet, not a carcinoid;
# a typical carcinoid measures 5 mm (0.5 cm) or more (Travis criteria as taught by the ASC; the
# tumourlet size also in pathology patient information).  Not verified against the WHO 2021 text.
LUNG_CARCINOID_MINIMUM_SIZE_MM = 5
# Not a clinical threshold: a sanity bound on a lung tumour's size (30 cm means a unit error).
LUNG_TUMOUR_MAXIMUM_SIZE_MM = 300

WHO_GEP_CATEGORIES = ("NET G1", "NET G2", "NET G3", "NEC")
KI67_COUNT_CATEGORIES = ("adequate count", "too few cells counted")
LUNG_CARCINOID_CATEGORIES = ("tumourlet", "typical carcinoid", "atypical carcinoid",
                             "carcinoid with elevated mitotic count",
                             "large-cell neuroendocrine carcinoma", "small-cell carcinoma")
LUNG_MORPHOLOGY_CHOICES = {
    "carcinoid": "Carcinoid (well-differentiated neuroendocrine tumour)",
    "large_cell_nec": "Large-cell neuroendocrine carcinoma",
    "small_cell_carcinoma": "Small-cell carcinoma",
}
# The poorly differentiated lung carcinomas, by morphology: they leave the NET pathway.
_LUNG_CARCINOMA_CATEGORY = {"large_cell_nec": "large-cell neuroendocrine carcinoma",
                            "small_cell_carcinoma": "small-cell carcinoma"}


def _number_text(x: float) -> str:
    """A number as a reader expects it: 2 not 2.0, 10.5 as given."""
    return str(int(x)) if float(x).is_integer() else repr(float(x))


def _gep_grade_from_ki67(ki67_percent: float) -> int:
    # WHO 2019: exactly 3 % is G2, exactly 20 % is G2; the value is not rounded before grading.
    if ki67_percent < KI67_G2_FROM_PERCENT:
        return 1
    if ki67_percent <= KI67_G2_TO_PERCENT:
        return 2
    return 3


def _gep_grade_from_mitoses(mitoses_per_2mm2: float) -> int:
    # WHO 2019: exactly 2 and exactly 20 mitoses per 2 mm² are G2; an averaged 20.5 is G3.
    if mitoses_per_2mm2 < MITOSES_G2_FROM_PER_2MM2:
        return 1
    if mitoses_per_2mm2 <= MITOSES_G2_TO_PER_2MM2:
        return 2
    return 3


def _gep_grades(ki67_percent: float | None,
                mitoses_per_2mm2: float | None) -> tuple[int | None, int | None, int | None]:
    """The grade by each index given, and the grade of a NET: the higher of the two (WHO 2019)."""
    by_ki67 = _gep_grade_from_ki67(ki67_percent) if ki67_percent is not None else None
    by_mitoses = _gep_grade_from_mitoses(mitoses_per_2mm2) if mitoses_per_2mm2 is not None else None
    if by_ki67 is None:
        return by_ki67, by_mitoses, by_mitoses
    if by_mitoses is None or by_ki67 > by_mitoses:
        return by_ki67, by_mitoses, by_ki67
    return by_ki67, by_mitoses, by_mitoses


# Indexed by grade (index 0 unused); built once from the constants, never retyped.
_GEP_CATEGORY = ("", "NET G1", "NET G2", "NET G3")
_GEP_GRADE_MEANING = (
    "",
    "low grade",
    "intermediate grade",
    "high grade, well differentiated (distinct from NEC)",
)
_GEP_KI67_BAND = (
    "",
    f"below {_number_text(KI67_G2_FROM_PERCENT)} %",
    f"{_number_text(KI67_G2_FROM_PERCENT)} to {_number_text(KI67_G2_TO_PERCENT)} %, both inclusive",
    f"above {_number_text(KI67_G2_TO_PERCENT)} %",
)


def _percent_text(ki67_percent: float) -> str:
    """The index with as few decimals as keep it in its own grade band.

    A plain two-decimal display would print 2.999 % as "3.00 %" beside the word G1.
    """
    grade = _gep_grade_from_ki67(ki67_percent)
    for decimals in range(2, 10):
        text = f"{ki67_percent:.{decimals}f}"
        if _gep_grade_from_ki67(float(text)) == grade:
            return text.rstrip("0").rstrip(".") if "." in text else text
    return repr(ki67_percent)


# ---------------------------------------------------------------------------------------------
# WHO 2019 grade of a GEP neuroendocrine neoplasm
# ---------------------------------------------------------------------------------------------

def _needs_index_for_well_differentiated() -> Rule:
    def check(values):
        if values["differentiation"] == "well" and values["ki67_percent"] is None \
                and values["mitoses_per_2mm2"] is None:
            return InputError("ki67_percent", None, "a Ki-67 index and/or a mitotic count",
                              "a well-differentiated tumour needs ki67_percent and/or mitoses_per_2mm2 "
                              "to be graded; got neither")
        return None

    return Rule(("differentiation", "ki67_percent", "mitoses_per_2mm2"),
                "a well-differentiated tumour needs Ki-67 and/or mitoses", check)


_POOR_WITH_LOW_INDEX_WARNING = (
    f"Poorly differentiated morphology with a Ki-67 of {_number_text(KI67_G2_TO_PERCENT)} % or less, or "
    f"{_number_text(MITOSES_G2_TO_PER_2MM2)} mitoses per 2 mm² or fewer, is unusual: review the morphology "
    "(a well-differentiated NET G2/G3 or a sampling artefact) before treating as NEC."
)


@calculator(
    id="who_gep_grade",
    title="WHO 2019 grade of a GEP neuroendocrine neoplasm",
    summary="Classifies a gastroenteropancreatic neuroendocrine neoplasm as NET G1, G2 or G3, or NEC, "
            "from differentiation, the Ki-67 index and the mitotic count.",
    fields=(
        choice("differentiation", "Differentiation", {"well": "Well differentiated (NET)",
                                                      "poor": "Poorly differentiated (NEC)"},
               help="Morphology decides NET vs NEC; the numbers decide the NET grade.",
               source=("nagtegaal2020who",)),
        number("ki67_percent", "Ki-67 index", "%", 0, 100, required=False, step=0.1,
               help=f"Hot-spot Ki-67 labelling index, at least {KI67_MINIMUM_CELLS} tumour cells counted. "
                    "Not rounded.",
               source=("nagtegaal2020who",)),
        number("mitoses_per_2mm2", "Mitotic count", "per 2 mm²", 0, 1000, required=False, step=0.1,
               help="Mitoses per 2 mm² (10 mm² counted in hot spots, expressed per 2 mm²).",
               source=("nagtegaal2020who",)),
    ),
    rules=(_needs_index_for_well_differentiated(),),
    categories=WHO_GEP_CATEGORIES,
    citations=("nagtegaal2020who",),
    when_to_use="Any resected or biopsied neuroendocrine neoplasm of the digestive tract or pancreas.",
    pearls=(
        "When Ki-67 and mitoses disagree, the higher grade counts.",
        f"Ki-67 exactly {_number_text(KI67_G2_FROM_PERCENT)} % is G2, and exactly "
        f"{_number_text(KI67_G2_TO_PERCENT)} % is still G2.",
        f"A poorly differentiated carcinoma is NEC whatever its Ki-67; a well-differentiated tumour with "
        f"Ki-67 above {_number_text(KI67_G2_TO_PERCENT)} % is NET G3, not NEC.",
    ),
)
def who_gep_grade(*, differentiation: str, ki67_percent: float | None = None,
                  mitoses_per_2mm2: float | None = None) -> Result:
    """WHO 2019 grade of a GEP neuroendocrine neoplasm (Nagtegaal et al. 2020).

    Differentiation decides NET vs NEC; for a NET, each available index gives a grade and the
    higher one applies.  Ki-67 is graded unrounded (2.6 % is G1): WHO gives no rounding rule, so
    this is the book's convention [unverified; judgement].  Grading on one index alone, and the
    warning for a poorly differentiated tumour with a low index, are also judgement.
    """
    warnings: list[str] = []
    citations = ("nagtegaal2020who",)
    by_ki67, by_mitoses, grade = _gep_grades(ki67_percent, mitoses_per_2mm2)

    if differentiation == "poor":
        # WHO 2019: NEC is defined by poor differentiation and is not formally graded.
        if (by_ki67 is not None and by_ki67 < 3) or (by_mitoses is not None and by_mitoses < 3):
            warnings.append(_POOR_WITH_LOW_INDEX_WARNING)
        return make_result(
            "who_gep_grade", category="NEC",
            interpretation="Neuroendocrine carcinoma (poorly differentiated): high grade by definition, "
                           "not formally graded. It follows the NEC pathway, not the NET one.",
            warnings=warnings, citations=citations,
            details={"grade_by_ki67": by_ki67, "grade_by_mitoses": by_mitoses, "high_grade": True})

    # WHO 2019: the index placing the tumour in the higher grade decides.
    if by_ki67 is None:
        warnings.append("Ki-67 was not assessed: graded on the mitotic count alone.")
    elif by_mitoses is None:
        warnings.append("Mitoses were not counted: graded on the Ki-67 index alone.")
    elif by_ki67 != by_mitoses:
        warnings.append(f"Discordant indices (Ki-67 gives G{by_ki67}, mitoses give G{by_mitoses}): "
                        f"the higher grade, G{grade}, applies.")
    return make_result(
        "who_gep_grade", category=_GEP_CATEGORY[grade],
        interpretation=f"Well-differentiated neuroendocrine tumour, grade {grade} "
                       f"({_GEP_GRADE_MEANING[grade]}).",
        warnings=warnings, citations=citations,
        details={"grade": grade, "grade_by_ki67": by_ki67, "grade_by_mitoses": by_mitoses,
                 "high_grade": grade == 3})


def who_gep_category(differentiation: str, ki67_percent: float | None, mitoses_per_2mm2: float | None) -> str:
    """The category :func:`who_gep_grade` gives for validated inputs, without making its result and texts
    (the decision tables need the category only; tests/test_grading.py holds the two equal)."""
    if differentiation == "poor":
        return "NEC"
    return _GEP_CATEGORY[_gep_grades(ki67_percent, mitoses_per_2mm2)[2]]


# ---------------------------------------------------------------------------------------------
# Ki-67 labelling index from counted cells
# ---------------------------------------------------------------------------------------------

_KI67_BAND_TAIL = (
    " The final grade also takes the mitotic count (the higher grade wins), and morphology, "
    "not Ki-67, separates NET G3 from NEC."
)


@calculator(
    id="ki67_index",
    title="Ki-67 labelling index",
    summary="Ki-67 index (%) from the positive and total tumour cells counted in hot spots, with the "
            "WHO 2019 GEP grade band it falls in and a check that enough cells were counted.",
    fields=(
        integer("positive_cells", "Ki-67-positive tumour cells", "cells", 0, KI67_MAXIMUM_CELLS,
                help="Tumour nuclei with Ki-67 staining, counted in the hot spots.",
                source=("nagtegaal2020who",)),
        integer("total_cells", "Tumour cells counted", "cells", 1, KI67_MAXIMUM_CELLS,
                help=f"All tumour nuclei counted in the same hot spots (positive and negative); "
                     f"at least {KI67_MINIMUM_CELLS}. Exclude lymphocytes and stromal cells.",
                source=("nagtegaal2020who",)),
    ),
    rules=(not_greater("positive_cells", "total_cells",
                       "the positive cells are part of the cells counted"),),
    categories=KI67_COUNT_CATEGORIES,
    unit="%",
    citations=("nagtegaal2020who",),
    when_to_use="After a manual or digital hot-spot count of a Ki-67 immunostain of a neuroendocrine "
                "neoplasm, before grading it.",
    pearls=(
        f"Count at least {KI67_MINIMUM_CELLS} tumour cells in the hot spots (the areas of highest "
        "labelling found at low magnification).",
        "The index is not rounded before grading: "
        f"{_number_text(KI67_G2_FROM_PERCENT - 0.1)} % is G1, not "
        f"{_number_text(KI67_G2_FROM_PERCENT)} %.",
        "Ki-67 alone gives a band, not the grade: the mitotic count and the morphology also count.",
    ),
)
def ki67_index(*, positive_cells: int, total_cells: int) -> Result:
    """Ki-67 index = positive / total tumour cells x 100, with its WHO 2019 GEP band.

    The band is the grade that Ki-67 alone would give a well-differentiated GEP NET (Nagtegaal
    et al. 2020): the value is not rounded first (see :func:`who_gep_grade`).  Counts below
    ``KI67_MINIMUM_CELLS`` are computed but flagged, because WHO 2019 asks for at least that many.
    """
    # Multiply before dividing: one correctly rounded division of two exact integers, so whole
    # percentages stay whole (29 of 100 is 29.0, where 29 / 100 * 100 gives 28.999999999999996),
    # exactly 3 % and 20 % are banded G2, and no true value below a cut-off is rounded onto it.
    ki67_percent = 100 * positive_cells / total_cells
    grade = _gep_grade_from_ki67(ki67_percent)
    shown = _percent_text(ki67_percent)
    adequate = total_cells >= KI67_MINIMUM_CELLS
    warnings = () if adequate else (
        f"Only {total_cells} tumour cells were counted; WHO 2019 asks for at least {KI67_MINIMUM_CELLS} "
        "in the hot spots. The index is imprecise and may fall in the wrong band near a cut-off: "
        "count more cells.",)
    return make_result(
        "ki67_index", value=ki67_percent, unit="%",
        category="adequate count" if adequate else "too few cells counted",
        interpretation=f"Ki-67 index {shown} % ({positive_cells} of {total_cells} tumour cells). "
                       f"For a well-differentiated GEP neuroendocrine tumour this is the WHO 2019 "
                       f"G{grade} band ({_GEP_KI67_BAND[grade]})." + _KI67_BAND_TAIL,
        warnings=warnings, citations=("nagtegaal2020who",),
        details={"who_2019_band": f"G{grade}", "grade_by_ki67": grade,
                 "band_range": _GEP_KI67_BAND[grade], "positive_cells": positive_cells,
                 "total_cells": total_cells, "minimum_cells": KI67_MINIMUM_CELLS,
                 "adequate_count": adequate})


# ---------------------------------------------------------------------------------------------
# WHO 2021 lung carcinoid: typical vs atypical
# ---------------------------------------------------------------------------------------------

_LUNG_KI67_NOT_A_CRITERION = (
    " Ki-67 is not a WHO 2021 criterion for typical vs atypical carcinoid; only the mitotic count "
    "and necrosis are."
)
_LUNG_FROM = _number_text(LUNG_ATYPICAL_FROM_MITOSES)
_LUNG_TO = _number_text(LUNG_ATYPICAL_TO_MITOSES)
_LUNG_ELEVATED_WARNING = (
    f"More than {_LUNG_TO} mitoses per 2 mm² with carcinoid morphology fits neither typical nor atypical "
    "carcinoid. WHO 2021 describes an emerging group of carcinoids with elevated mitotic counts, not a "
    "formal category, and the count alone does not make it a large-cell neuroendocrine carcinoma: that "
    "is decided by morphology. Ask for review by a thoracic pathologist."
)
_LUNG_EXTENSIVE_NECROSIS_WARNING = (
    "Extensive necrosis is more typical of large-cell neuroendocrine carcinoma or small-cell carcinoma "
    "than of a carcinoid: this result assumes carcinoid morphology has been confirmed."
)
_LUNG_CLASSES = {
    # category: (WHO 2022 synonym, grade, sentence opening)
    "typical carcinoid": ("NET G1", "low grade", "Typical carcinoid (WHO 2022 synonym: NET G1, low grade)"),
    "atypical carcinoid": ("NET G2", "intermediate grade",
                           "Atypical carcinoid (WHO 2022 synonym: NET G2, intermediate grade)"),
    "carcinoid with elevated mitotic count": (None, None, "Carcinoid with an elevated mitotic count"),
}


@calculator(
    id="lung_carcinoid",
    title="WHO 2021 lung carcinoid: typical or atypical",
    summary="Classifies a lung carcinoid as typical or atypical from the mitotic count per 2 mm² and "
            "necrosis (a tumourlet below 5 mm), flags a count above the atypical range, and sends "
            "large-cell neuroendocrine carcinoma and small-cell carcinoma out of the NET pathway.",
    fields=(
        choice("morphology", "Morphology", LUNG_MORPHOLOGY_CHOICES,
               help="Decided by the pathologist on morphology, not on the count: large-cell "
                    "neuroendocrine carcinoma and small-cell carcinoma are poorly differentiated "
                    "carcinomas and leave the NET pathway.",
               source=("nicholson2022who",)),
        number("tumour_size_mm", "Tumour size", "mm", 0, LUNG_TUMOUR_MAXIMUM_SIZE_MM, required=False,
               exclusive_minimum=True, step=0.1,
               help=f"Optional. Largest diameter of a carcinoid-like proliferation; below "
                    f"{LUNG_CARCINOID_MINIMUM_SIZE_MM} mm it is a tumourlet, not a carcinoid.",
               source=("nicholson2022who",)),
        number("mitoses_per_2mm2", "Mitotic count", "per 2 mm²", 0, 1000, step=0.1,
               help="Mitoses per 2 mm² in the areas of highest mitotic activity. Near a cut-off, count "
                    "several 2 mm² areas and give the mean (not rounded).",
               source=("nicholson2022who",)),
        choice("necrosis", "Necrosis", {"absent": "Absent",
                                        "punctate": "Punctate (focal) necrosis",
                                        "extensive": "Extensive (confluent) necrosis"},
               help="Any necrosis, even a single punctate focus, makes a carcinoid atypical.",
               source=("nicholson2022who",)),
        number("ki67_percent", "Ki-67 index (not used)", "%", 0, 100, required=False, step=0.1,
               help="Optional and NOT used: Ki-67 is not a WHO 2021 criterion for typical vs atypical "
                    "carcinoid. Recorded only so the result can say so.",
               source=("nicholson2022who", "pelosi2021ki67")),
    ),
    categories=LUNG_CARCINOID_CATEGORIES,
    citations=("nicholson2022who", "pelosi2021ki67"),
    when_to_use="A resected lung neuroendocrine neoplasm whose morphology a pathologist has named: "
                f"carcinoids of at least {LUNG_CARCINOID_MINIMUM_SIZE_MM} mm are typed; smaller ones are "
                "tumourlets; carcinomas leave the NET pathway.",
    pearls=(
        f"A carcinoid-like proliferation below {LUNG_CARCINOID_MINIMUM_SIZE_MM} mm is a tumourlet; exactly "
        f"{LUNG_CARCINOID_MINIMUM_SIZE_MM} mm is a carcinoid.",
        "Large-cell neuroendocrine carcinoma and small-cell carcinoma are decided by morphology and are "
        "treated as carcinomas, not on the NET pathway.",
        f"Exactly {_LUNG_FROM} mitoses per 2 mm² is atypical; exactly {_LUNG_TO} is still atypical.",
        "Punctate necrosis makes a carcinoid atypical even with no mitoses.",
        "Ki-67 does not separate typical from atypical carcinoid; it helps mainly to avoid calling a "
        "crushed carcinoid biopsy small-cell carcinoma.",
        f"Above {_LUNG_TO} mitoses per 2 mm² with carcinoid morphology is not automatically large-cell "
        "neuroendocrine carcinoma.",
        "On a small biopsy or cytology sample, typical vs atypical often cannot be decided: "
        "report carcinoid, not otherwise specified.",
    ),
)
def lung_carcinoid(*, morphology: str, mitoses_per_2mm2: float, necrosis: str,
                   tumour_size_mm: float | None = None, ki67_percent: float | None = None) -> Result:
    """WHO 2021 typical vs atypical lung carcinoid (Nicholson et al. 2022).

    Typical: fewer than 2 mitoses per 2 mm² and no necrosis.  Atypical: 2 to 10 mitoses per 2 mm²
    (both inclusive) and/or any necrosis.  More than 10 with carcinoid morphology is reported as
    "carcinoid with elevated mitotic count" with a warning: WHO 2021 mentions such tumours as an
    emerging group, not a formal category, and the count alone does not make them LCNEC.  The older
    1999 WHO table wrote LCNEC as ">= 10"; the book follows the modern reading (10 is atypical).
    WHO 2022 (endocrine) synonyms: typical = NET G1, atypical = NET G2.  Ki-67 is accepted only
    to say that it was not used (Pelosi and Travis 2021).  The warning for extensive necrosis is
    judgement, not a WHO rule.  Unverified here: the WHO 2022 synonyms (taken from the project's
    clinical facts, not checked against the WHO 2022 endocrine text), the averaging of several
    2 mm² areas near a cut-off, and the tumourlet (carcinoid morphology below
    ``LUNG_CARCINOID_MINIMUM_SIZE_MM``; from secondary sources, ASC teaching and pathology patient
    information).  Size is optional: without it the tumour is taken to be a carcinoid of at least
    5 mm.  A tumourlet with 2 or more mitoses or necrosis is still called a tumourlet (size decides)
    but carries a warning.  Large-cell neuroendocrine carcinoma and small-cell carcinoma are
    returned as such from the morphology (WHO 2021: morphology, not the count, decides), with a
    warning if the count does not fit (10 or fewer mitoses per 2 mm²).
    """
    if morphology != "carcinoid":
        return _lung_carcinoma(morphology, mitoses_per_2mm2, necrosis, tumour_size_mm, ki67_percent)
    category = lung_carcinoid_category(morphology, tumour_size_mm, mitoses_per_2mm2, necrosis)
    if category == "tumourlet":
        return _lung_tumourlet(tumour_size_mm, mitoses_per_2mm2, necrosis, ki67_percent)
    count = _number_text(mitoses_per_2mm2)
    if category == "carcinoid with elevated mitotic count":
        met = (f"mitoses above {_LUNG_TO} per 2 mm²",)
        reason = (f"{count} mitoses per 2 mm², above the atypical range ({_LUNG_FROM} to {_LUNG_TO}): "
                  "neither typical nor atypical, and not large-cell neuroendocrine carcinoma on the "
                  "count alone")
        warnings = [_LUNG_ELEVATED_WARNING]
    elif category == "atypical carcinoid":
        if mitoses_per_2mm2 >= LUNG_ATYPICAL_FROM_MITOSES and necrosis != "absent":
            met = (f"mitoses {_LUNG_FROM} to {_LUNG_TO} per 2 mm²", "necrosis present")
            reason = f"{count} mitoses per 2 mm² and {necrosis} necrosis"
        elif necrosis != "absent":
            met = ("necrosis present",)
            reason = f"{necrosis} necrosis (with {count} mitoses per 2 mm²)"
        else:
            met = (f"mitoses {_LUNG_FROM} to {_LUNG_TO} per 2 mm²",)
            reason = f"{count} mitoses per 2 mm² (within {_LUNG_FROM} to {_LUNG_TO}) without necrosis"
        warnings = []
    else:
        met = (f"mitoses below {_LUNG_FROM} per 2 mm²", "no necrosis")
        reason = f"{count} mitoses per 2 mm² (below {_LUNG_FROM}) and no necrosis"
        warnings = []
    if necrosis == "extensive":
        warnings.append(_LUNG_EXTENSIVE_NECROSIS_WARNING)
    if ki67_percent is not None:
        warnings.append(f"Ki-67 {_number_text(ki67_percent)} % was recorded but not used: it is not a "
                        "WHO 2021 criterion for typical vs atypical carcinoid.")
    synonym, grade, opening = _LUNG_CLASSES[category]
    return make_result(
        "lung_carcinoid", category=category,
        interpretation=f"{opening}: {reason}." + _LUNG_KI67_NOT_A_CRITERION,
        warnings=warnings, citations=("nicholson2022who", "pelosi2021ki67"),
        details={"who_2022_synonym": synonym, "grade": grade, "criteria_met": met,
                 "mitoses_per_2mm2": mitoses_per_2mm2, "necrosis": necrosis,
                 "ki67_percent": ki67_percent, "ki67_used": False, "morphology": morphology,
                 "tumour_size_mm": tumour_size_mm, "net_pathway": True})


def lung_carcinoid_category(morphology: str, tumour_size_mm: float | None, mitoses_per_2mm2: float, necrosis: str,
                            ki67_percent: float | None = None) -> str:
    """The category :func:`lung_carcinoid` gives for validated inputs (in its field order; Ki-67 is not used),
    without making its result and texts: the calculator takes its category from here, and the decision
    tables need the category only."""
    if morphology != "carcinoid":
        return _LUNG_CARCINOMA_CATEGORY[morphology]
    if tumour_size_mm is not None and tumour_size_mm < LUNG_CARCINOID_MINIMUM_SIZE_MM:
        return "tumourlet"
    if mitoses_per_2mm2 > LUNG_ATYPICAL_TO_MITOSES:
        return "carcinoid with elevated mitotic count"
    if mitoses_per_2mm2 >= LUNG_ATYPICAL_FROM_MITOSES or necrosis != "absent":
        return "atypical carcinoid"  # WHO 2021: on the count and/or on any necrosis, even punctate
    return "typical carcinoid"


def _lung_tumourlet(tumour_size_mm: float, mitoses_per_2mm2: float, necrosis: str,
                    ki67_percent: float | None) -> Result:
    size = _number_text(tumour_size_mm)
    warnings = []
    if mitoses_per_2mm2 >= LUNG_ATYPICAL_FROM_MITOSES or necrosis != "absent":
        warnings.append(f"{_number_text(mitoses_per_2mm2)} mitoses per 2 mm² and {necrosis} necrosis in a "
                        f"lesion below {LUNG_CARCINOID_MINIMUM_SIZE_MM} mm: tumourlets do not usually show "
                        "atypical features. Review the size and the morphology (a small carcinoid, or a "
                        "sampled part of a larger tumour).")
    if ki67_percent is not None:
        warnings.append(f"Ki-67 {_number_text(ki67_percent)} % was recorded but not used.")
    return make_result(
        "lung_carcinoid", category="tumourlet",
        interpretation=f"Tumourlet: a carcinoid-like proliferation of {size} mm, below the "
                       f"{LUNG_CARCINOID_MINIMUM_SIZE_MM} mm that makes a carcinoid (WHO 2021). It is not "
                       "typed as typical or atypical carcinoid and does not enter the NET treatment pathway.",
        warnings=warnings, citations=("nicholson2022who",),
        details={"who_2022_synonym": None, "grade": None, "criteria_met": (f"size below "
                 f"{LUNG_CARCINOID_MINIMUM_SIZE_MM} mm",), "mitoses_per_2mm2": mitoses_per_2mm2,
                 "necrosis": necrosis, "ki67_percent": ki67_percent, "ki67_used": False,
                 "morphology": "carcinoid", "tumour_size_mm": tumour_size_mm, "net_pathway": False})


def _lung_carcinoma(morphology: str, mitoses_per_2mm2: float, necrosis: str,
                    tumour_size_mm: float | None, ki67_percent: float | None) -> Result:
    category = _LUNG_CARCINOMA_CATEGORY[morphology]
    warnings = []
    if mitoses_per_2mm2 <= LUNG_ATYPICAL_TO_MITOSES:
        warnings.append(f"{_number_text(mitoses_per_2mm2)} mitoses per 2 mm² is within the carcinoid range "
                        f"(WHO 2021: {category} usually has more than {_LUNG_TO}): confirm the morphology, "
                        "which decides, or count again in the most active areas.")
    return make_result(
        "lung_carcinoid", category=category,
        interpretation=f"{category[0].upper()}{category[1:]} (poorly differentiated, high grade by "
                       "definition): not a carcinoid, so it is not typed as typical or atypical and it "
                       "leaves the NET pathway of this book; treat it as a lung carcinoma.",
        warnings=warnings, citations=("nicholson2022who",),
        details={"who_2022_synonym": None, "grade": "high grade", "criteria_met": ("morphology",),
                 "mitoses_per_2mm2": mitoses_per_2mm2, "necrosis": necrosis,
                 "ki67_percent": ki67_percent, "ki67_used": False, "morphology": morphology,
                 "tumour_size_mm": tumour_size_mm, "net_pathway": False})
