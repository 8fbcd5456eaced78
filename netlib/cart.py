"""CAR-T therapy: toxicity grading and the status of CAR-T for neuroendocrine tumours.

Calculators (ASTCT consensus grading, Lee et al. 2019, ``lee2019astct``):

* ``crs_grade``   - cytokine release syndrome (CRS), grades 1-5 (5: death from CRS).
* ``ice_score``   - the 10-point Immune effector Cell-associated Encephalopathy (ICE) score.
* ``capd_score``  - the Cornell Assessment of Pediatric Delirium (CAPD, Traube et al. 2014), 0-32.
* ``icans_grade`` - immune effector cell-associated neurotoxicity syndrome (ICANS), grades 1-4: with
  ICE for adults and children aged 12 or older, with CAPD for children younger than 12 (ASTCT
  paediatric table) and for older patients with developmental delay.

Data (plain frozen records, each cited; the book renders them as tables):

* ``CAR_T_PRODUCTS`` - the FDA-approved CAR-T products, all for haematological cancers.
* ``NOT_CAR_T_ENGINEERED_CELL_THERAPIES`` and ``NON_FDA_SOLID_TUMOUR_APPROVALS`` - products that
  are often confused with "a CAR-T for a solid tumour".
* ``NET_CAR_T_RESEARCH`` - CAR-T work aimed at neuroendocrine tumours (preclinical or phase 1/2).
* ``CAR_T_APPROVAL_STATUS``, ``CAR_T_BARRIERS_IN_SOLID_TUMOURS``, ``NET_TUMOUR_MUTATIONAL_BURDEN``
  and ``CAR_T_TOXICITY_REASONS`` - (statement, citation keys) pairs; ``car_t_reasons()`` joins them.
* ``CAR_T_POSITION`` - the book's position in one sentence.

Conventions where sources disagree or are silent (clinical-facts sections 8, 12 and 13):

* CRS fever is temperature >= 38.0 °C; 37.9 °C is not fever. After antipyretic or anticytokine
  therapy (tocilizumab, corticosteroids) fever is no longer required and the grade follows
  hypotension and hypoxia; with neither, such a patient is grade 1 (CRS was diagnosed before the
  therapy masked the fever, which is the premise of the ASTCT rule).
* ASTCT gives no numeric definition of hypotension (some adaptations add SBP < 90 mmHg); the
  clinician declares it.
* Nasal cannula: ASTCT low flow is <= 6 L/min and high flow > 6 L/min.  When a flow is given it
  must agree with the cannula chosen; a contradiction is an InputError, never silently corrected.
  With other devices (blow-by, masks, positive pressure) the device sets the grade and the flow
  is only recorded.
* Vasopressin alone counts as one vasopressor (grade 3); vasopressin never counts towards the
  "multiple vasopressors" of grade 4.
* ICANS age boundary: the ASTCT consensus (``lee2019astct``) uses ICE for adults and children
  aged 12 or older and CAPD for children younger than 12 and for older patients with developmental
  delay; the NCI Thesaurus writes "12 and under" for CAPD
  (``ncit2020c188936``).  Convention: below 12 only CAPD (an ICE score is refused); from 12 to
  below 13, where the sources disagree, either is accepted with a warning naming the other reading
  (ICE preferred, as ASTCT says); from 13 ICE, and CAPD only with developmental delay.
* CAPD domain of paediatric ICANS (ASTCT, ``lee2019astct``): CAPD 1-8 is grade 1 (grades 1 and 2 differ by
  consciousness only), 9 or more grade 3, unable to perform CAPD (unarousable) grade 4; CAPD 0 is no
  ICANS from this domain.  An unarousable child has no CAPD score: a value is refused.
* CRS grade 5 is death from CRS with no other principal cause, recorded with ``death_from_crs``;
  it overrides the other findings (the temperature at death does not undo the diagnosis).  ICANS
  grade 5 (death from ICANS) is not computed; it is named in the pearls.  Both are cited to Lee et
  al. (``lee2019astct``); the CRS wording was checked in EBMT registry guidance
  (``ebmt2020carregistry``), and the paediatric ICANS table and ICANS grade 5 only in a report of the
  paper: not verified against the full text of Lee et al.

Not verified: the pancreatic NET whole-genome mutation rate (about 0.8 mutations/Mb, Scarpa et al.
2017) could not be checked against the paper, so no number is stored; only the guideline's
qualitative statement is.  Anitocabtagene autoleucel (anito-cel, BCMA) was still under FDA review
in the sources consulted (not verified against an FDA document): re-check the FDA list of approved cellular and gene therapy products
before publishing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from types import MappingProxyType

from .inputs import InputError, Rule, boolean, choice, integer, number
from .registry import Result, calculator, make_result

# ---------------------------------------------------------------------------------------------
# Cytokine release syndrome (ASTCT 2019)
# ---------------------------------------------------------------------------------------------

# ASTCT: fever is a temperature of at least 38.0 °C (37.9 °C is not fever).
FEVER_THRESHOLD_C = 38.0
# Plausible body temperatures accepted as input (outside these a typing error is likely).
TEMPERATURE_MINIMUM_C = 30.0
TEMPERATURE_MAXIMUM_C = 45.0
# ASTCT: low-flow nasal cannula is oxygen at <= 6 L/min; high-flow is > 6 L/min.
LOW_FLOW_MAXIMUM_L_MIN = 6.0
# Highest oxygen flow accepted as input (high-flow nasal cannula systems deliver up to ~60-80 L/min).
OXYGEN_FLOW_MAXIMUM_L_MIN = 80.0
# ASTCT grade 4: "multiple vasopressors (excluding vasopressin)", i.e. two or more.
MULTIPLE_VASOPRESSORS = 2
# Highest number of concurrent vasopressors accepted as input.
VASOPRESSORS_MAXIMUM = 5

CRS_CATEGORIES = ("no CRS", "grade 1", "grade 2", "grade 3", "grade 4", "grade 5")
# ASTCT grade 5: death due to CRS in which no other cause is the principal factor.
CRS_GRADE_DEATH = 5

# ASTCT hypoxia column: the oxygen device sets the grade.
CRS_OXYGEN_SUPPORT_LABELS = MappingProxyType({
    "none": "No supplemental oxygen",
    "low_flow_nasal_cannula": "Low-flow nasal cannula (<= 6 L/min)",
    "blow_by": "Blow-by oxygen",
    "high_flow_nasal_cannula": "High-flow nasal cannula (> 6 L/min)",
    "facemask": "Facemask",
    "non_rebreather_mask": "Non-rebreather mask",
    "venturi_mask": "Venturi mask",
    "positive_pressure": "Positive pressure (CPAP, BiPAP, intubation and mechanical ventilation)",
})
CRS_GRADE_BY_OXYGEN_SUPPORT = MappingProxyType({
    "none": 0,
    "low_flow_nasal_cannula": 2,
    "blow_by": 2,
    "high_flow_nasal_cannula": 3,
    "facemask": 3,
    "non_rebreather_mask": 3,
    "venturi_mask": 3,
    "positive_pressure": 4,
})

CRS_GRADE_MEANING = (
    "",
    "fever without hypotension or hypoxia",
    "hypotension not needing vasopressors and/or hypoxia needing low-flow nasal cannula "
    "(<= 6 L/min) or blow-by oxygen",
    "hypotension needing one vasopressor (with or without vasopressin) and/or hypoxia needing "
    "high-flow nasal cannula, facemask, non-rebreather or Venturi mask",
    "hypotension needing multiple vasopressors (excluding vasopressin) and/or hypoxia needing "
    "positive pressure (CPAP, BiPAP, intubation and mechanical ventilation)",
    "death due to CRS, with no other principal cause",
)

_CRS_NO_FEVER_WITH_FINDINGS = (
    "Hypotension or an oxygen need without fever, and without prior antipyretic or anticytokine "
    "therapy, is not CRS under ASTCT: look for another cause (sepsis, bleeding, cardiac, pulmonary).")
_CRS_FEVER_MASKED = (
    "Temperature below 38.0 °C after antipyretic or anticytokine therapy: graded on hypotension and "
    "hypoxia, as ASTCT allows once CRS has been treated.")
_CRS_ORGAN_TOXICITY = ("Organ toxicities are graded separately (CTCAE) and do not change the ASTCT "
                       "CRS grade.")
_CRS_GRADE_5 = ("ASTCT grade 5 is death from CRS with no other principal cause (record it with "
                "death_from_crs).")


def _crs_grade_from_hypotension(hypotension: bool, vasopressors: int, vasopressin: bool) -> int:
    if not hypotension:
        return 0
    if vasopressors >= MULTIPLE_VASOPRESSORS:
        return 4  # ASTCT: multiple vasopressors, vasopressin not counted
    if vasopressors == 1 or vasopressin:
        return 3  # ASTCT: "a vasopressor with or without vasopressin"; vasopressin alone is one
    return 2


def _vasopressors_need_hypotension() -> Rule:
    def check(values):
        if values["hypotension"]:
            return None
        count = values["vasopressors_excluding_vasopressin"]
        if count:
            return InputError(
                "vasopressors_excluding_vasopressin", count, "0 when hypotension is false",
                f"vasopressors_excluding_vasopressin is {count} but hypotension is false: "
                "vasopressors are given for hypotension; set hypotension to true or vasopressors to 0")
        if values["vasopressin"]:
            return InputError(
                "vasopressin", True, "false when hypotension is false",
                "vasopressin is true but hypotension is false: set hypotension to true or "
                "vasopressin to false")
        return None

    return Rule(("hypotension", "vasopressors_excluding_vasopressin", "vasopressin"),
                "vasopressors or vasopressin imply hypotension", check)


def _flow_matches_oxygen_support() -> Rule:
    def check(values):
        flow = values["oxygen_flow_l_min"]
        if flow is None:
            return None
        support = values["oxygen_support"]
        if support == "none":
            return InputError(
                "oxygen_flow_l_min", flow, "empty when oxygen_support is none",
                f"oxygen_flow_l_min is {flow:g} but oxygen_support is none: choose the oxygen "
                "device or leave the flow empty")
        if support == "low_flow_nasal_cannula" and flow > LOW_FLOW_MAXIMUM_L_MIN:
            return InputError(
                "oxygen_flow_l_min", flow, f"at most {LOW_FLOW_MAXIMUM_L_MIN:g} L/min for a low-flow "
                "nasal cannula",
                f"oxygen_flow_l_min is {flow:g} L/min, above the ASTCT low-flow limit of "
                f"{LOW_FLOW_MAXIMUM_L_MIN:g} L/min: choose high_flow_nasal_cannula (grade 3) or "
                "correct the flow")
        if support == "high_flow_nasal_cannula" and flow <= LOW_FLOW_MAXIMUM_L_MIN:
            return InputError(
                "oxygen_flow_l_min", flow, f"more than {LOW_FLOW_MAXIMUM_L_MIN:g} L/min for a "
                "high-flow nasal cannula",
                f"oxygen_flow_l_min is {flow:g} L/min, within the ASTCT low-flow limit of "
                f"{LOW_FLOW_MAXIMUM_L_MIN:g} L/min: choose low_flow_nasal_cannula (grade 2) or "
                "correct the flow")
        return None

    return Rule(("oxygen_support", "oxygen_flow_l_min"),
                f"a nasal cannula flow must match the device: low flow <= {LOW_FLOW_MAXIMUM_L_MIN:g} "
                f"L/min, high flow > {LOW_FLOW_MAXIMUM_L_MIN:g} L/min", check)


@calculator(
    id="crs_grade",
    title="ASTCT grade of cytokine release syndrome (CRS)",
    summary="Grades cytokine release syndrome after CAR-T or other immune effector cell therapy by the "
            "ASTCT consensus: fever, then the more severe of hypotension and hypoxia; grade 5 is death "
            "from CRS. Organ toxicities are not part of the grade.",
    fields=(
        number("temperature_c", "Highest temperature", "°C", TEMPERATURE_MINIMUM_C,
               TEMPERATURE_MAXIMUM_C, step=0.1,
               help=f"Fever is {FEVER_THRESHOLD_C:g} °C or more and must not be explained by another "
                    "cause (e.g. infection).",
               source=("lee2019astct",)),
        boolean("antipyretic_or_anticytokine_given", "Antipyretic or anticytokine therapy given",
                help="True once CRS has been treated with antipyretics, tocilizumab or corticosteroids: "
                     "fever is then no longer required and the grade follows hypotension and hypoxia.",
                source=("lee2019astct",)),
        boolean("hypotension", "Hypotension",
                help="Hypotension attributed to CRS. ASTCT gives no number; some adaptations use "
                     "systolic blood pressure < 90 mmHg.",
                source=("lee2019astct",)),
        integer("vasopressors_excluding_vasopressin", "Vasopressors, not counting vasopressin", "",
                0, VASOPRESSORS_MAXIMUM,
                help="Number of concurrent vasopressors other than vasopressin "
                     "(e.g. norepinephrine = 1).",
                source=("lee2019astct",)),
        boolean("vasopressin", "Vasopressin given",
                help="Vasopressin alone counts as one vasopressor (grade 3) but never as a second "
                     "vasopressor: norepinephrine plus vasopressin is grade 3, not 4.",
                source=("lee2019astct",)),
        choice("oxygen_support", "Oxygen support for hypoxia", CRS_OXYGEN_SUPPORT_LABELS,
               help="The highest level of oxygen support needed for hypoxia attributed to CRS.",
               source=("lee2019astct",)),
        number("oxygen_flow_l_min", "Oxygen flow", "L/min", 0, OXYGEN_FLOW_MAXIMUM_L_MIN,
               required=False, exclusive_minimum=True, step=0.5,
               help=f"Optional. With a nasal cannula it must match the device: low flow is "
                    f"{LOW_FLOW_MAXIMUM_L_MIN:g} L/min or less, high flow more than "
                    f"{LOW_FLOW_MAXIMUM_L_MIN:g} L/min. With other devices it is recorded only.",
               source=("lee2019astct",)),
        boolean("death_from_crs", "Death from CRS", required=False,
                help="Optional. True if the patient died and CRS was the principal cause: ASTCT grade 5, "
                     "whatever the other findings.",
                source=("lee2019astct", "ebmt2020carregistry")),
    ),
    rules=(_vasopressors_need_hypotension(), _flow_matches_oxygen_support()),
    categories=CRS_CATEGORIES,
    citations=("lee2019astct",),
    when_to_use="Fever, hypotension or hypoxia in the days or weeks after CAR-T or another immune "
                "effector cell therapy.",
    pearls=(
        f"Fever means {FEVER_THRESHOLD_C:g} °C or more: 37.9 °C is not fever, and without fever (and "
        "without prior antipyretic or anticytokine therapy) the syndrome is not graded as CRS.",
        "After tocilizumab, corticosteroids or antipyretics fever is no longer required; grade on "
        "hypotension and hypoxia.",
        "The more severe of hypotension and hypoxia sets the grade: one vasopressor with low-flow "
        "oxygen is grade 3.",
        "Vasopressin is never the second vasopressor: norepinephrine plus vasopressin is grade 3; two "
        "vasopressors other than vasopressin are grade 4.",
        f"Nasal cannula at {LOW_FLOW_MAXIMUM_L_MIN:g} L/min is low flow (grade 2); above "
        f"{LOW_FLOW_MAXIMUM_L_MIN:g} L/min it is high flow (grade 3).",
        _CRS_ORGAN_TOXICITY + " Earlier scales (Lee 2014, Penn, MSKCC, CARTOX) included them.",
        _CRS_GRADE_5 + " It depends on the cause of death, not on the last vital signs.",
    ),
)
def crs_grade(*, temperature_c: float, antipyretic_or_anticytokine_given: bool, hypotension: bool,
              vasopressors_excluding_vasopressin: int, vasopressin: bool, oxygen_support: str,
              oxygen_flow_l_min: float | None = None, death_from_crs: bool | None = None) -> Result:
    fever = temperature_c >= FEVER_THRESHOLD_C
    by_hypotension = _crs_grade_from_hypotension(hypotension, vasopressors_excluding_vasopressin,
                                                 vasopressin)
    by_hypoxia = CRS_GRADE_BY_OXYGEN_SUPPORT[oxygen_support]
    citations = ("lee2019astct",)

    if death_from_crs:
        # ASTCT grade 5 (EBMT registry wording): death due to CRS with no other principal cause.
        return make_result(
            "crs_grade", value=CRS_GRADE_DEATH, category=CRS_CATEGORIES[CRS_GRADE_DEATH],
            interpretation=f"CRS grade {CRS_GRADE_DEATH} (ASTCT): {CRS_GRADE_MEANING[CRS_GRADE_DEATH]}.",
            warnings=("Grade 5 requires that CRS, not another cause (infection, progression, another "
                      "toxicity), was the principal cause of death.",),
            citations=("lee2019astct", "ebmt2020carregistry"),
            details={"grade": CRS_GRADE_DEATH, "fever": fever,
                     "fever_required": not antipyretic_or_anticytokine_given,
                     "grade_by_hypotension": by_hypotension, "grade_by_hypoxia": by_hypoxia,
                     "decided_by": "death from CRS"})

    if not fever and not antipyretic_or_anticytokine_given:
        # ASTCT: fever is required for the diagnosis until CRS has been treated.
        warnings = (_CRS_NO_FEVER_WITH_FINDINGS,) if (by_hypotension or by_hypoxia) else ()
        return make_result(
            "crs_grade", value=0, category="no CRS",
            interpretation=f"No CRS by ASTCT criteria: {temperature_c:g} °C is below the fever "
                           f"threshold of {FEVER_THRESHOLD_C:g} °C and no antipyretic or anticytokine "
                           "therapy has been given (ASTCT requires fever).",
            warnings=warnings, citations=citations,
            details={"grade": 0, "fever": False, "fever_required": True,
                     "grade_by_hypotension": by_hypotension, "grade_by_hypoxia": by_hypoxia,
                     "decided_by": "no fever"})

    grade = max(1, by_hypotension, by_hypoxia)
    if grade == 1:
        decided_by = "fever" if fever else "fever before antipyretic or anticytokine therapy"
    elif by_hypotension == by_hypoxia:
        decided_by = "hypotension and hypoxia"
    elif by_hypotension == grade:
        decided_by = "hypotension"
    else:
        decided_by = "hypoxia"
    warnings = () if fever else (_CRS_FEVER_MASKED,)
    interpretation = f"CRS grade {grade} (ASTCT): {CRS_GRADE_MEANING[grade]}; set by {decided_by}."
    if grade == 4:
        interpretation += " " + _CRS_GRADE_5
    return make_result(
        "crs_grade", value=grade, category=CRS_CATEGORIES[grade],
        interpretation=interpretation, warnings=warnings, citations=citations,
        details={"grade": grade, "fever": fever,
                 "fever_required": not antipyretic_or_anticytokine_given,
                 "grade_by_hypotension": by_hypotension, "grade_by_hypoxia": by_hypoxia,
                 "decided_by": decided_by})


# ---------------------------------------------------------------------------------------------
# ICE score and ICANS (ASTCT 2019)
# ---------------------------------------------------------------------------------------------

# ICE items and their maxima (ASTCT): orientation to year, month, city and hospital (1 each);
# naming three objects (1 each); following simple commands; writing a standard sentence;
# attention, counting backwards from 100 by 10.
ICE_ORIENTATION_MAXIMUM = 4
ICE_NAMING_MAXIMUM = 3
ICE_COMMANDS_MAXIMUM = 1
ICE_WRITING_MAXIMUM = 1
ICE_ATTENTION_MAXIMUM = 1
ICE_MAXIMUM = (ICE_ORIENTATION_MAXIMUM + ICE_NAMING_MAXIMUM + ICE_COMMANDS_MAXIMUM
               + ICE_WRITING_MAXIMUM + ICE_ATTENTION_MAXIMUM)
assert ICE_MAXIMUM == 10, "the ICE score is out of 10 points"

# ASTCT ICE domain: 10 no ICANS; 7-9 grade 1; 3-6 grade 2; 0-2 grade 3 (0 and unarousable: grade 4).
ICE_GRADE_1_FROM = 7
ICE_GRADE_2_FROM = 3

# ASTCT: ICE for adults and children aged 12 years or older; CAPD below 12 (age 12 uses ICE).
ICE_MINIMUM_AGE_YEARS = 12
# NCI Thesaurus C188936 writes CAPD for "children 12 and under": a child in the year after the 12th
# birthday (12 to below 13) is graded with ICE here but carries a warning.
AGE_AMBIGUOUS_BELOW_YEARS = 13
AGE_MAXIMUM_YEARS = 120

# CAPD (Traube 2014): 8 items, each 0-4 points, total 0-32; 9 or more screens positive for delirium.
CAPD_ITEMS = 8
CAPD_ITEM_MAXIMUM = 4
CAPD_MAXIMUM = CAPD_ITEMS * CAPD_ITEM_MAXIMUM
CAPD_DELIRIUM_FROM = 9
# ASTCT paediatric ICANS (Lee et al. 2019): CAPD 1-8 is grade 1 (and grade 2 with awakening to voice);
# 9 or more is grade 3; CAPD 0 adds nothing.
CAPD_GRADE_1_FROM = 1
CAPD_GRADE_3_FROM = CAPD_DELIRIUM_FROM
CAPD_GRADE_1_TO = CAPD_GRADE_3_FROM - 1

ICANS_CATEGORIES = ("no ICANS", "grade 1", "grade 2", "grade 3", "grade 4")
ICE_CATEGORIES = ICANS_CATEGORIES[:4]  # the ICE domain alone never reaches grade 4

ICANS_CONSCIOUSNESS_LABELS = MappingProxyType({
    "normal": "Normal: awake and alert",
    "awakens_spontaneously": "Drowsy, awakens spontaneously",
    "awakens_to_voice": "Awakens to voice",
    "awakens_only_to_tactile_stimulus": "Awakens only to tactile stimulus",
    "unarousable": "Unarousable, or needs vigorous or repetitive tactile stimuli; stupor or coma",
})
ICANS_GRADE_BY_CONSCIOUSNESS = MappingProxyType({
    "normal": 0,
    "awakens_spontaneously": 1,
    "awakens_to_voice": 2,
    "awakens_only_to_tactile_stimulus": 3,
    "unarousable": 4,
})
ICANS_SEIZURE_LABELS = MappingProxyType({
    "none": "No seizure",
    "rapidly_resolving": "Any clinical seizure, focal or generalised, that resolves rapidly, or "
                         "non-convulsive seizure on EEG that resolves with intervention",
    "prolonged_or_repetitive": "Life-threatening prolonged seizure (> 5 min), or repetitive clinical or "
                               "electrical seizures without return to baseline in between",
})
ICANS_GRADE_BY_SEIZURE = MappingProxyType({"none": 0, "rapidly_resolving": 3,
                                           "prolonged_or_repetitive": 4})
ICANS_CEREBRAL_OEDEMA_LABELS = MappingProxyType({
    "none": "No cerebral oedema or signs of raised intracranial pressure",
    "focal": "Focal or local oedema on neuroimaging",
    "diffuse": "Diffuse cerebral oedema on neuroimaging, decerebrate or decorticate posturing, "
               "cranial nerve VI palsy, papilloedema or Cushing's triad",
})
ICANS_GRADE_BY_CEREBRAL_OEDEMA = MappingProxyType({"none": 0, "focal": 3, "diffuse": 4})
# ASTCT: deep focal motor weakness (hemiparesis, paraparesis) is grade 4.
ICANS_GRADE_FOR_MOTOR_WEAKNESS = 4

ICANS_DOMAINS = ("ICE score", "level of consciousness", "seizure", "motor findings",
                 "raised intracranial pressure or cerebral oedema")
ICANS_DOMAINS_CAPD = ("CAPD score",) + ICANS_DOMAINS[1:]

_ICE_ZERO_AWAKE = ("ICE 0 in a patient who is awake (e.g. global aphasia) is grade 3; ICE 0 because the "
                   "patient cannot be roused is grade 4: grade with icans_grade.")
_ICANS_CONSCIOUSNESS_CAUSE = ("A depressed level of consciousness counts only when no other cause "
                              "(e.g. sedating medication) explains it.")
_ICANS_AGE_UNKNOWN = (f"Age not given: ICE-based grading assumes an adult or a child aged "
                      f"{ICE_MINIMUM_AGE_YEARS} years or older; younger children are graded with CAPD.")
_ICANS_AGE_UNKNOWN_CAPD = (f"Age not given: CAPD-based grading assumes a child younger than "
                           f"{ICE_MINIMUM_AGE_YEARS} years or a patient with developmental delay.")
_ICANS_AGE_12 = (f"Age {ICE_MINIMUM_AGE_YEARS}: graded with ICE as ASTCT says (\"{ICE_MINIMUM_AGE_YEARS} or "
                 "older\"); the NCI Thesaurus writes CAPD for \"children 12 and under\". If the child cannot "
                 "do ICE reliably, grade with CAPD instead (accepted at this age).")
_ICANS_AGE_12_CAPD = (f"Age {ICE_MINIMUM_AGE_YEARS}: graded with CAPD as the NCI Thesaurus allows (\"children "
                      f"12 and under\"); ASTCT uses ICE from {ICE_MINIMUM_AGE_YEARS}, which this book prefers "
                      "when the child can do it.")


def _icans_grade_from_ice(ice_score: int) -> int:
    # ASTCT: ICE 10 is no ICANS (grade 0, not 1); 7-9 grade 1; 3-6 grade 2; 0-2 grade 3.
    if ice_score >= ICE_MAXIMUM:
        return 0
    if ice_score >= ICE_GRADE_1_FROM:
        return 1
    if ice_score >= ICE_GRADE_2_FROM:
        return 2
    return 3


@calculator(
    id="ice_score",
    title="Immune effector Cell-associated Encephalopathy (ICE) score",
    summary="Adds the five ICE items (orientation, naming, commands, writing, attention) to a score out "
            "of 10 and shows the ICANS grade that the ICE domain alone implies.",
    fields=(
        integer("orientation_points", "Orientation: year, month, city, hospital", "points", 0,
                ICE_ORIENTATION_MAXIMUM, help="One point for each of year, month, city and hospital.",
                source=("lee2019astct",)),
        integer("naming_points", "Naming three objects", "points", 0, ICE_NAMING_MAXIMUM,
                help="One point for each object named (e.g. clock, pen, button).",
                source=("lee2019astct",)),
        integer("commands_points", "Following simple commands", "points", 0, ICE_COMMANDS_MAXIMUM,
                help='e.g. "Show me 2 fingers" or "Close your eyes and stick out your tongue".',
                source=("lee2019astct",)),
        integer("writing_points", "Writing a standard sentence", "points", 0, ICE_WRITING_MAXIMUM,
                help="Ability to write a standard sentence.", source=("lee2019astct",)),
        integer("attention_points", "Attention: count backwards from 100 by 10", "points", 0,
                ICE_ATTENTION_MAXIMUM, help="One point for counting backwards from 100 by 10.",
                source=("lee2019astct",)),
    ),
    categories=ICE_CATEGORIES,
    unit="points",
    citations=("lee2019astct",),
    when_to_use="Screening for encephalopathy after CAR-T or another immune effector cell therapy in "
                f"adults and children aged {ICE_MINIMUM_AGE_YEARS} or older (usually at least twice a day "
                "while at risk).",
    pearls=(
        "Item maxima are 4, 3, 1, 1 and 1; a value above an item's maximum is refused, never clipped.",
        "ICE 10 is no ICANS from this domain; 7-9 grade 1; 3-6 grade 2; 0-2 grade 3.",
        "ICE is one of five ICANS domains: the ICANS grade also depends on consciousness, seizures, "
        "motor findings and cerebral oedema (icans_grade).",
        "ICE 0 because the patient cannot be roused is ICANS grade 4, which only icans_grade can tell.",
    ),
)
def ice_score(*, orientation_points: int, naming_points: int, commands_points: int, writing_points: int,
              attention_points: int) -> Result:
    total = orientation_points + naming_points + commands_points + writing_points + attention_points
    grade = _icans_grade_from_ice(total)
    if grade == 0:
        interpretation = f"ICE {total}/{ICE_MAXIMUM}: no encephalopathy; no ICANS from the ICE domain."
    else:
        interpretation = (f"ICE {total}/{ICE_MAXIMUM}: the ICE domain alone implies ICANS grade {grade}; "
                          "the final grade is the worst of all five domains.")
    return make_result(
        "ice_score", value=total, unit="points", category=ICE_CATEGORIES[grade],
        interpretation=interpretation, warnings=(_ICE_ZERO_AWAKE,) if total == 0 else (),
        citations=("lee2019astct",),
        details={"maximum": ICE_MAXIMUM, "icans_grade_from_ice": grade})


# ---------------------------------------------------------------------------------------------
# CAPD: Cornell Assessment of Pediatric Delirium (Traube 2014)
# ---------------------------------------------------------------------------------------------

CAPD_FREQUENCY_CHOICES = MappingProxyType({
    "never": "Never", "rarely": "Rarely", "sometimes": "Sometimes", "often": "Often", "always": "Always",
})
# Items 1-4 ask about behaviour a well child shows, so they are scored in reverse (never = 4); items
# 5-8 ask about symptoms (never = 0).  Traube 2014 as printed on the CHOP scoring card.
_CAPD_POINTS_REVERSED = MappingProxyType({"never": 4, "rarely": 3, "sometimes": 2, "often": 1, "always": 0})
_CAPD_POINTS_DIRECT = MappingProxyType({"never": 0, "rarely": 1, "sometimes": 2, "often": 3, "always": 4})
CAPD_ITEMS_REVERSED = ("eye_contact", "purposeful_actions", "aware_of_surroundings", "communicates_needs")
CAPD_ITEMS_DIRECT = ("restless", "inconsolable", "underactive", "slow_to_respond")
_CAPD_QUESTIONS = MappingProxyType({
    "eye_contact": "Does the child make eye contact with the caregiver?",
    "purposeful_actions": "Are the child's actions purposeful?",
    "aware_of_surroundings": "Is the child aware of his or her surroundings?",
    "communicates_needs": "Does the child communicate needs and wants?",
    "restless": "Is the child restless?",
    "inconsolable": "Is the child inconsolable?",
    "underactive": "Is the child underactive (very little movement while awake)?",
    "slow_to_respond": "Does it take the child a long time to respond to interactions?",
})
assert len(_CAPD_QUESTIONS) == CAPD_ITEMS
CAPD_CATEGORIES = ("negative screen", "positive screen for delirium")


def _icans_grade_from_capd(capd: int) -> int:
    # ASTCT paediatric table: CAPD 1-8 grade 1 (grade 2 needs awakening to voice), >= 9 grade 3.
    if capd >= CAPD_GRADE_3_FROM:
        return 3
    if capd >= CAPD_GRADE_1_FROM:
        return 1
    return 0


def _capd_interpretation(total: int) -> str:
    grade = _icans_grade_from_capd(total)
    if total >= CAPD_DELIRIUM_FROM:
        return (f"CAPD {total}/{CAPD_MAXIMUM}: positive screen for delirium ({CAPD_DELIRIUM_FROM} or more). In a "
                f"child younger than {ICE_MINIMUM_AGE_YEARS} after immune effector cell therapy this domain "
                f"alone is ICANS grade {grade}.")
    return (f"CAPD {total}/{CAPD_MAXIMUM}: negative screen for delirium (below {CAPD_DELIRIUM_FROM}). In a child "
            f"younger than {ICE_MINIMUM_AGE_YEARS} after immune effector cell therapy this domain alone gives "
            + ("no ICANS (CAPD 0)." if grade == 0 else f"ICANS grade {grade}; the final grade is the worst of all five "
               "domains."))


# Built once: 33 possible totals, so each evaluation only looks its text up.
_CAPD_INTERPRETATION_BY_TOTAL = tuple(_capd_interpretation(total) for total in range(CAPD_MAXIMUM + 1))
_CAPD_CATEGORY_BY_TOTAL = tuple(CAPD_CATEGORIES[total >= CAPD_DELIRIUM_FROM] for total in range(CAPD_MAXIMUM + 1))
_CAPD_ICANS_GRADE_BY_TOTAL = tuple(_icans_grade_from_capd(total) for total in range(CAPD_MAXIMUM + 1))


@calculator(
    id="capd_score",
    title="Cornell Assessment of Pediatric Delirium (CAPD)",
    summary="Adds the eight CAPD items, each rated from never to always over the shift, to a score out "
            f"of {CAPD_MAXIMUM}; {CAPD_DELIRIUM_FROM} or more screens positive for delirium. It is the "
            "encephalopathy domain of ICANS in children younger than 12.",
    fields=tuple(
        choice(name, question, CAPD_FREQUENCY_CHOICES,
               help=("Scored in reverse: never 4 ... always 0." if name in CAPD_ITEMS_REVERSED
                     else "Never 0 ... always 4."),
               source=("traube2014capd",))
        for name, question in _CAPD_QUESTIONS.items()),
    categories=CAPD_CATEGORIES,
    unit="points",
    citations=("traube2014capd", "lee2019astct"),
    when_to_use="Children (0 to 21 years in the validation) at risk of delirium, for example after CAR-T "
                f"in a child younger than {ICE_MINIMUM_AGE_YEARS}, rated by the nurse from the "
                "interactions over a shift. Not when deeply sedated or unarousable.",
    pearls=(
        "The first four items describe what a well child does and are scored in reverse: a child who "
        "never makes eye contact scores 4 on that item.",
        f"{CAPD_DELIRIUM_FROM} or more is a positive screen; in children with developmental delay compare "
        "with the child's usual behaviour, as the parents describe it.",
        f"For ICANS in children younger than {ICE_MINIMUM_AGE_YEARS}, CAPD replaces ICE: 1-8 is grade 1 "
        f"and {CAPD_GRADE_3_FROM} or more grade 3 from this domain (grade with icans_grade).",
        "A child who cannot be roused cannot be assessed: that is ICANS grade 4, not a CAPD score.",
    ),
)
def capd_score(*, eye_contact: str, purposeful_actions: str, aware_of_surroundings: str,
               communicates_needs: str, restless: str, inconsolable: str, underactive: str,
               slow_to_respond: str) -> Result:
    """CAPD total (Traube 2014): items 1-4 reverse scored, items 5-8 direct; >= 9 positive.

    ``details["item_points"]`` lists the eight item scores in the order of the form.
    """
    reversed_points, direct = _CAPD_POINTS_REVERSED, _CAPD_POINTS_DIRECT
    points = (reversed_points[eye_contact], reversed_points[purposeful_actions],
              reversed_points[aware_of_surroundings], reversed_points[communicates_needs],
              direct[restless], direct[inconsolable], direct[underactive], direct[slow_to_respond])
    total = sum(points)
    return make_result(
        "capd_score", value=total, unit="points", category=_CAPD_CATEGORY_BY_TOTAL[total],
        interpretation=_CAPD_INTERPRETATION_BY_TOTAL[total], citations=("traube2014capd", "lee2019astct"),
        details={"maximum": CAPD_MAXIMUM, "item_points": points,
                 "icans_grade_from_capd": _CAPD_ICANS_GRADE_BY_TOTAL[total]})


def _assessment_matches_age() -> Rule:
    """ICE from 12 years, CAPD below 12 (or with developmental delay at any age); never both."""

    def check(values):
        age, ice, capd = values["age_years"], values["ice_score"], values["capd_score"]
        delay = values["developmental_delay"]
        if ice is not None and capd is not None:
            return InputError("capd_score", capd, "empty when ice_score is given",
                              "give ice_score or capd_score, not both: ICE is for patients aged "
                              f"{ICE_MINIMUM_AGE_YEARS} or older, CAPD for younger children")
        if age is None:
            return None
        if age < ICE_MINIMUM_AGE_YEARS and ice is not None:
            return InputError(
                "ice_score", ice, f"empty for a child younger than {ICE_MINIMUM_AGE_YEARS} (give capd_score)",
                f"age_years is {age:g}: ASTCT ICE-based ICANS grading applies to adults and children aged "
                f"{ICE_MINIMUM_AGE_YEARS} or older; for children younger than {ICE_MINIMUM_AGE_YEARS} give "
                "the CAPD (Cornell Assessment of Pediatric Delirium) score in capd_score instead")
        if age >= AGE_AMBIGUOUS_BELOW_YEARS and capd is not None and not delay:
            return InputError(
                "capd_score", capd,
                f"empty from age {AGE_AMBIGUOUS_BELOW_YEARS} unless there is developmental delay",
                f"age_years is {age:g}: ASTCT grades patients aged {ICE_MINIMUM_AGE_YEARS} or older with "
                "ICE (give ice_score); CAPD is used at this age only with developmental delay "
                "(set developmental_delay to true)")
        return None

    return Rule(("age_years", "ice_score", "capd_score", "developmental_delay"),
                f"CAPD below {ICE_MINIMUM_AGE_YEARS}; ICE or CAPD from {ICE_MINIMUM_AGE_YEARS} to below "
                f"{AGE_AMBIGUOUS_BELOW_YEARS} (sources disagree); ICE from {AGE_AMBIGUOUS_BELOW_YEARS}, CAPD "
                "then only with developmental delay; never both", check)


def _assessment_matches_consciousness() -> Rule:
    def check(values):
        ice, capd = values["ice_score"], values["capd_score"]
        unarousable = values["consciousness"] == "unarousable"
        age = values["age_years"]
        if ice is None and capd is None and not unarousable:
            if (age is not None and age < ICE_MINIMUM_AGE_YEARS) or values["developmental_delay"]:
                return InputError(
                    "capd_score", None, f"a CAPD score from 0 to {CAPD_MAXIMUM}",
                    "capd_score is required for a child younger than "
                    f"{ICE_MINIMUM_AGE_YEARS} (or with developmental delay) unless unarousable "
                    f"(give a score from 0 to {CAPD_MAXIMUM})")
            return InputError(
                "ice_score", None, f"an ICE score from 0 to {ICE_MAXIMUM}",
                "ice_score is required unless the patient is unarousable "
                f"(give a score from 0 to {ICE_MAXIMUM}; for a child younger than "
                f"{ICE_MINIMUM_AGE_YEARS} give capd_score)")
        if ice is not None and ice > 0 and unarousable:
            return InputError(
                "ice_score", ice, "0 or empty when the patient is unarousable",
                f"ice_score is {ice} but consciousness is unarousable: an unarousable patient cannot "
                "perform ICE; give 0 or leave it empty")
        if capd is not None and unarousable:
            return InputError(
                "capd_score", capd, "empty when the child is unarousable",
                f"capd_score is {capd} but consciousness is unarousable: an unarousable child cannot be "
                "assessed with CAPD (ASTCT grade 4); leave it empty")
        return None

    return Rule(("ice_score", "capd_score", "consciousness", "age_years", "developmental_delay"),
                "ICE or CAPD is required unless unarousable; ICE must be 0 or empty, CAPD empty, when "
                "unarousable", check)


@calculator(
    id="icans_grade",
    title="ASTCT grade of immune effector cell-associated neurotoxicity syndrome (ICANS)",
    summary="Grades ICANS by the ASTCT consensus: the worst of the encephalopathy score (ICE from age 12, "
            "CAPD in younger children), level of consciousness, seizures, motor findings and cerebral "
            "oedema.",
    fields=(
        number("age_years", "Age", "years", 0, AGE_MAXIMUM_YEARS, required=False, step=1,
               help=f"Optional but recommended. ICE is for patients aged {ICE_MINIMUM_AGE_YEARS} or older "
                    f"(age 12 included); children younger than {ICE_MINIMUM_AGE_YEARS} are graded with CAPD.",
               source=("lee2019astct", "ncit2020c188936")),
        integer("ice_score", "ICE score", "points", 0, ICE_MAXIMUM, required=False,
                help=f"Total ICE score (see ice_score), from age {ICE_MINIMUM_AGE_YEARS}. May be left "
                     "empty only if the patient is unarousable.",
                source=("lee2019astct",)),
        integer("capd_score", "CAPD score", "points", 0, CAPD_MAXIMUM, required=False,
                help=f"Total CAPD score (see capd_score), for children younger than {ICE_MINIMUM_AGE_YEARS} "
                     "or with developmental delay, instead of ICE. Leave empty if unarousable.",
                source=("lee2019astct", "traube2014capd")),
        boolean("developmental_delay", "Developmental delay", required=False,
                help=f"Optional. With developmental delay CAPD may be used from age {ICE_MINIMUM_AGE_YEARS} "
                     "too (ASTCT).",
                source=("lee2019astct",)),
        choice("consciousness", "Level of consciousness", ICANS_CONSCIOUSNESS_LABELS,
               help="Counts only if not explained by another cause such as sedating medication.",
               source=("lee2019astct",)),
        choice("seizure", "Seizures", ICANS_SEIZURE_LABELS, source=("lee2019astct",)),
        boolean("motor_weakness", "Deep focal motor weakness",
                help="Hemiparesis or paraparesis. Tremor and myoclonus do not count.",
                source=("lee2019astct",)),
        choice("cerebral_oedema", "Raised intracranial pressure / cerebral oedema",
               ICANS_CEREBRAL_OEDEMA_LABELS,
               help="Intracranial haemorrhage, with or without oedema, is excluded from ICANS grading.",
               source=("lee2019astct",)),
    ),
    rules=(_assessment_matches_age(), _assessment_matches_consciousness()),
    categories=ICANS_CATEGORIES,
    citations=("lee2019astct",),
    when_to_use="Neurological symptoms or an abnormal ICE or CAPD score after CAR-T or another immune "
                "effector cell therapy, in adults and children.",
    pearls=(
        "The worst domain sets the grade: ICE 3 (grade 2) with a rapidly resolving seizure is grade 3.",
        "ICE 10 is no ICANS, not grade 1. ICE 0 in an awake patient (global aphasia) is grade 3; an "
        "unarousable patient is grade 4.",
        "Tremor and myoclonus do not change the ICANS grade (grade them by CTCAE).",
        "Intracranial haemorrhage, with or without oedema, is not an ICANS feature and does not change "
        "the grade (grade it by CTCAE).",
        f"Children younger than {ICE_MINIMUM_AGE_YEARS} are graded with CAPD, not ICE: CAPD 1-8 is "
        f"grade 1, {CAPD_GRADE_3_FROM} or more grade 3. At {ICE_MINIMUM_AGE_YEARS} ASTCT uses ICE (\"12 or "
        "older\") and the NCI Thesaurus CAPD (\"12 and under\"): this book prefers ICE and accepts CAPD "
        "in that year, with a warning.",
        "ASTCT grade 5 is death from ICANS with no other principal cause; it is not computed here.",
    ),
)
def icans_grade(*, consciousness: str, seizure: str, motor_weakness: bool, cerebral_oedema: str,
                age_years: float | None = None, ice_score: int | None = None,
                capd_score: int | None = None, developmental_delay: bool | None = None) -> Result:
    by_consciousness = ICANS_GRADE_BY_CONSCIOUSNESS[consciousness]
    # Which assessment: CAPD when given, or when the child is younger than 12 (or has developmental
    # delay) and unarousable; otherwise ICE (the form's rules tie the choice to age).
    uses_capd = capd_score is not None or (
        ice_score is None and ((age_years is not None and age_years < ICE_MINIMUM_AGE_YEARS)
                               or bool(developmental_delay)))
    # ASTCT: an unarousable patient cannot perform ICE or CAPD, which is grade 4.
    if by_consciousness == 4:
        by_ice = 4
    elif uses_capd:
        by_ice = _icans_grade_from_capd(capd_score)
    else:
        by_ice = _icans_grade_from_ice(ice_score)
    by_seizure = ICANS_GRADE_BY_SEIZURE[seizure]
    by_motor = ICANS_GRADE_FOR_MOTOR_WEAKNESS if motor_weakness else 0
    by_oedema = ICANS_GRADE_BY_CEREBRAL_OEDEMA[cerebral_oedema]
    by_domain = (by_ice, by_consciousness, by_seizure, by_motor, by_oedema)
    grade = max(by_domain)

    warnings = []
    if age_years is None:
        warnings.append(_ICANS_AGE_UNKNOWN_CAPD if uses_capd else _ICANS_AGE_UNKNOWN)
    elif ICE_MINIMUM_AGE_YEARS <= age_years < AGE_AMBIGUOUS_BELOW_YEARS and not developmental_delay:
        warnings.append(_ICANS_AGE_12_CAPD if uses_capd else _ICANS_AGE_12)
    if by_consciousness:
        warnings.append(_ICANS_CONSCIOUSNESS_CAUSE)
    if ice_score == 0 and by_consciousness < 4:
        warnings.append("ICE 0 in a patient who is not unarousable (e.g. global aphasia) is grade 3 "
                        "from the ICE domain.")

    domains = ICANS_DOMAINS_CAPD if uses_capd else ICANS_DOMAINS
    if grade == 0:
        decided_by: tuple[str, ...] = ()
        interpretation = ("No ICANS by ASTCT criteria: " + ("CAPD 0" if uses_capd else "ICE 10")
                          + ", normal consciousness, and no seizure, motor weakness or cerebral oedema.")
    else:
        decided_by = tuple(name for name, g in zip(domains, by_domain) if g == grade)
        interpretation = f"ICANS grade {grade} (ASTCT), set by {' and '.join(decided_by)}."
    citations = ("lee2019astct", "traube2014capd") if uses_capd else ("lee2019astct",)
    return make_result(
        "icans_grade", value=grade, category=ICANS_CATEGORIES[grade],
        interpretation=interpretation, warnings=warnings, citations=citations,
        details={"grade": grade, "assessment": "CAPD" if uses_capd else "ICE",
                 "grade_by_ice": None if uses_capd else by_ice,
                 "grade_by_capd": by_ice if uses_capd else None,
                 "grade_by_consciousness": by_consciousness,
                 "grade_by_seizure": by_seizure, "grade_by_motor": by_motor,
                 "grade_by_cerebral_oedema": by_oedema, "decided_by": decided_by})


# ---------------------------------------------------------------------------------------------
# Data: the status of CAR-T therapy, and of CAR-T for neuroendocrine tumours
# ---------------------------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class CarTProduct:
    """An FDA-approved CAR-T product.  ``verified`` is True when the first approval date and the
    target antigen were both confirmed in the sources consulted (``verification_note`` says which)."""

    brand: str
    generic_name: str
    target_antigen: str
    first_fda_approval: date
    indications: tuple[str, ...]
    indication_type: str
    citations: tuple[str, ...]
    verified: bool
    verification_note: str


@dataclass(frozen=True, slots=True)
class EngineeredCellTherapy:
    """An approved engineered or adoptive T-cell therapy for a solid tumour that is NOT a CAR-T."""

    brand: str
    generic_name: str
    modality: str
    target: str
    regulator: str
    first_approval: date
    indication: str
    citations: tuple[str, ...]
    verified: bool
    verification_note: str


@dataclass(frozen=True, slots=True)
class NonFdaApproval:
    """A CAR-T approved for a solid tumour by a regulator other than the FDA."""

    brand_or_code: str
    generic_name: str
    target_antigen: str
    regulator: str
    approval: date
    indication: str
    net_indication: bool
    fda_approved: bool
    citations: tuple[str, ...]
    verified: bool
    verification_note: str


@dataclass(frozen=True, slots=True)
class NetCarTResearch:
    """A CAR-T programme directed at neuroendocrine tumours."""

    name: str
    target: str
    construct: str
    stage: str
    trial_ids: tuple[str, ...]
    finding: str
    citations: tuple[str, ...]
    verified: bool


HAEMATOLOGICAL = "haematological"

# Approval dates and targets checked against the FDA prescribing information and the marketing start date
# in the FDA NDC Directory (see each verification_note; no approval letter was read); "main indications"
# are a summary, not the full current labels.
CAR_T_PRODUCTS: tuple[CarTProduct, ...] = (
    # Verified: 30 Aug 2017 (NDC Directory marketing start); CD19-directed (label).
    CarTProduct(
        brand="Kymriah", generic_name="tisagenlecleucel", target_antigen="CD19",
        first_fda_approval=date(2017, 8, 30),
        indications=("B-cell precursor acute lymphoblastic leukaemia, patients up to 25 years",
                     "relapsed or refractory large B-cell lymphoma",
                     "relapsed or refractory follicular lymphoma"),
        indication_type=HAEMATOLOGICAL, citations=("fda_label_kymriah", "fda2024cgtproducts"),
        verified=True,
        verification_note="date (FDA NDC Directory) and CD19 target (label) confirmed; later indications not "
                          "individually checked"),
    # Verified: 18 Oct 2017 (label: initial U.S. approval October 2017; NDC marketing start 2017-10-18);
    # anti-CD19.
    CarTProduct(
        brand="Yescarta", generic_name="axicabtagene ciloleucel", target_antigen="CD19",
        first_fda_approval=date(2017, 10, 18),
        indications=("relapsed or refractory large B-cell lymphoma (second line from 2022)",
                     "relapsed or refractory follicular lymphoma"),
        indication_type=HAEMATOLOGICAL, citations=("fda_label_yescarta", "fda2024cgtproducts"),
        verified=True,
        verification_note="date and CD19 target confirmed; the date of the second-line approval (1 Apr "
                          "2022) not verified against an FDA document"),
    # Verified: 24 Jul 2020 (NDC Directory marketing start); CD19 (label).
    CarTProduct(
        brand="Tecartus", generic_name="brexucabtagene autoleucel", target_antigen="CD19",
        first_fda_approval=date(2020, 7, 24),
        indications=("relapsed or refractory mantle cell lymphoma",
                     "relapsed or refractory B-cell precursor acute lymphoblastic leukaemia in adults"),
        indication_type=HAEMATOLOGICAL, citations=("fda_label_tecartus", "fda2024cgtproducts"),
        verified=True,
        verification_note="date and CD19 target confirmed; adult B-ALL indication not individually "
                          "checked"),
    # Verified: 5 Feb 2021 (NDC Directory marketing start); CD19-directed (label).
    CarTProduct(
        brand="Breyanzi", generic_name="lisocabtagene maraleucel", target_antigen="CD19",
        first_fda_approval=date(2021, 2, 5),
        indications=("relapsed or refractory large B-cell lymphoma",
                     "chronic lymphocytic leukaemia or small lymphocytic lymphoma",
                     "follicular lymphoma", "mantle cell lymphoma", "marginal zone lymphoma"),
        indication_type=HAEMATOLOGICAL, citations=("fda_label_breyanzi", "fda2024cgtproducts"),
        verified=True,
        verification_note="date and CD19 target confirmed; the dates of later indications (follicular "
                          "lymphoma, 15 May 2024) not verified against an FDA document"),
    # Verified: 26 Mar 2021 (NDC Directory marketing start).  BCMA,
    # not CD38 (a review table that gives CD38 is wrong).
    CarTProduct(
        brand="Abecma", generic_name="idecabtagene vicleucel", target_antigen="BCMA",
        first_fda_approval=date(2021, 3, 26),
        indications=("relapsed or refractory multiple myeloma",),
        indication_type=HAEMATOLOGICAL,
        citations=("fda_label_abecma", "fda2024cgtproducts"),
        verified=True,
        verification_note="BCMA target confirmed; 26 March 2021 from the FDA NDC Directory (the approval "
                          "letter was not read)"),
    # Verified: 28 Feb 2022 (FDA D.I.S.C.O.); BCMA-directed.
    CarTProduct(
        brand="Carvykti", generic_name="ciltacabtagene autoleucel", target_antigen="BCMA",
        first_fda_approval=date(2022, 2, 28),
        indications=("relapsed or refractory multiple myeloma",),
        indication_type=HAEMATOLOGICAL, citations=("fda2022carvykti", "fda2024cgtproducts"),
        verified=True, verification_note="date and BCMA target confirmed on an FDA page"),
    # Verified: 8 Nov 2024 (NDC Directory marketing start); CD19-directed (label).
    CarTProduct(
        brand="Aucatzyl", generic_name="obecabtagene autoleucel", target_antigen="CD19",
        first_fda_approval=date(2024, 11, 8),
        indications=("relapsed or refractory B-cell precursor acute lymphoblastic leukaemia in adults",),
        indication_type=HAEMATOLOGICAL, citations=("fda_label_aucatzyl", "fda2024cgtproducts"),
        verified=True, verification_note="date and CD19 target confirmed"),
)

NOT_CAR_T_ENGINEERED_CELL_THERAPIES: tuple[EngineeredCellTherapy, ...] = (
    # Verified: FDA D.I.S.C.O., accelerated approval 2 Aug 2024; MAGE-A4-directed TCR-T, the first
    # engineered T-cell therapy for a solid tumour.  One trade article wrongly calls it "a CAR T".
    EngineeredCellTherapy(
        brand="Tecelra", generic_name="afamitresgene autoleucel (afami-cel)",
        modality="T-cell receptor (TCR) engineered T cells", target="MAGE-A4 (HLA-A*02 restricted)",
        regulator="FDA (accelerated approval)", first_approval=date(2024, 8, 2),
        indication="unresectable or metastatic synovial sarcoma after chemotherapy",
        citations=("fda2024tecelra",), verified=True,
        verification_note="date, target and indication confirmed on an FDA page"),
    # Verified: accelerated approval 16 Feb 2024 (NDC Directory marketing start; label); tumour-infiltrating
    # lymphocytes, not genetically engineered and not a CAR-T.
    EngineeredCellTherapy(
        brand="Amtagvi", generic_name="lifileucel", modality="tumour-infiltrating lymphocytes (TIL)",
        target="none engineered (polyclonal tumour-derived T cells)",
        regulator="FDA (accelerated approval)", first_approval=date(2024, 2, 16),
        indication="unresectable or metastatic melanoma after PD-1 blockade (and BRAF/MEK inhibition if "
                   "BRAF V600 mutant)",
        citations=("fda_label_amtagvi",), verified=True,
        verification_note="date confirmed in the FDA NDC Directory and modality in the label; indication "
                          "wording not re-read in the label"),
)

NON_FDA_SOLID_TUMOUR_APPROVALS: tuple[NonFdaApproval, ...] = (
    # Not verified: the NMPA approval (reported for 22 June 2026, the first CAR-T approved anywhere for a
    # solid tumour) could not be checked against an NMPA document; only news reports give it.  Target and
    # trial population from the pivotal trial (CT041-ST-01).  Not FDA-approved; not a NET indication.
    NonFdaApproval(
        brand_or_code="satri-cel (CT041)", generic_name="satricabtagene autoleucel",
        target_antigen="Claudin 18.2 (CLDN18.2)", regulator="NMPA (China)", approval=date(2026, 6, 22),
        indication="CLDN18.2-positive advanced gastric or gastro-oesophageal junction cancer refractory to "
                   "at least two prior lines (the pivotal trial population; the approved wording, including "
                   "HER2 status, not verified)",
        net_indication=False, fda_approved=False, citations=("qi2025satricel",), verified=False,
        verification_note="target and trial population confirmed in the pivotal trial; NMPA approval date "
                          "not verified against an NMPA document"),
)

NET_CAR_T_RESEARCH: tuple[NetCarTResearch, ...] = (
    NetCarTResearch(
        name="CDH17 CAR-T (VHH1 nanobody)", target="CDH17 (cadherin 17)",
        construct="llama-derived nanobody VHH1 CAR T cells",
        stage="preclinical", trial_ids=(),
        finding="Eradicated CDH17-expressing NETs and gastric, pancreatic and colorectal cancers in "
                "xenograft and autochthonous mouse models without attacking normal intestinal "
                "epithelium, where CDH17 is hidden in tight junctions.",
        citations=("feng2022cdh17",), verified=True),
    NetCarTResearch(
        name="CHM-2101 (CHM CDH17)", target="CDH17 (cadherin 17)",
        construct="third-generation CDH17 CAR T cells (from the Penn VHH1 work)",
        stage="phase 1/2", trial_ids=("NCT06055439",),
        finding="First-in-human two-stage trial in advanced colorectal and gastric cancer and intestinal "
                "(midgut/hindgut) G1/G2 or well-differentiated G3 NETs (design not verified against the "
                "registry record); an FDA fast track designation for GEP-NETs is reported but not verified "
                "against an FDA document. No efficacy data published in the sources consulted.",
        citations=("feng2022cdh17", "nct06055439"), verified=False),
    NetCarTResearch(
        name="Anti-SSTR CAR-T (octreotide-based)", target="somatostatin receptors 2 and 5 (SSTR2/5)",
        construct="second-generation ligand-based CAR with octreotide in the extracellular domain and "
                  "CD28 costimulation",
        stage="preclinical", trial_ids=(),
        finding="Killed SSTR-positive NET cell lines specifically (not CRISPR SSTR2/5 mutants) and had "
                "antitumour activity in NSG xenografts without obvious brain or pancreas toxicity.",
        citations=("mandriani2022sstr",), verified=True),
)

# (statement, citation keys).  The trafficking item is supported by the reviews' scope (barriers
# of CAR-T in solid tumours), not by a passage read in full.
CAR_T_BARRIERS_IN_SOLID_TUMOURS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("Few surface antigens are confined to tumour cells; antigens shared with normal tissue risk "
     "on-target, off-tumour toxicity.", ("qu2022cart", "feng2022cdh17")),
    ("Antigen expression varies within and between tumours, and antigen loss lets tumours escape.",
     ("qu2022cart",)),
    ("An immunosuppressive tumour microenvironment blunts CAR-T activation and persistence.",
     ("qu2022cart", "golounina2025cart")),
    ("CAR-T cells reach and penetrate solid tumour masses poorly.", ("golounina2025cart",)),
    ("Treatment-related toxicity must be weighed against benefit that is unproven in solid tumours.",
     ("qu2022cart", "lee2019astct")),
)

# The guideline's qualitative statement; the ~0.8 mutations/Mb figure for pancreatic NETs could not be
# verified against Scarpa et al. and is therefore not stored.
NET_TUMOUR_MUTATIONAL_BURDEN: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("Well-differentiated NETs generally have a low tumour mutational burden (few neoantigens), which "
     "may limit responses to immunotherapy.", ("scarpa2017",)),
)

CAR_T_TOXICITY_REASONS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("Cytokine release syndrome: fever with possible hypotension and hypoxia, which can be "
     "life-threatening (graded with crs_grade).", ("lee2019astct",)),
    ("Immune effector cell-associated neurotoxicity syndrome: encephalopathy, depressed consciousness, "
     "seizures, motor weakness and cerebral oedema (graded with ice_score and icans_grade).",
     ("lee2019astct",)),
)

CAR_T_POSITION = (
    "No CAR-T product is FDA-approved for any solid tumour, and none is approved anywhere for any "
    "neuroendocrine tumour; CAR-T therapy for NETs belongs only in clinical trials.")
CAR_T_POSITION_CITATIONS = ("fda2024cgtproducts", "qi2025satricel")

# Why CAR-T is not a treatment option for NETs outside a trial: the approval status first, then the
# barriers, the tumour biology and the toxicity.
CAR_T_APPROVAL_STATUS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("Every FDA-approved CAR-T product targets CD19 or BCMA and is approved only for blood cancers.",
     ("fda2024cgtproducts",)),
    ("The only CAR-T reported as approved for a solid tumour, satri-cel (NMPA, China, 2026; the approval is "
     "not verified against an NMPA document), treats Claudin 18.2-positive gastric cancer, not a NET, and "
     "is not FDA-approved.", ("qi2025satricel",)),
    ("CAR-T for NETs is preclinical (CDH17, SSTR2/5) or in a phase 1/2 trial (CHM-2101, NCT06055439), "
     "with no efficacy data in patients yet.",
     ("feng2022cdh17", "mandriani2022sstr", "nct06055439")),
)


def car_t_reasons() -> tuple[tuple[str, tuple[str, ...]], ...]:
    """All (statement, citation keys) pairs behind ``CAR_T_POSITION``, in reading order."""
    return (CAR_T_APPROVAL_STATUS + CAR_T_BARRIERS_IN_SOLID_TUMOURS + NET_TUMOUR_MUTATIONAL_BURDEN
            + CAR_T_TOXICITY_REASONS)
