"""The guideline's decision algorithm as cited decision tables, and ``recommend(patient)``.

The rules are data (:data:`RULES`): each row has a stable id, its conditions on
derived facts, the option it recommends or excludes, a preference tier, an
evidence level, a one-line rationale and citation keys.  ``recommend`` derives
the facts with the calculators (grade, SSTR status, renal function, PRRT
eligibility, growth rate), runs every row, and returns the ranked options, the
statements that always apply, what is missing and how to get it, and the full
trace.

CAR-T is never a recommended treatment: it appears only inside the clinical-trial
item, with the reasons, and as an explicit exclusion (``car_t_off_trial``).

Standard library only.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any, Mapping

from . import cart, therapies
from .grading import lung_carcinoid, who_gep_grade
from .imaging import SUFFICIENT as SSTR_SUFFICIENT
from .imaging import krenning_score as krenning_calculator
from .inputs import Field, Form, InputError, Rule, boolean, choice, integer, number
from .prrt import _karnofsky_in_steps_of_ten, prrt_eligibility
from .renal import cockcroft_gault
from .response import tumour_growth_rate

RULESET_VERSION = "2026.11-4"

# Preference tiers, best first (NCCN wording).
PREFERRED = "preferred"
OTHER = "other recommended"
CERTAIN = "useful in certain circumstances"
NOT_RECOMMENDED = "not recommended"
TIERS = (PREFERRED, OTHER, CERTAIN, NOT_RECOMMENDED)
_TIER_RANK = {tier: rank for rank, tier in enumerate(TIERS)}

# Evidence levels used in the tables.
EVIDENCE_RCT = "high: randomised phase 3 trial"
EVIDENCE_RCT_SUBGROUP = "moderate: phase 3 trial in a related population"
EVIDENCE_NONRANDOMISED = "low: non-randomised series"
EVIDENCE_CONSENSUS = "consensus: guideline recommendation without randomised evidence"

SITES = {
    "pancreas": "Pancreas",
    "small_intestine": "Small intestine (midgut)",
    "lung_thymus": "Lung or thymus",
    "stomach": "Stomach",
    "duodenum": "Duodenum",
    "appendix": "Appendix",
    "colorectum": "Colon or rectum",
    "unknown_primary": "Unknown primary",
}
GASTROINTESTINAL_NON_PANCREATIC = ("small_intestine", "stomach", "duodenum", "appendix", "colorectum",
                                   "unknown_primary")
PRIOR_THERAPY_FIELDS = ("prior_ssa", "prior_everolimus", "prior_sunitinib", "prior_prrt",
                        "prior_chemotherapy", "prior_liver_directed_therapy")

_GEP = who_gep_grade.calculator.form.by_name
_LUNG = lung_carcinoid.calculator.form.by_name
_RENAL = cockcroft_gault.calculator.form.by_name
_PRRT = prrt_eligibility.calculator.form.by_name
_TGR = tumour_growth_rate.calculator.form.by_name


def _optional(field: Field) -> Field:
    """The same declaration, optional: the guideline can still speak without the value."""
    return field if not field.required else dataclasses.replace(field, required=False)


# ---------------------------------------------------------------------------------------------
# The patient record: declared with the same machinery as the calculators; the clinical fields
# reuse the calculators' own declarations so that ranges and units live in one place.
# ---------------------------------------------------------------------------------------------

def _patient_fields() -> tuple[Field, ...]:
    return (
        choice("primary_site", "Primary site", SITES, required=False,
               help="Where the primary tumour arises; 'unknown primary' if not found."),
        _optional(_GEP["differentiation"]),
        _optional(_GEP["ki67_percent"]),
        _optional(_GEP["mitoses_per_2mm2"]),
        _optional(_LUNG["necrosis"]),
        choice("stated_grade", "Grade as reported", {"G1": "G1", "G2": "G2", "G3": "G3"}, required=False,
               help="Use when the Ki-67 index and mitotic count are not available; it must agree with "
                    "them when they are."),
        choice("extent", "Extent of disease", {"localised": "Localised", "locoregional": "Locoregional",
                                              "metastatic": "Metastatic"}, required=False),
        boolean("resectable", "Resectable with curative intent", required=False,
                help="Judged by a NET-experienced surgeon on cross-sectional imaging."),
        boolean("liver_predominant", "Liver-predominant disease", required=False),
        choice("tumour_burden", "Tumour burden", {"low": "Low", "high": "High"}, required=False,
               help="High: bulky disease, or liver involvement above about a quarter of the liver."),
        choice("sstr_imaging", "Somatostatin-receptor imaging",
               {"not_done": "Not done", "planar": "Planar scintigraphy", "spect": "SPECT",
                "pet": "SSTR PET (68Ga/64Cu-DOTA peptide)"}, required=False),
        _optional(krenning_calculator.calculator.form.by_name["krenning_score"]),
        boolean("carcinoid_syndrome", "Carcinoid syndrome", required=False),
        boolean("refractory_syndrome_diarrhoea", "Carcinoid-syndrome diarrhoea despite an SSA", required=False,
                help="Four or more bowel movements a day despite a somatostatin analogue."),
        boolean("other_hormonal_syndrome", "Other hormonal syndrome", required=False,
                help="For example insulinoma, gastrinoma, VIPoma, glucagonoma."),
        choice("disease_status", "Disease status",
               {"newly_diagnosed": "Newly diagnosed", "stable": "Stable", "progressive": "Progressive"},
               required=False),
        choice("recist_response", "Latest RECIST 1.1 response", ("CR", "PR", "SD", "PD"), required=False),
        _optional(_TGR["sum_diameters_baseline_mm"]),
        _optional(_TGR["sum_diameters_current_mm"]),
        _optional(_TGR["interval_months"]),
        boolean("prior_ssa", "Prior somatostatin analogue", required=False),
        boolean("prior_everolimus", "Prior everolimus", required=False),
        boolean("prior_sunitinib", "Prior sunitinib", required=False),
        boolean("prior_prrt", "Prior PRRT", required=False),
        boolean("prior_chemotherapy", "Prior chemotherapy", required=False),
        boolean("prior_liver_directed_therapy", "Prior liver-directed therapy", required=False),
        integer("ecog", "ECOG performance status", "", 0, 4, required=False),
        _optional(_PRRT["karnofsky_percent"]),
        _optional(_RENAL["age_years"]),
        _optional(_RENAL["sex"]),
        _optional(_RENAL["weight_kg"]),
        _optional(_RENAL["creatinine_mg_dl"]),
        _optional(_RENAL["creatinine_umol_l"]),
        _optional(_PRRT["haemoglobin_g_dl"]),
        _optional(_PRRT["wbc_10e9_l"]),
        _optional(_PRRT["platelets_10e9_l"]),
        _optional(_PRRT["bilirubin_x_uln"]),
        _optional(_PRRT["albumin_g_dl"]),
        _optional(_PRRT["prothrombin_time_normal"]),
        boolean("clinical_trial_available", "A suitable clinical trial is available", required=False),
    )


def _rule_sstr_score() -> Rule:
    def check(values):
        imaging, score = values["sstr_imaging"], values["krenning_score"]
        if score is not None and imaging in (None, "not_done"):
            return InputError("sstr_imaging", imaging, "planar, spect or pet when a Krenning score is given",
                              f"krenning_score {score} was given but sstr_imaging is "
                              f"{imaging or 'not given'}; say which imaging produced it")
        return None

    return Rule(("sstr_imaging", "krenning_score"), "a Krenning score needs the imaging that produced it", check)


def _rule_one_creatinine() -> Rule:
    def check(values):
        if values["creatinine_mg_dl"] is not None and values["creatinine_umol_l"] is not None:
            return InputError("creatinine_umol_l", values["creatinine_umol_l"],
                              "at most one of creatinine_mg_dl or creatinine_umol_l",
                              "give creatinine in mg/dL or in µmol/L, not both")
        return None

    return Rule(("creatinine_mg_dl", "creatinine_umol_l"), "creatinine in one unit only", check)


def _rule_tgr_complete() -> Rule:
    names = ("sum_diameters_baseline_mm", "sum_diameters_current_mm", "interval_months")

    def check(values):
        given = [n for n in names if values[n] is not None]
        if 0 < len(given) < len(names):
            missing = [n for n in names if values[n] is None]
            return InputError(missing[0], None, "all three growth-rate inputs or none",
                              f"tumour growth rate needs {', '.join(names)}; missing {', '.join(missing)}")
        return None

    return Rule(names, "growth-rate inputs come together", check)


def _rule_recist_status() -> Rule:
    def check(values):
        recist, status = values["recist_response"], values["disease_status"]
        if recist == "PD" and status in ("stable", "newly_diagnosed"):
            return InputError("disease_status", status, "progressive when the RECIST response is PD",
                              f"disease_status is {status} but recist_response is PD; they contradict")
        if recist in ("CR", "PR", "SD") and status == "progressive":
            return InputError("disease_status", status, f"not progressive when the RECIST response is {recist}",
                              f"disease_status is progressive but recist_response is {recist}; "
                              "they contradict")
        return None

    return Rule(("recist_response", "disease_status"), "RECIST response and disease status agree", check)


def _rule_refractory_needs_syndrome() -> Rule:
    def check(values):
        if values["refractory_syndrome_diarrhoea"] is True and values["carcinoid_syndrome"] is False:
            return InputError("refractory_syndrome_diarrhoea", True,
                              "false, or carcinoid_syndrome true or not given",
                              "refractory_syndrome_diarrhoea is true but carcinoid_syndrome is false; "
                              "refractory carcinoid-syndrome diarrhoea is carcinoid syndrome")
        return None

    return Rule(("refractory_syndrome_diarrhoea", "carcinoid_syndrome"),
                "refractory carcinoid-syndrome diarrhoea implies carcinoid syndrome", check)


# The PRRT calculator's own Karnofsky rule (scored in steps of 10): declared here too, so the patient
# form refuses what the calculator would refuse, and derive_facts may call the calculators unvalidated.
PATIENT_FORM = Form(_patient_fields(), (_rule_sstr_score(), _rule_one_creatinine(), _rule_tgr_complete(),
                                       _rule_recist_status(), _rule_refractory_needs_syndrome(),
                                       _karnofsky_in_steps_of_ten()))


def patient_schema() -> dict:
    schema = PATIENT_FORM.schema(title="Patient", description="Inputs for recommend(); every field optional.")
    schema["$id"] = "netlib:pathway/patient"
    return schema


# ---------------------------------------------------------------------------------------------
# Facts derived with the calculators.
# ---------------------------------------------------------------------------------------------

_GRADE_FROM_CATEGORY = {"NET G1": "G1", "NET G2": "G2", "NET G3": "G3", "NEC": "NEC"}
_MODALITY = {"planar": "planar_scintigraphy", "spect": "spect", "pet": "sstr_pet"}


def _validation_key(field: Field) -> tuple:
    """What validation reads from a declaration (labels, help and sources aside)."""
    return (field.kind, field.minimum, field.maximum, field.exclusive_minimum, field.exclusive_maximum,
            field.choices)


def _unvalidated(function, derived: Mapping[str, Any]):
    """The calculator's pure function when every input derive_facts passes it is already valid.

    Patient fields must carry the very declaration the calculator uses (PATIENT_FORM validated them);
    ``derived`` maps each other input to a check that the values derive_facts computes for it are
    accepted.  If a declaration drifts, the validated call is kept, so behaviour never changes.
    """
    for field in function.calculator.fields:
        ours = PATIENT_FORM.by_name.get(field.name)
        if ours is not None:
            if _validation_key(ours) != _validation_key(field):
                return function
        elif field.name not in derived or not derived[field.name](field):
            return function
    return function.raw


def _accepts_modalities(field: Field) -> bool:
    return set(_MODALITY.values()) <= set(field.choices)


def _accepts_any_positive_number(field: Field) -> bool:
    # A Cockcroft-Gault clearance from validated inputs is a positive, finite number of mL/min.
    return field.kind == "number" and field.maximum is None and (field.minimum is None or field.minimum <= 0)


# derive_facts meets each calculator's own cross-field rules by construction: WHO grading of a
# well-differentiated tumour only with Ki-67 or mitoses; lung typing only with mitoses and necrosis;
# Cockcroft-Gault only with exactly one creatinine (PATIENT_FORM allows at most one) and age, sex and
# weight; growth rate only with all three inputs (PATIENT_FORM rule); PRRT with at most one creatinine
# and Karnofsky in steps of 10 (PATIENT_FORM rules).  So the second validation can be skipped.
_who_gep_grade = _unvalidated(who_gep_grade, {})
_lung_carcinoid = _unvalidated(lung_carcinoid, {})
_krenning = _unvalidated(krenning_calculator, {"modality": _accepts_modalities})
_tumour_growth_rate = _unvalidated(tumour_growth_rate, {})
_cockcroft_gault = _unvalidated(cockcroft_gault, {})
_prrt_eligibility = _unvalidated(prrt_eligibility, {"sstr_modality": _accepts_modalities,
                                                     "creatinine_clearance_ml_min": _accepts_any_positive_number})
_LUNG_GRADE = {"typical carcinoid": "G1", "atypical carcinoid": "G2"}


def derive_facts(patient: Mapping[str, Any]) -> dict[str, Any]:
    """Facts the rules read: the patient's own values plus what the calculators derive.

    ``patient`` is a mapping validated by :data:`PATIENT_FORM` (every field present, None when not
    given), as :func:`recommend` passes it.
    """
    facts: dict[str, Any] = dict(patient)
    site = patient["primary_site"]
    differentiation = patient["differentiation"]
    ki67, mitoses = patient["ki67_percent"], patient["mitoses_per_2mm2"]
    computed_grade = None
    grade_source = None

    if differentiation == "poor":
        computed_grade, grade_source = "NEC", "who_gep_grade"
        facts["grade_result"] = _who_gep_grade(differentiation="poor", ki67_percent=ki67,
                                               mitoses_per_2mm2=mitoses)
    elif site == "lung_thymus" and mitoses is not None and patient["necrosis"] is not None:
        result = _lung_carcinoid(morphology="carcinoid", mitoses_per_2mm2=mitoses, necrosis=patient["necrosis"],
                                 ki67_percent=ki67)
        facts["grade_result"] = result
        computed_grade = _LUNG_GRADE.get(result.category, "G3")
        grade_source = "lung_carcinoid"
    elif site != "lung_thymus" and differentiation == "well" and (ki67 is not None or mitoses is not None):
        result = _who_gep_grade(differentiation="well", ki67_percent=ki67, mitoses_per_2mm2=mitoses)
        facts["grade_result"] = result
        computed_grade, grade_source = _GRADE_FROM_CATEGORY[result.category], "who_gep_grade"
    else:
        facts["grade_result"] = None

    stated = patient["stated_grade"]
    if computed_grade is not None and stated is not None and computed_grade != stated:
        raise InputError("stated_grade", stated, f"{computed_grade} (as computed from the inputs) or nothing",
                         f"stated_grade {stated} contradicts the grade computed from the inputs "
                         f"({computed_grade} by {grade_source})")
    facts["grade"] = computed_grade or stated
    facts["grade_source"] = grade_source or ("stated" if stated else None)

    extent, resectable = patient["extent"], patient["resectable"]
    facts["advanced"] = extent == "metastatic" or (extent in ("localised", "locoregional") and resectable is False)
    facts["localised_resectable"] = extent in ("localised", "locoregional") and resectable is not False

    imaging, score = patient["sstr_imaging"], patient["krenning_score"]
    if imaging is None or imaging == "not_done" or score is None:
        facts["sstr_status"] = "unknown"
        facts["sstr_result"] = None
    else:
        sstr = _krenning(krenning_score=score, modality=_MODALITY[imaging])
        facts["sstr_result"] = sstr
        facts["sstr_status"] = "positive" if sstr.category == SSTR_SUFFICIENT else "negative"

    status = patient["disease_status"]
    if status is None and patient["recist_response"] == "PD":
        status = "progressive"
    facts["status"] = status
    facts["progressive"] = status == "progressive"

    if patient["sum_diameters_baseline_mm"] is not None:
        tgr = _tumour_growth_rate(sum_diameters_baseline_mm=patient["sum_diameters_baseline_mm"],
                                  sum_diameters_current_mm=patient["sum_diameters_current_mm"],
                                  interval_months=patient["interval_months"])
        facts["tgr_result"], facts["tgr_category"] = tgr, tgr.category
    else:
        facts["tgr_result"], facts["tgr_category"] = None, None

    creatinine = {k: patient[k] for k in ("creatinine_mg_dl", "creatinine_umol_l") if patient[k] is not None}
    if creatinine and all(patient[k] is not None for k in ("age_years", "sex", "weight_kg")):
        crcl = _cockcroft_gault(age_years=patient["age_years"], sex=patient["sex"],
                                weight_kg=patient["weight_kg"], **creatinine)
        facts["renal_result"], facts["creatinine_clearance_ml_min"] = crcl, crcl.value
    else:
        facts["renal_result"], facts["creatinine_clearance_ml_min"] = None, None

    prrt = _prrt_eligibility(
        differentiation=differentiation, ki67_percent=ki67,
        krenning_score=score if facts["sstr_result"] is not None else None,
        sstr_modality=_MODALITY[imaging] if facts["sstr_result"] is not None else None,
        karnofsky_percent=patient["karnofsky_percent"],
        creatinine_clearance_ml_min=facts["creatinine_clearance_ml_min"],
        **creatinine,
        haemoglobin_g_dl=patient["haemoglobin_g_dl"], wbc_10e9_l=patient["wbc_10e9_l"],
        platelets_10e9_l=patient["platelets_10e9_l"], bilirubin_x_uln=patient["bilirubin_x_uln"],
        albumin_g_dl=patient["albumin_g_dl"], prothrombin_time_normal=patient["prothrombin_time_normal"])
    facts["prrt_result"] = prrt
    facts["prrt_eligibility"] = prrt.category
    facts["prior_systemic_non_ssa"] = any(
        patient[k] for k in ("prior_everolimus", "prior_sunitinib", "prior_prrt", "prior_chemotherapy"))
    # Refractory carcinoid-syndrome diarrhoea is a hormonal syndrome even when carcinoid_syndrome is blank.
    facts["symptomatic_syndrome"] = bool(patient["carcinoid_syndrome"] or patient["other_hormonal_syndrome"]
                                         or patient["refractory_syndrome_diarrhoea"])
    return facts


# ---------------------------------------------------------------------------------------------
# Decision tables.
# ---------------------------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class Condition:
    fact: str
    operator: str  # "is", "in", "not in", "is not"
    value: Any

    def holds(self, facts: Mapping[str, Any]) -> bool:
        actual = facts.get(self.fact)
        op = self.operator
        if op == "is":
            return actual == self.value
        if op == "is not":
            return actual != self.value
        if op == "in":
            return actual in self.value
        if op == "not in":
            return actual not in self.value
        raise AssertionError(f"unknown operator {op!r}")  # a table bug, caught by the tests

    def text(self) -> str:
        value = self.value
        if isinstance(value, tuple):
            value = "{" + ", ".join(str(v) for v in value) + "}"
        return f"{self.fact} {self.operator} {value}"


def when(fact: str, operator: str, value: Any) -> Condition:
    return Condition(fact, operator, value)


@dataclass(frozen=True, slots=True)
class DecisionRule:
    id: str
    table: str
    conditions: tuple[Condition, ...]
    option: str | None
    tier: str
    evidence: str
    rationale: str
    citations: tuple[str, ...]


TABLES = {
    "localised": "Localised disease",
    "advanced": "Unresectable or metastatic disease, first line",
    "syndrome": "Hormonal syndromes",
    "progressive": "Progressive disease",
    "trials": "Clinical trials",
    "exclusions": "Exclusions (apply to every patient)",
}


def _rule(id: str, table: str, conditions, option, tier, evidence, rationale, citations) -> DecisionRule:
    return DecisionRule(id, table, tuple(conditions), option, tier, evidence, rationale, tuple(citations))


ADVANCED_LOW_GRADE = (when("advanced", "is", True), when("grade", "in", ("G1", "G2")))
PROGRESSIVE_LOW_GRADE = ADVANCED_LOW_GRADE + (when("progressive", "is", True),)
_ESMO = "pavel2020esmo"
_NCCN = "nccn2025net"

RULES: tuple[DecisionRule, ...] = (
    # Localised disease: the seed guideline's first-line option.
    _rule("LOC-01", "localised", (when("localised_resectable", "is", True), when("grade", "in", ("G1", "G2"))),
          "surgical_resection", PREFERRED, EVIDENCE_CONSENSUS,
          "Localised, resectable low-grade NET: resection with curative intent is the treatment of choice.",
          (_ESMO, _NCCN)),
    _rule("LOC-02", "localised", (when("extent", "is", "metastatic"), when("resectable", "is", True),
                                  when("grade", "in", ("G1", "G2"))),
          "surgical_resection", CERTAIN, EVIDENCE_NONRANDOMISED,
          "Metastatic disease judged completely (or near-completely) resectable: surgery of the primary and "
          "metastases may be considered by an experienced team.", (_ESMO,)),
    # First line for unresectable or metastatic disease.
    _rule("ADV-01", "advanced", ADVANCED_LOW_GRADE + (when("sstr_status", "is", "positive"),
                                                      when("progressive", "is", False),
                                                      when("prior_ssa", "is not", True)),
          "ssa", PREFERRED, EVIDENCE_RCT,
          "SSTR-positive unresectable G1/G2 NET: a somatostatin analogue controls growth (PROMID, CLARINET).",
          ("rinke2009promid", "caplin2014clarinet", _ESMO)),
    # Watch and wait needs disease known to be stable (or just diagnosed) and known to be asymptomatic:
    # an unknown status or carcinoid-syndrome history is asked for, not assumed (ESMO 2020).
    _rule("ADV-02", "advanced", ADVANCED_LOW_GRADE + (when("grade", "is", "G1"), when("tumour_burden", "is", "low"),
                                                      when("status", "in", ("newly_diagnosed", "stable")),
                                                      when("carcinoid_syndrome", "is", False),
                                                      when("symptomatic_syndrome", "is", False)),
          "surveillance", OTHER, EVIDENCE_CONSENSUS,
          "Asymptomatic, low-burden, non-progressive G1 disease: active surveillance with imaging is an "
          "alternative to starting an SSA.", (_ESMO, _NCCN)),
    _rule("ADV-03", "advanced", PROGRESSIVE_LOW_GRADE + (when("sstr_status", "is", "positive"),
                                                         when("prior_ssa", "is not", True)),
          "ssa", PREFERRED, EVIDENCE_RCT,
          "Progressive SSTR-positive G1/G2 disease not yet on an SSA: start a somatostatin analogue first.",
          ("rinke2009promid", "caplin2014clarinet", _ESMO)),
    _rule("ADV-04", "advanced", ADVANCED_LOW_GRADE + (when("sstr_status", "is", "positive"),
                                                      when("progressive", "is", False),
                                                      when("prior_ssa", "is", True)),
          "ssa", PREFERRED, EVIDENCE_RCT,
          "Stable SSTR-positive G1/G2 disease already on a somatostatin analogue: continue it until "
          "progression (PROMID, CLARINET).",
          ("rinke2009promid", "caplin2014clarinet", _ESMO)),
    # Hormonal syndromes.
    _rule("SYN-01", "syndrome", (when("carcinoid_syndrome", "is", True), when("grade", "in", ("G1", "G2"))),
          "ssa", PREFERRED, EVIDENCE_RCT_SUBGROUP,
          "Carcinoid syndrome: a somatostatin analogue controls flushing and diarrhoea; continue it through "
          "later lines.", (_ESMO, _NCCN)),
    _rule("SYN-02", "syndrome", (when("refractory_syndrome_diarrhoea", "is", True),),
          "telotristat_ethyl", OTHER, EVIDENCE_RCT,
          "Carcinoid-syndrome diarrhoea despite an SSA: add telotristat ethyl (TELESTAR).",
          ("kulke2017telestar", _ESMO)),
    # Progressive disease.
    _rule("PRG-01", "progressive", PROGRESSIVE_LOW_GRADE + (when("primary_site", "is", "small_intestine"),
                                                            when("sstr_status", "is", "positive"),
                                                            when("prior_ssa", "is", True),
                                                            when("prrt_eligibility", "not in", ("not eligible",))),
          "prrt_lu177_dotatate", PREFERRED, EVIDENCE_RCT,
          "Midgut NET progressing on an SSA with sufficient SSTR uptake: 177Lu-dotatate (NETTER-1).",
          ("strosberg2017netter1", _ESMO, "lamarca2024enets")),
    _rule("PRG-02", "progressive", PROGRESSIVE_LOW_GRADE + (
          when("primary_site", "in", ("pancreas", "stomach", "duodenum", "appendix", "colorectum",
                                      "unknown_primary")),
          when("sstr_status", "is", "positive"), when("prior_ssa", "is", True),
          when("prrt_eligibility", "not in", ("not eligible",))),
          "prrt_lu177_dotatate", OTHER, EVIDENCE_RCT_SUBGROUP,
          "Non-midgut GEP-NET progressing on an SSA with sufficient SSTR uptake: 177Lu-dotatate is an option "
          "(approved for SSTR-positive GEP-NETs; NETTER-1 enrolled midgut tumours).",
          ("strosberg2017netter1", _ESMO)),
    _rule("PRG-03", "progressive", PROGRESSIVE_LOW_GRADE + (when("primary_site", "is", "lung_thymus"),
                                                            when("sstr_status", "is", "positive"),
                                                            when("prrt_eligibility", "not in", ("not eligible",))),
          "prrt_lu177_dotatate", CERTAIN, EVIDENCE_NONRANDOMISED,
          "Progressive SSTR-positive lung or thymic carcinoid: PRRT may be considered (no randomised data).",
          ("baudin2021esmolung",)),
    _rule("PRG-04", "progressive", PROGRESSIVE_LOW_GRADE + (when("primary_site", "is", "pancreas"),),
          "everolimus", PREFERRED, EVIDENCE_RCT,
          "Progressive pancreatic NET: everolimus prolongs progression-free survival (RADIANT-3).",
          ("yao2011radiant3", _ESMO, "kos-kudla2023enets")),
    _rule("PRG-05", "progressive", PROGRESSIVE_LOW_GRADE + (when("primary_site", "is", "pancreas"),),
          "sunitinib", PREFERRED, EVIDENCE_RCT,
          "Progressive pancreatic NET: sunitinib prolongs progression-free survival (phase 3, pNET only).",
          ("raymond2011sunitinib", _ESMO, "kos-kudla2023enets")),
    _rule("PRG-06", "progressive", PROGRESSIVE_LOW_GRADE + (
          when("primary_site", "in", GASTROINTESTINAL_NON_PANCREATIC + ("lung_thymus",)),
          when("carcinoid_syndrome", "is not", True)),
          "everolimus", OTHER, EVIDENCE_RCT,
          "Progressive non-functioning lung or gastrointestinal NET: everolimus (RADIANT-4).",
          ("yao2016radiant4", _ESMO)),
    _rule("PRG-07", "progressive", PROGRESSIVE_LOW_GRADE + (when("primary_site", "is", "pancreas"),),
          "capecitabine_temozolomide", OTHER, EVIDENCE_RCT,
          "Progressive pancreatic NET, above all when a response is needed (bulky or symptomatic disease, "
          "higher Ki-67): capecitabine-temozolomide (E2211).",
          ("kunz2023e2211", _ESMO, "kos-kudla2023enets")),
    _rule("PRG-08", "progressive", PROGRESSIVE_LOW_GRADE + (when("primary_site", "is", "pancreas"),),
          "streptozocin_5fu", OTHER, EVIDENCE_NONRANDOMISED,
          "Progressive pancreatic NET: streptozocin-based chemotherapy is an established alternative.",
          (_ESMO, "kos-kudla2023enets")),
    _rule("PRG-09", "progressive", PROGRESSIVE_LOW_GRADE + (when("primary_site", "is", "lung_thymus"),
                                                            when("grade", "is", "G2")),
          "capecitabine_temozolomide", CERTAIN, EVIDENCE_NONRANDOMISED,
          "Progressive atypical lung carcinoid: temozolomide-based chemotherapy may be considered.",
          ("baudin2021esmolung",)),
    _rule("PRG-10", "progressive", PROGRESSIVE_LOW_GRADE + (when("prior_systemic_non_ssa", "is", True),),
          "cabozantinib", OTHER, EVIDENCE_RCT,
          "Progressive NET after prior systemic therapy: cabozantinib prolongs progression-free survival "
          "(CABINET, pancreatic and extrapancreatic cohorts).", ("chan2025cabinet",)),
    _rule("PRG-11", "progressive", PROGRESSIVE_LOW_GRADE + (when("liver_predominant", "is", True),),
          "liver_directed_therapy", OTHER, EVIDENCE_NONRANDOMISED,
          "Progressive liver-predominant disease: liver-directed therapy (resection, ablation, "
          "transarterial embolisation or radioembolisation).", (_ESMO, _NCCN)),
    _rule("PRG-12", "progressive", (when("advanced", "is", True), when("grade", "in", ("G1", "G2")),
                                   when("liver_predominant", "is", True), when("symptomatic_syndrome", "is", True),
                                   when("progressive", "is", False)),
          "liver_directed_therapy", CERTAIN, EVIDENCE_NONRANDOMISED,
          "Liver-predominant disease with a hormonal syndrome not controlled otherwise: liver-directed therapy "
          "can reduce hormone output.", (_ESMO,)),
    # Clinical trials: the only place CAR-T appears.
    _rule("TRL-01", "trials", (when("advanced", "is", True), when("grade", "in", ("G1", "G2")),
                               when("clinical_trial_available", "is", True)),
          "clinical_trial_referral", OTHER, EVIDENCE_CONSENSUS,
          "A suitable clinical trial is available: offer enrolment (including emerging immunotherapy such as "
          "CAR-T, which belongs only in trials).", (_NCCN, _ESMO)),
    _rule("TRL-02", "trials", PROGRESSIVE_LOW_GRADE + (when("clinical_trial_available", "is not", True),),
          "clinical_trial_referral", CERTAIN, EVIDENCE_CONSENSUS,
          "Progressive disease: ask a NET centre about clinical trials at every line of treatment.",
          (_NCCN, _ESMO)),
    # Exclusions: every patient; an exclusion removes the option from the recommendations.
    _rule("EXC-01", "exclusions", (), "car_t_off_trial", NOT_RECOMMENDED, EVIDENCE_CONSENSUS,
          "CAR-T outside a clinical trial: no CAR-T product is approved for any NET; investigational only.",
          ("lee2019astct", "feng2022cdh17", "mandriani2022sstr")),
    _rule("EXC-02", "exclusions", (when("primary_site", "not in", ("pancreas",)),), "sunitinib",
          NOT_RECOMMENDED, EVIDENCE_RCT,
          "Sunitinib was shown effective in pancreatic NETs only.", ("raymond2011sunitinib", _ESMO)),
    _rule("EXC-03", "exclusions", (when("sstr_status", "is", "negative"),), "prrt_lu177_dotatate",
          NOT_RECOMMENDED, EVIDENCE_RCT,
          "PRRT needs sufficient somatostatin-receptor uptake in all target lesions.",
          ("strosberg2017netter1", "hope2020prrt")),
    _rule("EXC-04", "exclusions", (when("prrt_eligibility", "is", "not eligible"),), "prrt_lu177_dotatate",
          NOT_RECOMMENDED, EVIDENCE_RCT,
          "PRRT: one or more NETTER-1 eligibility criteria are not met.", ("strosberg2017netter1",)),
    _rule("EXC-05", "exclusions", (when("primary_site", "is", "small_intestine"),), "capecitabine_temozolomide",
          NOT_RECOMMENDED, EVIDENCE_CONSENSUS,
          "Systemic chemotherapy has little activity in small-intestinal (midgut) NETs.",
          (_ESMO, "lamarca2024enets")),
    _rule("EXC-06", "exclusions", (when("primary_site", "is", "small_intestine"),), "streptozocin_5fu",
          NOT_RECOMMENDED, EVIDENCE_CONSENSUS,
          "Streptozocin-based chemotherapy is for pancreatic NETs; it has little activity in midgut NETs.",
          (_ESMO, "lamarca2024enets")),
    _rule("EXC-07", "exclusions", (when("grade", "is", "G1"), when("progressive", "is", False),
                                   when("tumour_burden", "is", "low")), "capecitabine_temozolomide",
          NOT_RECOMMENDED, EVIDENCE_CONSENSUS,
          "Stable, low-burden G1 disease: chemotherapy is not indicated.", (_ESMO,)),
    _rule("EXC-08", "exclusions", (when("grade", "is", "G1"), when("progressive", "is", False),
                                   when("tumour_burden", "is", "low")), "streptozocin_5fu",
          NOT_RECOMMENDED, EVIDENCE_CONSENSUS,
          "Stable, low-burden G1 disease: chemotherapy is not indicated.", (_ESMO,)),
    _rule("EXC-09", "exclusions", (), "immune_checkpoint_inhibitor_monotherapy", NOT_RECOMMENDED,
          EVIDENCE_CONSENSUS,
          "Low tumour mutational burden: checkpoint-inhibitor monotherapy has shown little activity in "
          "low-grade NETs.", ("scarpa2017",)),
)

ALWAYS = (
    ("Discuss every patient at a multidisciplinary NET tumour board.", (_ESMO, _NCCN)),
    ("Treatment decisions are individual: primary site, grade, SSTR status, burden, symptoms, growth rate "
     "and the patient's wishes all matter.", (_ESMO,)),
)


# ---------------------------------------------------------------------------------------------
# The result.
# ---------------------------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class Recommendation:
    option: str
    name: str
    tier: str
    evidence: str
    rationale: str
    rule_ids: tuple[str, ...]
    citations: tuple[str, ...]
    dose: str
    car_t_note: str | None = None

    def as_dict(self) -> dict:
        return {"option": self.option, "name": self.name, "tier": self.tier, "evidence": self.evidence,
                "rationale": self.rationale, "rule_ids": list(self.rule_ids), "citations": list(self.citations),
                "dose": self.dose, "car_t_note": self.car_t_note}


@dataclass(frozen=True, slots=True)
class Exclusion:
    option: str
    name: str
    rule_id: str
    reason: str
    citations: tuple[str, ...]

    def as_dict(self) -> dict:
        return {"option": self.option, "name": self.name, "rule_id": self.rule_id, "reason": self.reason,
                "citations": list(self.citations)}


@dataclass(frozen=True, slots=True)
class TraceEntry:
    rule_id: str
    fired: bool
    decided_by: str
    outcome: str

    def as_dict(self) -> dict:
        return {"rule_id": self.rule_id, "fired": self.fired, "decided_by": self.decided_by,
                "outcome": self.outcome}


@dataclass(frozen=True, slots=True)
class MissingItem:
    item: str
    how: str

    def as_dict(self) -> dict:
        return {"item": self.item, "how": self.how}


@dataclass(frozen=True)
class Recommendations:
    pathway: str
    redirect: str | None
    recommendations: tuple[Recommendation, ...]
    excluded: tuple[Exclusion, ...]
    always: tuple[tuple[str, tuple[str, ...]], ...]
    car_t: Mapping[str, Any]
    missing: tuple[MissingItem, ...]
    trace: tuple[TraceEntry, ...]
    facts: Mapping[str, Any]
    ruleset_version: str

    @property
    def options(self) -> tuple[str, ...]:
        return tuple(r.option for r in self.recommendations)

    def as_dict(self) -> dict:
        return {
            "pathway": self.pathway,
            "redirect": self.redirect,
            "recommendations": [r.as_dict() for r in self.recommendations],
            "excluded": [e.as_dict() for e in self.excluded],
            "always": [{"statement": s, "citations": list(c)} for s, c in self.always],
            "car_t": {"position": self.car_t["position"],
                      "reasons": [{"statement": r["statement"], "citations": list(r["citations"])}
                                  for r in self.car_t["reasons"]]},
            "missing": [m.as_dict() for m in self.missing],
            "trace": [t.as_dict() for t in self.trace],
            "facts": {k: v for k, v in self.facts.items() if not k.endswith("_result")},
            "derived": {k: (v.as_dict() if v is not None else None) for k, v in self.facts.items()
                        if k.endswith("_result")},
            "ruleset_version": self.ruleset_version,
        }


PATHWAY_LOW_GRADE = "low-grade NET"
PATHWAY_REDIRECTED = "redirected"
PATHWAY_INCOMPLETE = "needs diagnosis"

REDIRECT_NEC = ("Poorly differentiated neuroendocrine carcinoma (NEC) follows its own pathway (platinum-based "
                "chemotherapy, as for small-cell carcinoma); this low-grade NET algorithm does not apply.")
REDIRECT_G3 = ("Well-differentiated NET G3 (or a carcinoid with an elevated mitotic count) is outside this "
               "low-grade pathway: discuss at a NET centre; options differ (e.g. capecitabine-temozolomide, "
               "PRRT up to the NETTER-2 Ki-67 range).")


def car_t_statement() -> dict[str, Any]:
    """The CAR-T position with its reasons, from the CAR-T data module."""
    return {
        "position": cart.CAR_T_POSITION,
        "reasons": [{"statement": s, "citations": list(c)} for s, c in cart.car_t_reasons()],
    }


# The same statement, read-only, built once and shared by every result (the data never changes).
_CAR_T = MappingProxyType({
    "position": cart.CAR_T_POSITION,
    "reasons": tuple(MappingProxyType({"statement": s, "citations": tuple(c)}) for s, c in cart.car_t_reasons()),
})


def _missing(facts: Mapping[str, Any]) -> list[MissingItem]:
    out: list[MissingItem] = []
    if facts["differentiation"] is None and facts["grade"] is None:
        out.append(MissingItem("differentiation and grade",
                               "Pathology review by a NET pathologist: differentiation, Ki-67 index (at least 500 "
                               "tumour cells in hot spots) and mitotic count per 2 mm²."))
    elif facts["grade"] is None:
        if facts["primary_site"] == "lung_thymus":
            out.append(MissingItem("lung carcinoid type", "Mitotic count per 2 mm² and necrosis (WHO 2021)."))
        else:
            out.append(MissingItem("grade", "Ki-67 index and/or mitotic count per 2 mm² (WHO 2019)."))
    if facts["primary_site"] is None:
        out.append(MissingItem("primary site", "Cross-sectional imaging, SSTR PET and endoscopy as needed."))
    elif facts["primary_site"] == "unknown_primary":
        out.append(MissingItem("primary site (unknown)", "SSTR PET/CT and, where appropriate, small-bowel "
                                                         "imaging or endoscopy to look for the primary."))
    if facts["extent"] is None:
        out.append(MissingItem("extent of disease", "Staging with contrast CT or MRI and SSTR PET/CT."))
    elif facts["extent"] in ("localised", "locoregional") and facts["resectable"] is None:
        out.append(MissingItem("resectability", "Review by a NET-experienced surgeon."))
    if facts["sstr_status"] == "unknown" and facts["grade"] in ("G1", "G2", None):
        out.append(MissingItem("somatostatin-receptor status",
                               "SSTR imaging not done or not scored: obtain 68Ga-DOTATATE PET/CT (Krenning score "
                               "vs liver) before considering PRRT or an SSA."))
    if facts["advanced"] and facts["status"] is None:
        out.append(MissingItem("disease status", "Compare serial CT/MRI (RECIST 1.1; tumour growth rate) to "
                                                 "establish stable or progressive disease."))
    if facts["advanced"] and facts["tumour_burden"] is None:
        out.append(MissingItem("tumour burden", "Estimate from imaging (including hepatic tumour load)."))
    if facts["progressive"] and facts["sstr_status"] == "positive" and facts["prrt_eligibility"] == "incomplete":
        missing = ", ".join(facts["prrt_result"].details["missing_criteria"])
        out.append(MissingItem("PRRT eligibility", f"Still needed for the NETTER-1 criteria: {missing}."))
    if facts["advanced"] and facts["carcinoid_syndrome"] is None:
        out.append(MissingItem("functional status", "Ask about flushing and diarrhoea; 24-hour urinary 5-HIAA."))
    return out


# ---------------------------------------------------------------------------------------------
# Running the tables.  The rules are compiled once into plain tuples (operator codes, the trace
# text of each condition, the constant trace entry and exclusion of each rule) so that one patient
# costs a few microseconds; results are identical to evaluating Condition.holds row by row.
# ---------------------------------------------------------------------------------------------

_IS, _IS_NOT, _IN, _NOT_IN = range(4)
_OPERATOR_CODES = {"is": _IS, "is not": _IS_NOT, "in": _IN, "not in": _NOT_IN}
# Trace entries for a failing condition are shared when the fact's value has an exact, stable repr.
_SHAREABLE_VALUE_TYPES = frozenset({bool, str, int, type(None)})
_SHARED_ENTRIES_LIMIT = 256


@dataclass(frozen=True, slots=True)
class _CompiledTables:
    rules: tuple[DecisionRule, ...]
    # Per rule: (rule, checks, trace entry when it fires, exclusion when it fires or None).
    # Per check: (fact, operator code, value, trace text up to the value, shared entries by value).
    rows: tuple[tuple[DecisionRule, tuple, TraceEntry, "Exclusion | None"], ...]
    order: Mapping[str, int]
    recommendations: dict  # supporting rule ids -> Recommendation (shared; frozen)


def _compile(rules: tuple[DecisionRule, ...]) -> _CompiledTables:
    rows = []
    for rule in rules:
        checks = []
        for condition in rule.conditions:
            code = _OPERATOR_CODES.get(condition.operator)
            if code is None:
                raise AssertionError(f"unknown operator {condition.operator!r} in rule {rule.id}")
            checks.append((condition.fact, code, condition.value,
                           f"{condition.text()} is false ({condition.fact} = ", {}))
        decided = "all conditions hold" if rule.conditions else "applies to every patient"
        if rule.tier == NOT_RECOMMENDED:
            outcome = f"excludes {rule.option}"
            exclusion = Exclusion(rule.option, therapies.name(rule.option), rule.id, rule.rationale,
                                  rule.citations)
        else:
            outcome, exclusion = f"{rule.option}: {rule.tier}", None
        rows.append((rule, tuple(checks), TraceEntry(rule.id, True, decided, outcome), exclusion))
    return _CompiledTables(rules, tuple(rows), MappingProxyType({r.id: i for i, r in enumerate(rules)}), {})


_compiled: _CompiledTables | None = None


def _tables() -> _CompiledTables:
    """The compiled RULES (recompiled if RULES is replaced, e.g. by a test)."""
    global _compiled
    if _compiled is None or _compiled.rules is not RULES:
        _compiled = _compile(RULES)
    return _compiled


def _failing_entry(rule: DecisionRule, prefix: str, shared: dict, actual: Any) -> TraceEntry:
    if actual.__class__ in _SHAREABLE_VALUE_TYPES:
        key = (actual.__class__, actual)
        entry = shared.get(key)
        if entry is None:
            entry = TraceEntry(rule.id, False, f"{prefix}{actual!r})", "not applied")
            if len(shared) < _SHARED_ENTRIES_LIMIT:
                shared[key] = entry
        return entry
    return TraceEntry(rule.id, False, f"{prefix}{actual!r})", "not applied")


def _evaluate(tables: _CompiledTables, facts: Mapping[str, Any]) -> tuple[list[TraceEntry], list[tuple]]:
    trace: list[TraceEntry] = []
    fired: list[tuple] = []
    get = facts.get
    for row in tables.rows:
        for fact, code, value, prefix, shared in row[1]:
            actual = get(fact)
            if code == _IS:
                holds = actual == value
            elif code == _IN:
                holds = actual in value
            elif code == _IS_NOT:
                holds = actual != value
            else:
                holds = actual not in value
            if not holds:
                # Inline fast path of _failing_entry: the shared entry for a common value.
                entry = shared.get((actual.__class__, actual)) if actual.__class__ in _SHAREABLE_VALUE_TYPES else None
                trace.append(entry or _failing_entry(row[0], prefix, shared, actual))
                break
        else:
            fired.append(row)
            trace.append(row[2])
    return trace, fired


def evaluate_rules(facts: Mapping[str, Any]) -> tuple[list[TraceEntry], list[DecisionRule]]:
    """Run every rule on the facts: the trace (one entry per rule, in table order) and the fired rules."""
    trace, fired = _evaluate(_tables(), facts)
    return trace, [row[0] for row in fired]


def _recommendation(option: str, rules: list[DecisionRule]) -> Recommendation:
    """One option's recommendation: the best tier among its supporting rules (the first on a tie)."""
    chosen = rules[0]
    keys: list[str] = []
    for rule in rules:
        if _TIER_RANK[rule.tier] < _TIER_RANK[chosen.tier]:
            chosen = rule
        keys.extend(k for k in rule.citations if k not in keys)
    note = _CAR_T["position"] if option == "clinical_trial_referral" else None
    return Recommendation(option, therapies.name(option), chosen.tier, chosen.evidence, chosen.rationale,
                          tuple(r.id for r in rules), tuple(keys), therapies.dose(option), note)


def recommend(patient: Mapping[str, Any] | None = None, /, **fields: Any) -> Recommendations:
    """Evaluate the decision tables for one patient (a mapping and/or keyword fields)."""
    values = dict(patient or {})
    values.update(fields)
    clean = PATIENT_FORM.validate(values)
    facts = derive_facts(clean)
    tables = _tables()
    trace, fired = _evaluate(tables, facts)

    grade = facts["grade"]
    if grade == "NEC":
        pathway, redirect = PATHWAY_REDIRECTED, REDIRECT_NEC
    elif grade == "G3":
        pathway, redirect = PATHWAY_REDIRECTED, REDIRECT_G3
    elif grade is None:
        pathway, redirect = PATHWAY_INCOMPLETE, None
    else:
        pathway, redirect = PATHWAY_LOW_GRADE, None

    # The first exclusion of an option names it; an option excluded anywhere is never recommended.
    excluded: dict[str, Exclusion] = {}
    for rule, _checks, _entry, exclusion in fired:
        if exclusion is not None and rule.option not in excluded:
            if rule.id == "EXC-04":
                exclusion = Exclusion(rule.option, exclusion.name, rule.id,
                                      rule.rationale + " " + " ".join(facts["prrt_result"].details["reasons"]),
                                      rule.citations)
            excluded[rule.option] = exclusion

    recommendations: list[Recommendation] = []
    if pathway == PATHWAY_LOW_GRADE:
        supporting: dict[str, list[DecisionRule]] = {}
        for rule, _checks, _entry, exclusion in fired:
            if exclusion is None and rule.option not in excluded:
                supporting.setdefault(rule.option, []).append(rule)
        shared = tables.recommendations
        for option, rules in supporting.items():
            key = tuple(r.id for r in rules)
            recommendation = shared.get(key)
            if recommendation is None:
                recommendation = shared[key] = _recommendation(option, rules)
            recommendations.append(recommendation)
        order = tables.order
        recommendations.sort(key=lambda r: (_TIER_RANK[r.tier], order[r.rule_ids[0]]))

    return Recommendations(
        pathway=pathway, redirect=redirect, recommendations=tuple(recommendations),
        excluded=tuple(excluded.values()), always=ALWAYS + ((_CAR_T["position"], cart.CAR_T_POSITION_CITATIONS),),
        car_t=_CAR_T, missing=tuple(_missing(facts)), trace=tuple(trace),
        facts=MappingProxyType(facts), ruleset_version=RULESET_VERSION)


def rules_table() -> list[dict[str, str]]:
    """The decision tables as plain rows, for `netlib rules` and the book."""
    rows = []
    for rule in RULES:
        rows.append({
            "id": rule.id,
            "table": TABLES[rule.table],
            "conditions": " and ".join(c.text() for c in rule.conditions) or "always",
            "option": rule.option or "",
            "tier": rule.tier,
            "evidence": rule.evidence,
            "rationale": rule.rationale,
            "citations": ", ".join(rule.citations),
        })
    return rows
