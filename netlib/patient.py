"""The patient record the decision algorithm reads, and the facts derived from it.

:data:`PATIENT_FORM` declares every input of :func:`netlib.pathway.recommend` with the same
machinery as the calculators; the clinical fields reuse the calculators' own declarations, so
ranges and units live in one place.  Every field is optional: the algorithm answers with what is
known and names what is missing.

:func:`derive_facts` turns a validated record into the facts the decision tables read.  Rule-facing
facts are never ``None``: an unknown value is the string ``"unknown"`` (or ``"not given"``), so a
table row can test for it and nothing is assumed.

Thresholds the facts use (size bands, Ki-67 bands, the PRRT re-treatment interval) are constants
here, each with its source; the decision tables in ``netlib/guideline/*.toml`` only read the facts.

Standard library only.
"""

from __future__ import annotations

import dataclasses
import functools
import operator
from collections.abc import Mapping
from typing import Any

from .grading import lung_carcinoid, lung_carcinoid_category, who_gep_category, who_gep_grade
from .imaging import KRENNING_SUFFICIENT_SCINTIGRAPHY
from .imaging import SUFFICIENT as SSTR_SUFFICIENT
from .imaging import krenning_score as krenning_calculator
from .inputs import Field, Form, InputError, Rule, boolean, choice, integer, number
from . import prrt
from .prrt import _at_most_one_creatinine, _at_most_one_unit, _karnofsky_in_steps_of_ten, prrt_eligibility
from .renal import CREATININE_CLEARANCE_MAXIMUM_ML_MIN, cockcroft_gault, cockcroft_gault_plausible
from .response import tumour_growth_rate, tumour_growth_rate_category

from .staging import milan_net

__all__ = ["PATIENT_FORM", "SITES", "PRIOR_THERAPIES", "PRIOR_OUTCOMES", "derive_facts", "patient_schema"]

SITES = {
    "pancreas": "Pancreas",
    "small_intestine": "Small intestine (jejunum, ileum)",
    "stomach": "Stomach",
    "duodenum": "Duodenum",
    "appendix": "Appendix",
    "colon": "Colon",
    "rectum": "Rectum",
    "lung": "Lung",
    "thymus": "Thymus",
    "unknown_primary": "Unknown primary",
}
GASTROENTEROPANCREATIC = ("pancreas", "small_intestine", "stomach", "duodenum", "appendix", "colon", "rectum",
                          "unknown_primary")
THORACIC = ("lung", "thymus")

# Prior treatment lines: the field, the option id it stands for, and the therapy as the label names it.
PRIOR_THERAPIES = {
    "prior_ssa": ("ssa", "somatostatin analogue"),
    "prior_everolimus": ("everolimus", "everolimus"),
    "prior_sunitinib": ("sunitinib", "sunitinib"),
    "prior_prrt": ("prrt_lu177_dotatate", "PRRT"),
    "prior_capecitabine_temozolomide": ("capecitabine_temozolomide", "capecitabine-temozolomide"),
    "prior_streptozocin": ("streptozocin_5fu", "streptozocin-based chemotherapy"),
    "prior_cabozantinib": ("cabozantinib", "cabozantinib"),
    "prior_liver_directed_therapy": ("liver_directed_therapy", "liver-directed therapy"),
    "prior_platinum_etoposide": ("platinum_etoposide", "platinum-etoposide"),
}
PRIOR_OUTCOMES = {
    "never": "Never given",
    "ongoing": "Ongoing, no progression on it",
    "progressed": "Disease progressed on it",
    "toxicity": "Stopped for side effects",
    "completed": "Course completed without progression on it",
}
# A line "used" for sequencing: given at some time, whatever its outcome.
_GIVEN = frozenset({"ongoing", "progressed", "toxicity", "completed"})
# Systemic lines other than an SSA that count as "previously treated" (CABINET enrolled patients after
# at least one prior FDA-approved therapy other than an SSA; chan2025cabinet).
_NON_SSA_SYSTEMIC = ("prior_everolimus", "prior_sunitinib", "prior_prrt", "prior_capecitabine_temozolomide",
                     "prior_streptozocin", "prior_cabozantinib")
_NON_SSA_SYSTEMIC_OF = operator.itemgetter(*_NON_SSA_SYSTEMIC)  # their outcomes, as a tuple

# --- Size bands of the primary tumour (cm) -------------------------------------------------------
# ENETS 2023 guidance papers use 1 cm and 2 cm as the cut-offs for the rectum, appendix, duodenum and
# stomach (type 1) and 2 cm for the pancreas (kos-kudla2023enets; rinke2023enets; kaltsas2023enets;
# panzuto2023enets).  The papers word the bands "< 1 cm", "1-2 cm", "> 2 cm" (pancreas "<= 2 cm").
# Convention of this book, the same at every site: a tumour of exactly 1.0 cm is in the 1-2 cm band
# and one of exactly 2.0 cm is in the 1-2 cm band (so "<= 2 cm" for the pancreas).
SIZE_SMALL_BELOW_CM = 1.0
SIZE_LARGE_ABOVE_CM = 2.0

# --- Ki-67 bands for first-line systemic therapy ------------------------------------------------
# CLARINET enrolled Ki-67 < 10 % (caplin2014clarinet) and ESMO 2020 restricts antiproliferative SSA
# first line to Ki-67 up to 10 % (pavel2020esmo); NETTER-2 enrolled Ki-67 >= 10 % and <= 55 %
# (singh2024netter2).  Convention: exactly 10 % belongs to the NETTER-2 band (the trial's own
# boundary), so SSA is preferred below 10 % only.  Exactly 20 % is G2 (WHO 2019); exactly 55 % is
# inside NETTER-2.
KI67_SSA_PREFERRED_BELOW_PERCENT = 10.0
KI67_NETTER2_FROM_PERCENT = 10.0
KI67_NETTER2_TO_PERCENT = 55.0
KI67_G2_TO_PERCENT = 20.0
# ENETS 2023 (kos-kudla2023enets) limits surveillance of small NF-pNETs to G1 and "low G2"; it gives
# no number for "low".  Convention (not verified against a numeric source): Ki-67 below 5 %.
KI67_LOW_G2_BELOW_PERCENT = 5.0

# --- PRRT re-treatment ----------------------------------------------------------------------------
# Re-treatment is considered after a durable benefit from the first course.  The largest series pooled in
# the re-treatment meta-analysis (strosberg2021prrtretreatment) re-treated only patients progression-free for
# at least 18 months after the first PRRT (vanderzwan2019salvage); some centres accept 12 months.  The book
# follows the series it can cite: 18 months, exactly 18 counting as durable.
PRRT_RETREATMENT_MIN_PROGRESSION_FREE_MONTHS = 18

# VHL: pancreatic NETs are usually watched up to 3 cm (ENETS 2023 non-functioning pNET, hereditary
# section; kos-kudla2023enets).  Not verified against the full text; exactly 3.0 cm is watched.
VHL_SURVEILLANCE_UP_TO_CM = 3.0

# --- Molecular ------------------------------------------------------------------------------------
# Tumour-agnostic pembrolizumab: TMB-high is >= 10 mutations/Mb (marabelle2020keynote158).
TMB_HIGH_FROM_MUTATIONS_PER_MB = 10.0

_GEP = who_gep_grade.calculator.form.by_name
_LUNG = lung_carcinoid.calculator.form.by_name
_RENAL = cockcroft_gault.calculator.form.by_name
_PRRT = prrt_eligibility.calculator.form.by_name
_TGR = tumour_growth_rate.calculator.form.by_name


def _optional(field: Field) -> Field:
    """The same declaration, optional: the guideline can still speak without the value."""
    return field if not field.required else dataclasses.replace(field, required=False)


def _prior(name: str, label: str) -> Field:
    return choice(name, f"Prior {label}", PRIOR_OUTCOMES, required=False,
                  help="Never given; ongoing without progression; progressed on it; stopped for side "
                       "effects; or a completed course without progression on it.")


def _patient_fields() -> tuple[Field, ...]:
    return (
        # Diagnosis
        choice("primary_site", "Primary site", SITES, required=False,
               help="Where the primary tumour arises; 'unknown primary' if not found."),
        _optional(_GEP["differentiation"]),
        _optional(_GEP["ki67_percent"]),
        _optional(_GEP["mitoses_per_2mm2"]),
        _optional(_LUNG["necrosis"]),
        choice("stated_grade", "Grade as reported", {"G1": "G1", "G2": "G2", "G3": "G3"}, required=False,
               help="Use when the Ki-67 index and mitotic count are not available; it must agree with "
                    "them when they are."),
        choice("lung_morphology", "Lung or thymic morphology",
               {"carcinoid": "Carcinoid", "large_cell_nec": "Large-cell neuroendocrine carcinoma",
                "small_cell_carcinoma": "Small-cell carcinoma"}, required=False,
               help="Lung and thymus: WHO 2021 separates carcinoids from the neuroendocrine carcinomas by "
                    "morphology."),
        number("tumour_size_cm", "Size of the primary tumour", "cm", 0, 30, exclusive_minimum=True,
               required=False, help="Largest diameter of the primary tumour."),
        choice("gastric_type", "Gastric NET type",
               {"type_1": "Type 1 (atrophic gastritis)", "type_2": "Type 2 (gastrinoma)",
                "type_3": "Type 3 (sporadic)"}, required=False,
               help="Stomach only; see the gastric NET type calculator."),
        choice("functioning_syndrome", "Hormonal syndrome",
               {"none": "None", "carcinoid_syndrome": "Carcinoid syndrome", "insulinoma": "Insulinoma",
                "gastrinoma": "Gastrinoma (Zollinger-Ellison)", "vipoma": "VIPoma",
                "glucagonoma": "Glucagonoma", "acth": "Ectopic ACTH (Cushing's syndrome)",
                "other_syndrome": "Other hormonal syndrome"}, required=False),
        boolean("refractory_syndrome_diarrhoea", "Carcinoid-syndrome diarrhoea despite an SSA", required=False,
                help="Four or more bowel movements a day despite a somatostatin analogue."),
        choice("hereditary_syndrome", "Hereditary syndrome",
               {"none_known": "None known", "men1": "MEN1", "vhl": "Von Hippel-Lindau", "nf1": "NF1",
                "tsc": "Tuberous sclerosis", "suspected": "Suspected, not confirmed"}, required=False),
        boolean("multifocal", "More than one primary tumour", required=False),
        _optional(_RENAL["age_years"]),
        _optional(_RENAL["sex"]),
        _optional(_RENAL["weight_kg"]),
        # Local risk features
        boolean("lymphovascular_invasion", "Lymphovascular invasion", required=False),
        boolean("muscularis_propria_invasion", "Invasion of the muscularis propria", required=False,
                help="Stomach, duodenum, colon or rectum (endoscopic ultrasound or pathology)."),
        boolean("mesoappendix_invasion", "Deep mesoappendiceal invasion (> 3 mm)", required=False),
        boolean("appendix_base_involved", "Tumour at the appendix base or base margin involved", required=False),
        boolean("nodes_positive", "Regional lymph nodes involved", required=False),
        boolean("ampullary", "Ampullary or periampullary duodenal tumour", required=False),
        boolean("duct_dilatation_or_jaundice", "Main pancreatic duct dilatation, jaundice or local symptoms",
                required=False, help="Pancreas: features that argue against surveillance of a small tumour."),
        # Extent and imaging
        choice("extent", "Extent of disease", {"localised": "Localised", "locoregional": "Locoregional",
                                              "metastatic": "Metastatic"}, required=False),
        boolean("resectable", "Resectable with curative intent", required=False,
                help="Judged by a NET-experienced surgeon on cross-sectional imaging."),
        boolean("liver_predominant", "Liver-predominant disease", required=False),
        number("liver_involvement_percent", "Liver volume replaced by tumour", "%", 0, 100, required=False),
        boolean("extrahepatic_disease", "Metastases outside the liver", required=False),
        boolean("primary_resected", "Primary tumour resected", required=False),
        choice("tumour_burden", "Tumour burden", {"low": "Low", "high": "High"}, required=False,
               help="High: bulky disease, or liver involvement above about a quarter of the liver."),
        choice("sstr_imaging", "Somatostatin-receptor imaging",
               {"not_done": "Not done", "planar": "Planar scintigraphy", "spect": "SPECT",
                "pet": "SSTR PET (68Ga/64Cu-DOTA peptide)"}, required=False),
        _optional(krenning_calculator.calculator.form.by_name["krenning_score"]),
        choice("fdg_pet", "FDG PET",
               {"not_done": "Not done", "negative": "No FDG-avid lesion",
                "positive_concordant": "FDG-avid lesions, all with SSTR uptake",
                "positive_discordant": "At least one FDG-avid lesion without SSTR uptake"}, required=False),
        # Course
        choice("disease_status", "Disease status",
               {"newly_diagnosed": "Newly diagnosed", "stable": "Stable", "progressive": "Progressive"},
               required=False),
        choice("recist_response", "Latest RECIST 1.1 response", ("CR", "PR", "SD", "PD"), required=False),
        _optional(_TGR["sum_diameters_baseline_mm"]),
        _optional(_TGR["sum_diameters_current_mm"]),
        _optional(_TGR["interval_months"]),
        number("stable_disease_months", "Months of radiological stability", "months", 0, 600, required=False),
        _optional(_PRRT["months_since_diagnosis"]),
        # Prior treatment with outcome
        *(_prior(name, label) for name, (_option, label) in PRIOR_THERAPIES.items()),
        number("prrt_progression_free_months", "Months from the last PRRT cycle to progression", "months",
               0, 600, required=False, help="For PRRT re-treatment: how long the first course held the disease."),
        # Fitness and laboratory values
        integer("ecog", "ECOG performance status", "", 0, 4, required=False),
        _optional(_PRRT["karnofsky_percent"]),
        _optional(_RENAL["creatinine_mg_dl"]),
        _optional(_RENAL["creatinine_umol_l"]),
        _optional(_PRRT["creatinine_clearance_ml_min"]),
        _optional(_PRRT["haemoglobin_g_dl"]),
        _optional(_PRRT["haemoglobin_g_l"]),
        _optional(_PRRT["wbc_10e9_l"]),
        _optional(_PRRT["platelets_10e9_l"]),
        _optional(_PRRT["bilirubin_x_uln"]),
        _optional(_PRRT["albumin_g_dl"]),
        _optional(_PRRT["albumin_g_l"]),
        _optional(_PRRT["prothrombin_time_normal"]),
        # Molecular
        boolean("msi_high_or_dmmr", "Microsatellite instability-high or mismatch-repair deficient", required=False),
        number("tmb_mutations_per_mb", "Tumour mutational burden", "mutations/Mb", 0, 10000, required=False),
        boolean("clinical_trial_available", "A suitable clinical trial is available", required=False),
    )


def _rule(fields: tuple[str, ...], description: str, given: tuple[str, ...] = (), any_given: tuple[str, ...] = ()):
    def wrap(check):
        return Rule(fields, description, check, given, any_given)
    return wrap


@_rule(("sstr_imaging", "krenning_score"), "a Krenning score needs the imaging that produced it",
       given=("krenning_score",))
def _rule_sstr_score(values):
    imaging, score = values["sstr_imaging"], values["krenning_score"]
    if score is not None and imaging in (None, "not_done"):
        return InputError("sstr_imaging", imaging, "planar, spect or pet when a Krenning score is given",
                          f"krenning_score {score} was given but sstr_imaging is {imaging or 'not given'}; "
                          "say which imaging produced it")
    return None


_TGR_NAMES = ("sum_diameters_baseline_mm", "sum_diameters_current_mm", "interval_months")


@_rule(_TGR_NAMES, "growth-rate inputs come together", any_given=_TGR_NAMES)
def _rule_tgr_complete(values):
    empty = [values[n] for n in _TGR_NAMES].count(None)
    if 0 < empty < len(_TGR_NAMES):
        missing = [n for n in _TGR_NAMES if values[n] is None]
        return InputError(missing[0], None, "all three growth-rate inputs or none",
                          f"tumour growth rate needs {', '.join(_TGR_NAMES)}; missing {', '.join(missing)}")
    return None


@_rule(("recist_response", "disease_status"), "RECIST response and disease status agree",
       given=("recist_response", "disease_status"))
def _rule_recist_status(values):
    recist, status = values["recist_response"], values["disease_status"]
    if recist == "PD" and status in ("stable", "newly_diagnosed"):
        return InputError("disease_status", status, "progressive when the RECIST response is PD",
                          f"disease_status is {status} but recist_response is PD; they contradict")
    if recist in ("CR", "PR", "SD") and status == "progressive":
        return InputError("disease_status", status, f"not progressive when the RECIST response is {recist}",
                          f"disease_status is progressive but recist_response is {recist}; they contradict")
    return None


@_rule(("refractory_syndrome_diarrhoea", "functioning_syndrome"),
       "refractory carcinoid-syndrome diarrhoea is carcinoid syndrome",
       given=("refractory_syndrome_diarrhoea", "functioning_syndrome"))
def _rule_refractory_needs_syndrome(values):
    syndrome = values["functioning_syndrome"]
    if values["refractory_syndrome_diarrhoea"] is True and syndrome not in (None, "carcinoid_syndrome"):
        return InputError("refractory_syndrome_diarrhoea", True,
                          "false, or functioning_syndrome carcinoid_syndrome or not given",
                          f"refractory_syndrome_diarrhoea is true but functioning_syndrome is {syndrome}; "
                          "refractory carcinoid-syndrome diarrhoea is carcinoid syndrome")
    return None


@_rule(("gastric_type", "primary_site"), "a gastric NET type needs a gastric primary",
       given=("gastric_type", "primary_site"))
def _rule_gastric_type_site(values):
    if values["gastric_type"] is not None and values["primary_site"] not in (None, "stomach"):
        return InputError("gastric_type", values["gastric_type"], "nothing unless primary_site is stomach",
                          f"gastric_type is {values['gastric_type']} but primary_site is {values['primary_site']}")
    return None


@_rule(("lung_morphology", "primary_site"), "lung or thymic morphology needs a thoracic primary",
       given=("lung_morphology", "primary_site"))
def _rule_morphology_site(values):
    if values["lung_morphology"] is not None and values["primary_site"] not in (None,) + THORACIC:
        return InputError("lung_morphology", values["lung_morphology"],
                          "nothing unless primary_site is lung or thymus",
                          f"lung_morphology is {values['lung_morphology']} but primary_site is {values['primary_site']}; "
                          "for other sites give differentiation")
    return None


@_rule(("prrt_progression_free_months", "prior_prrt"), "a PRRT progression-free interval needs prior PRRT",
       given=("prrt_progression_free_months",))
def _rule_prrt_interval(values):
    if values["prrt_progression_free_months"] is not None and values["prior_prrt"] in (None, "never"):
        return InputError("prrt_progression_free_months", values["prrt_progression_free_months"],
                          "nothing unless prior_prrt is given",
                          "prrt_progression_free_months was given but prior_prrt is "
                          f"{values['prior_prrt'] or 'not given'}")
    return None


# Creatinine, haemoglobin and albumin: one unit each, with the same rule and message as the PRRT calculator.
PATIENT_FORM = Form(_patient_fields(), (_rule_sstr_score, _at_most_one_creatinine(), _rule_tgr_complete,
                                       _rule_recist_status, _rule_refractory_needs_syndrome,
                                       _rule_gastric_type_site, _rule_morphology_site, _rule_prrt_interval,
                                       _karnofsky_in_steps_of_ten(),
                                       _at_most_one_unit("haemoglobin_g_dl", "haemoglobin_g_l", "haemoglobin",
                                                         "g/dL", "g/L"),
                                       _at_most_one_unit("albumin_g_dl", "albumin_g_l", "albumin", "g/dL", "g/L"),
                                       cockcroft_gault_plausible()))


def patient_schema() -> dict:
    schema = PATIENT_FORM.schema(title="Patient", description="Inputs for recommend(); every field optional.")
    schema["$id"] = "netlib:pathway/patient"
    return schema


# ---------------------------------------------------------------------------------------------
# Facts derived with the calculators.
# ---------------------------------------------------------------------------------------------

_GRADE_FROM_CATEGORY = {"NET G1": "G1", "NET G2": "G2", "NET G3": "G3", "NEC": "NEC"}
_MODALITY = {"planar": "planar_scintigraphy", "spect": "spect", "pet": "sstr_pet"}
_LUNG_GRADE = {"typical carcinoid": "G1", "atypical carcinoid": "G2", "tumourlet": "G1",
               "large-cell neuroendocrine carcinoma": "NEC", "small-cell carcinoma": "NEC"}
UNKNOWN = "unknown"


def _size_band(size_cm: float | None) -> str:
    if size_cm is None:
        return UNKNOWN
    if size_cm < SIZE_SMALL_BELOW_CM:
        return "under_1cm"
    if size_cm <= SIZE_LARGE_ABOVE_CM:
        return "1_to_2cm"
    return "over_2cm"


def _ki67_band(ki67: float | None, grade: str) -> str:
    if ki67 is None:
        return "under_10" if grade == "G1" else UNKNOWN  # G1 is Ki-67 < 3 % (WHO 2019)
    if ki67 < KI67_SSA_PREFERRED_BELOW_PERCENT:
        return "under_10"
    if ki67 <= KI67_G2_TO_PERCENT:
        return "10_to_20"
    if ki67 <= KI67_NETTER2_TO_PERCENT:
        return "21_to_55"
    return "over_55"


def _grade(patient: Mapping[str, Any]) -> tuple[str | None, str | None, tuple | None, str]:
    """(grade, what found it, how to make its result, the lung type).

    The grade comes from a calculator's category function (WHO GEP grade or lung carcinoid); the result,
    with its texts, is made when first read, from the calculator's entry point and its keyword inputs (the
    third item).  Without a grading calculator, the third item, and the result, are None.
    """
    site, differentiation = patient["primary_site"], patient["differentiation"]
    ki67, mitoses = patient["ki67_percent"], patient["mitoses_per_2mm2"]
    morphology, necrosis = patient["lung_morphology"], patient["necrosis"]
    if differentiation == "poor" or morphology in ("large_cell_nec", "small_cell_carcinoma"):
        if site in THORACIC:
            if morphology is None or mitoses is None or necrosis is None:
                return "NEC", "morphology", None, UNKNOWN
            _lung_carcinoid_category(morphology, None, mitoses, necrosis)  # validates, should a declaration drift
            inputs = {"morphology": morphology, "mitoses_per_2mm2": mitoses, "necrosis": necrosis,
                      "ki67_percent": ki67}
            return "NEC", "lung_carcinoid", (_lung_carcinoid, inputs), UNKNOWN
        gep_differentiation = "poor"
    elif site in THORACIC:
        if mitoses is None or necrosis is None:
            return None, None, None, UNKNOWN
        size_cm = patient["tumour_size_cm"]
        size_mm = None if size_cm is None else size_cm * 10
        lung_type = _lung_carcinoid_category("carcinoid", size_mm, mitoses, necrosis)
        inputs = {"morphology": "carcinoid", "tumour_size_mm": size_mm, "mitoses_per_2mm2": mitoses,
                  "necrosis": necrosis, "ki67_percent": ki67}
        return _LUNG_GRADE.get(lung_type, "G3"), "lung_carcinoid", (_lung_carcinoid, inputs), lung_type
    elif differentiation == "well" and (ki67 is not None or mitoses is not None):
        gep_differentiation = "well"
    else:
        return None, None, None, UNKNOWN
    inputs = {"differentiation": gep_differentiation, "ki67_percent": ki67, "mitoses_per_2mm2": mitoses}
    category = _who_gep_category(gep_differentiation, ki67, mitoses)
    return _GRADE_FROM_CATEGORY[category], "who_gep_grade", (_who_gep_grade, inputs), UNKNOWN


# A calculator result made when first read (the facts hold its category at once).
_DEFERRED = object()


_YES_NO_OF = {None: UNKNOWN, True: "yes", False: "no"}  # a yes/no/unknown fact from an optional boolean
_YES_NO_FACTS = ("lymphovascular_invasion", "muscularis_propria_invasion", "mesoappendix_invasion",
                 "appendix_base_involved", "nodes_positive", "ampullary", "duct_dilatation_or_jaundice",
                 "liver_predominant", "extrahepatic_disease", "primary_resected", "clinical_trial_available",
                 "msi_high_or_dmmr")
_EXTENT_GROUP = {"localised": "local", "locoregional": "local", "metastatic": "metastatic"}


def _prrt_values(patient: Mapping[str, Any], grade: str, sstr_result: Any, clearance: float | None) -> dict[str, Any]:
    """The PRRT calculator's inputs (every field but the criteria set), the same for NETTER-1 and NETTER-2.

    The patient record carries every other input under the calculator's own names and declarations, so the
    inputs are a copy of it with the three that derive_facts works out (the criteria read their fields by
    name; the other fields of the copy are never read)."""
    values = dict(patient)
    values["differentiation"] = patient["differentiation"] or ("well" if grade in ("G1", "G2", "G3") else None)
    if sstr_result is None:
        values["krenning_score"] = values["sstr_modality"] = None
    else:
        values["sstr_modality"] = _MODALITY[patient["sstr_imaging"]]
    values["creatinine_clearance_ml_min"] = clearance
    if not _PRRT_INPUTS_PROVEN:  # a declaration drifted: validate exactly the calculator's inputs, as it would
        values = _PRRT_FORM.validate({name: values[name] for name in _PRRT_FORM.by_name if name != "criteria_set"})
        del values["criteria_set"]
    return values


# ---------------------------------------------------------------------------------------------
# The calculators are called without a second validation when that is provably safe: every input
# derive_facts passes them is either a patient field carrying the calculator's very declaration
# (PATIENT_FORM validated it) or a value derive_facts computes and a check below accepts.  If a
# declaration drifts, the validating entry point is kept, so behaviour never changes.
# ---------------------------------------------------------------------------------------------

def _validation_key(field: Field) -> tuple:
    return (field.kind, field.minimum, field.maximum, field.exclusive_minimum, field.exclusive_maximum,
            field.choices)


def _within(ours: Field, theirs: Field) -> bool:
    """Whether every value our declaration accepts, the calculator's declaration accepts too."""
    if _validation_key(ours) == _validation_key(theirs):
        return True
    if ours.kind != theirs.kind:
        return False
    if ours.kind == "choice":
        return set(ours.choices) <= set(theirs.choices)
    if ours.kind in ("number", "integer") and ours.step == theirs.step:
        low_ok = theirs.minimum is None or (ours.minimum is not None and (
            ours.minimum > theirs.minimum or (ours.minimum == theirs.minimum
                                              and (ours.exclusive_minimum or not theirs.exclusive_minimum))))
        high_ok = theirs.maximum is None or (ours.maximum is not None and (
            ours.maximum < theirs.maximum or (ours.maximum == theirs.maximum
                                              and (ours.exclusive_maximum or not theirs.exclusive_maximum))))
        return low_ok and high_ok
    return False


def _unvalidated(function, derived: Mapping[str, Any]):
    for field in function.calculator.fields:
        ours = PATIENT_FORM.by_name.get(field.name)
        if ours is not None and field.name not in derived:
            if not _within(ours, field):
                return function
        elif field.name in derived:
            if not derived[field.name](field):
                return function
        elif field.required:  # a required input derive_facts never passes: keep the validating call
            return function
    return function.raw


def _accepts_modalities(field: Field) -> bool:
    return set(_MODALITY.values()) <= set(field.choices)


def _accepts_any_positive_clearance(field: Field) -> bool:
    # A Cockcroft-Gault clearance from validated inputs is positive, finite and at most the plausible
    # maximum (PATIENT_FORM carries renal.cockcroft_gault_plausible); a given clearance carries the
    # calculator's own declaration (validated by PATIENT_FORM).
    return field.kind == "number" and (field.maximum is None or field.maximum >= CREATININE_CLEARANCE_MAXIMUM_ML_MIN) \
        and (field.minimum is None or field.minimum <= 0)


def _accepts_criteria_sets(field: Field) -> bool:
    return {"netter1", "netter2"} <= set(field.choices)


def _accepts_well(field: Field) -> bool:
    return {"well", "poor"} <= set(field.choices)


def _accepts_morphology(field: Field) -> bool:
    return {"carcinoid", "large_cell_nec", "small_cell_carcinoma"} <= set(field.choices)


def _accepts_size_mm(field: Field) -> bool:
    # tumour_size_cm is at most 30 cm: 300 mm.
    return field.kind == "number" and (field.maximum is None or field.maximum >= 300) and (
        field.minimum is None or field.minimum <= 0)


_who_gep_grade = _unvalidated(who_gep_grade, {})
_lung_carcinoid = _unvalidated(lung_carcinoid, {"morphology": _accepts_morphology, "tumour_size_mm": _accepts_size_mm})
# A Krenning result depends on a score (0-4) and a modality alone: each of the few is made once and shared
# (results are frozen).
_krenning = functools.lru_cache(maxsize=64)(_unvalidated(krenning_calculator, {"modality": _accepts_modalities}))
_tumour_growth_rate = _unvalidated(tumour_growth_rate, {})


def _category_only(function, called, category):
    """``category`` (positional inputs in the calculator's field order) when ``called``, the calculator's entry
    point from _unvalidated, is the raw function; otherwise (a declaration drifted) the validating call's
    category, so behaviour never changes."""
    if called is function.raw:
        return category
    names = tuple(field.name for field in function.calculator.fields)
    return lambda *values: called(**dict(zip(names, values))).category


# The grade (WHO GEP or lung carcinoid) and the growth rate are results a row or a reader seldom reads: the
# facts take their categories from the calculators' own category functions, and the results are made when
# first read (Facts.__missing__).
_who_gep_category = _category_only(who_gep_grade, _who_gep_grade, who_gep_category)
_lung_carcinoid_category = _category_only(lung_carcinoid, _lung_carcinoid, lung_carcinoid_category)
_tumour_growth_rate_category = _category_only(tumour_growth_rate, _tumour_growth_rate, tumour_growth_rate_category)
_cockcroft_gault = _unvalidated(cockcroft_gault, {})
# The PRRT criteria are assessed directly (prrt.assess): the decision tables need the category only, and
# the calculator's full result, with its texts, is made when a row or a reader asks for it.
_PRRT_FORM = prrt_eligibility.calculator.form
_PRRT_INPUTS_PROVEN = _unvalidated(prrt_eligibility, {
    "sstr_modality": _accepts_modalities, "creatinine_clearance_ml_min": _accepts_any_positive_clearance,
    "criteria_set": _accepts_criteria_sets, "differentiation": _accepts_well}) is prrt_eligibility.raw


# Computed on first use, when a row or a reader asks: the PRRT results behind the eligibility facts (with their
# texts), the NETTER-2 check, which few rows reach, and the WHO GEP grade and growth-rate results (their
# categories are derived at once).  The NETTER-1 category is derived at once too (most patients' rows read it).
# In the order derive_facts gives every fact, each group below comes right after the fact it is keyed by.
_PLACED_AFTER = {
    "lung_type": ("grade_result",),
    "progressive": ("tgr_result",),
    "creatinine_clearance_source": ("prrt_result", "prrt_eligibility", "prrt_first_line_result",
                                    "prrt_first_line_eligibility"),
}
_PLACED = frozenset(fact for group in _PLACED_AFTER.values() for fact in group)
LAZY_FACTS = _PLACED - {"prrt_eligibility"}
_PRRT_RESULTS = {"prrt_result": prrt.NETTER1, "prrt_first_line_result": prrt.NETTER2}


class Facts(dict):
    """The derived facts of one patient, as a mapping (built from a :class:`FactsView` when read).

    Holds what derive_facts computes; a patient value that is not also a derived fact, and the
    deferred facts (LAZY_FACTS, computed when first read), come through ``facts[key]``.
    ``dict.get`` and iteration see the facts computed so far only: read through :class:`FactsView`,
    or :meth:`complete`.
    """

    __slots__ = ("_patient", "_complete", "_view")

    def __missing__(self, key: str) -> Any:
        if key not in LAZY_FACTS:
            return self._patient[key]
        value = self[key] = self._view._lazy(key)
        return value

    def complete(self) -> dict[str, Any]:
        """Every fact, patient values first, in the order derive_facts gives them (computed once)."""
        try:
            return self._complete
        except AttributeError:
            pass
        full = dict(self._patient)
        for key, value in list(self.items()):
            if key not in _PLACED:
                full[key] = value
                for placed in _PLACED_AFTER.get(key, ()):
                    full[placed] = self[placed]
        self._complete = full
        return full


class FactsView(Mapping):
    """One patient's facts, read-only: every fact is there, deferred ones computed on demand.

    It holds what derive computes.  ``_values`` holds the facts of FACT_ORDER by position (a list: the
    decision tables read it by position, which costs the interpreter less than a lookup by key).  The
    calculator results a row or a reader seldom reads are made on first ask (:meth:`_lazy`) and kept; the
    mapping itself (:class:`Facts`) is built when first read.
    """

    __slots__ = ("_values", "_patient", "_prrt_values", "_netter1", "_netter2", "_grade_deferred", "_tgr_result",
                 "_made", "_built")

    # The mapping, built on first read.

    @property
    def _facts(self) -> Facts:
        built = self._built
        if built is None:
            built = self._built = self._build()
        return built

    def __getitem__(self, key: str) -> Any:
        return self._facts[key]

    def __contains__(self, key: object) -> bool:
        facts = self._facts
        return key in LAZY_FACTS or dict.__contains__(facts, key) or key in facts._patient

    def __iter__(self):
        return iter(self._facts.complete())

    def __len__(self) -> int:
        return len(self._facts.complete())

    def __repr__(self) -> str:
        return f"FactsView({dict(self._facts.complete())!r})"

    def _build(self) -> Facts:
        """The facts as a new mapping: FACT_ORDER, then the results made at once, then those made since."""
        facts = Facts(zip(FACT_ORDER, self._values))
        facts._patient, facts._view = self._patient, self
        if self._grade_deferred is None:  # no grading calculator: no result
            facts["grade_result"] = None
        if self._tgr_result is not _DEFERRED:
            facts["tgr_result"] = self._tgr_result
        if self._made:
            facts.update(self._made)
        return facts

    # What derive defers.

    def _lazy(self, key: str) -> Any:
        """A deferred fact (LAZY_FACTS), made once."""
        made = self._made
        if made is None:
            made = self._made = {}
        elif key in made:
            return made[key]
        patient = self._patient
        if key == "prrt_first_line_eligibility":
            failed, missing, _notes = self._netter2_assessment()
            value = prrt.category(failed, missing)
        elif key == "prrt_result":
            value = prrt.explain(prrt.NETTER1, self._prrt_values, *self._netter1)
        elif key == "prrt_first_line_result":
            value = prrt.explain(prrt.NETTER2, self._prrt_values, *self._netter2_assessment())
        elif key == "grade_result":
            deferred = self._grade_deferred
            value = None if deferred is None else deferred[0](**deferred[1])
        elif key == "tgr_result":
            value = self._tgr_result
            if value is _DEFERRED:
                value = _tumour_growth_rate(sum_diameters_baseline_mm=patient["sum_diameters_baseline_mm"],
                                            sum_diameters_current_mm=patient["sum_diameters_current_mm"],
                                            interval_months=patient["interval_months"])
        else:
            raise KeyError(key)
        made[key] = value
        return value

    def _netter2_assessment(self) -> tuple[list[str], list[str], list[str]]:
        netter2 = self._netter2
        if netter2 is None:
            netter2 = self._netter2 = prrt.assess(prrt.NETTER2, self._prrt_values)
        return netter2

    def _result_details(self, source: str, key: str) -> tuple:
        """``self[source].details[key]`` (empty when there is no result): the reasons and missing criteria of
        a PRRT check come from its assessment, without making the whole result."""
        made = self._made
        if source in _PRRT_RESULTS and (made is None or source not in made):
            criteria = _PRRT_RESULTS[source]
            failed, missing, _notes = self._netter1 if criteria is prrt.NETTER1 else self._netter2_assessment()
            if key == "missing_criteria":
                return tuple(missing)
            if key == "reasons":
                return prrt.explain_failures(criteria, self._prrt_values, failed)
        result = self._lazy(source) if source in LAZY_FACTS else self._facts[source]
        return () if result is None else result.details.get(key, ())


def derive_facts(patient: Mapping[str, Any]) -> dict[str, Any]:
    """Facts the rules read: the patient's own values plus what the calculators derive.

    ``patient`` is a mapping validated by :data:`PATIENT_FORM` (every field present, None when not
    given), as :func:`netlib.pathway.recommend` passes it.
    """
    return dict(derive_facts_lazily(patient).complete())  # a copy: the caller may change it


def derive_facts_lazily(patient: Mapping[str, Any]) -> Facts:
    """:func:`derive_facts` with the PRRT results, the NETTER-2 check and the WHO GEP and growth-rate results
    (LAZY_FACTS) deferred until a rule or a reader asks for them."""
    return derive(patient)._build()


# The facts derive computes, in its order: every patient gets all of them (tests/test_pathway.py checks that
# derive's list names them in this order).
FACT_ORDER = (
    "site", "differentiation", "lung_type", "grade", "grade_source", "ki67_band", "low_grade_for_surveillance",
    "size_band", "size_over_3cm", "extent_group", "resectable", "surgery_feasible", "morphology", "advanced",
    "sstr_result", "sstr_expression", "prrt_uptake", "fdg", "status", "progressive", "tgr_category", "syndrome",
    "refractory_diarrhoea", "hereditary", "multifocal", *_YES_NO_FACTS, "risk_features", "tumour_burden",
    "gastric_type", *PRIOR_THERAPIES, "prior_non_ssa_systemic", "on_treatment", "progressed_on_prior",
    "prior_systemic", "prrt_benefit", "renal_result", "creatinine_clearance_ml_min", "creatinine_clearance_source",
    "prrt_eligibility", "tmb_high", "tumour_agnostic_target", "milan_result", "milan_net")
_FACT_POSITION = {fact: position for position, fact in enumerate(FACT_ORDER)}


def derive(patient: Mapping[str, Any]) -> FactsView:
    """Derive one patient's facts (FACT_ORDER) into a :class:`FactsView`, each into a local of its own name;
    the deferred ones (LAZY_FACTS) are made when a rule or a reader asks for them."""
    primary_site = patient["primary_site"]
    site = primary_site or "not given"
    differentiation = patient["differentiation"] or UNKNOWN

    computed_grade, grade_source, grade_deferred, lung_type = _grade(patient)
    stated = patient["stated_grade"]
    if computed_grade is not None and stated is not None and computed_grade != stated:
        raise InputError("stated_grade", stated, f"{computed_grade} (as computed from the inputs) or nothing",
                         f"stated_grade {stated} contradicts the grade computed from the inputs "
                         f"({computed_grade} by {grade_source})")
    given_grade = computed_grade or stated
    grade = given_grade or UNKNOWN
    grade_source = grade_source or ("stated" if stated else None)
    ki67 = patient["ki67_percent"]
    ki67_band = _ki67_band(ki67, grade)
    low_grade_for_surveillance = (
        "yes" if given_grade == "G1" or (given_grade == "G2" and ki67 is not None
                                         and ki67 < KI67_LOW_G2_BELOW_PERCENT)
        else ("no" if given_grade in ("G2", "G3", "NEC") else UNKNOWN))
    size = patient["tumour_size_cm"]
    size_band = _size_band(size)
    size_over_3cm = UNKNOWN if size is None else ("yes" if size > VHL_SURVEILLANCE_UP_TO_CM else "no")

    extent, resectable_given = patient["extent"], patient["resectable"]
    extent_group = _EXTENT_GROUP.get(extent, UNKNOWN)
    resectable = _YES_NO_OF[resectable_given]
    # Local disease: is surgery feasible?  Stated by the surgeon, or, once the primary has been removed (an
    # appendectomy, a polypectomy), the question is completion surgery, which is judged feasible unless the
    # record says the disease is not resectable.  Never assumed before any resection.
    surgery_feasible = "yes" if resectable_given is True or (
        resectable_given is None and patient["primary_resected"] is True) else resectable
    morphology = patient["lung_morphology"] or UNKNOWN
    advanced = "yes" if (extent == "metastatic" or (extent_group == "local" and resectable_given is False)) else (
        UNKNOWN if extent is None else "no")

    # SSTR: two questions with two thresholds.  Expression for SSA selection: Krenning >= 2 on any
    # modality (CLARINET enrolled SRS grade >= 2; caplin2014clarinet).  Uptake sufficient for PRRT: the
    # modality-aware convention of netlib.imaging (planar/SPECT >= 2, PET >= 3).
    imaging, score = patient["sstr_imaging"], patient["krenning_score"]
    if imaging is None or imaging == "not_done" or score is None:
        sstr_result = None
        sstr_expression = prrt_uptake = UNKNOWN
    else:
        sstr_result = _krenning(krenning_score=score, modality=_MODALITY[imaging])
        sstr_expression = "positive" if score >= KRENNING_SUFFICIENT_SCINTIGRAPHY else "negative"
        prrt_uptake = "sufficient" if sstr_result.category == SSTR_SUFFICIENT else "insufficient"
    fdg = patient["fdg_pet"] or UNKNOWN

    given_status = patient["disease_status"]
    if given_status is None and patient["recist_response"] == "PD":
        given_status = "progressive"
    status = given_status or UNKNOWN
    progressive = "yes" if given_status == "progressive" else ("no" if given_status else UNKNOWN)

    baseline = patient["sum_diameters_baseline_mm"]
    if baseline is not None:  # tgr_result: made when first read
        tgr_result = _DEFERRED
        tgr_category = _tumour_growth_rate_category(baseline, patient["sum_diameters_current_mm"],
                                                    patient["interval_months"])
    else:
        tgr_result, tgr_category = None, UNKNOWN

    given_syndrome = patient["functioning_syndrome"]
    if given_syndrome is None and patient["refractory_syndrome_diarrhoea"]:
        given_syndrome = "carcinoid_syndrome"
    syndrome = given_syndrome or UNKNOWN
    refractory_diarrhoea = _YES_NO_OF[patient["refractory_syndrome_diarrhoea"]]
    hereditary = patient["hereditary_syndrome"] or UNKNOWN
    multifocal = _YES_NO_OF[patient["multifocal"]]
    # Any local risk feature that argues for an oncological resection instead of a local one.
    risk = [patient["lymphovascular_invasion"], patient["muscularis_propria_invasion"], patient["nodes_positive"]]
    if primary_site == "appendix":
        risk += [patient["mesoappendix_invasion"], patient["appendix_base_involved"]]
    # G3 is a risk feature everywhere; G2 in the appendix and rectum (ENETS 2023 appendix and colorectal).
    risk_features = "yes" if True in risk or given_grade == "G3" or (
        given_grade == "G2" and primary_site in ("appendix", "rectum")) else ("no" if None not in risk else UNKNOWN)
    tumour_burden = patient["tumour_burden"] or UNKNOWN
    gastric_type = patient["gastric_type"] or UNKNOWN

    # Prior lines with their outcomes.  A line recorded as ongoing while the disease is progressing is a line
    # the disease progresses on: it counts as "progressed" (the commonest second-line situation).
    on_treatment = progressed_on_prior = False
    prior_lines = []  # the facts of PRIOR_THERAPIES, in order
    for outcome in _PRIOR_THERAPIES_OF(patient):
        if outcome is None:
            outcome = UNKNOWN
        elif outcome == "ongoing":
            if given_status == "progressive":
                outcome, progressed_on_prior = "progressed", True
            else:
                on_treatment = True
        elif outcome == "progressed":
            progressed_on_prior = True
        prior_lines.append(outcome)
    non_ssa = _NON_SSA_SYSTEMIC_OF(patient)
    prior_non_ssa_systemic = "yes" if not _GIVEN.isdisjoint(non_ssa) else (
        "no" if non_ssa.count("never") == len(non_ssa) else UNKNOWN)
    on_treatment = "yes" if on_treatment else "no"
    progressed_on_prior = "yes" if progressed_on_prior else "no"
    ssa_outcome = patient["prior_ssa"]
    prior_systemic = "yes" if prior_non_ssa_systemic == "yes" or ssa_outcome in _GIVEN \
        else ("no" if prior_non_ssa_systemic == "no" and ssa_outcome == "never" else UNKNOWN)
    interval = patient["prrt_progression_free_months"]
    prrt_benefit = UNKNOWN if interval is None else (
        "durable" if interval >= PRRT_RETREATMENT_MIN_PROGRESSION_FREE_MONTHS else "short")

    renal_result = None
    creatinine_clearance_ml_min = patient["creatinine_clearance_ml_min"]
    if creatinine_clearance_ml_min is not None:
        creatinine_clearance_source = "given"
    elif (patient["creatinine_mg_dl"] is not None or patient["creatinine_umol_l"] is not None) and \
            patient["age_years"] is not None and patient["sex"] is not None and patient["weight_kg"] is not None:
        creatinine = {k: patient[k] for k in ("creatinine_mg_dl", "creatinine_umol_l") if patient[k] is not None}
        renal_result = _cockcroft_gault(age_years=patient["age_years"], sex=patient["sex"],
                                        weight_kg=patient["weight_kg"], **creatinine)
        creatinine_clearance_ml_min = renal_result.value
        creatinine_clearance_source = "Cockcroft-Gault"
    else:
        creatinine_clearance_source = None

    prrt_values = _prrt_values(patient, grade, sstr_result, creatinine_clearance_ml_min)
    netter1 = failed, missing, _notes = prrt.assess(prrt.NETTER1, prrt_values)
    prrt_eligibility = prrt.category(failed, missing)  # prrt_result and NETTER-2: made when first read

    tmb = patient["tmb_mutations_per_mb"]
    tmb_high = UNKNOWN if tmb is None else ("yes" if tmb >= TMB_HIGH_FROM_MUTATIONS_PER_MB else "no")
    msi_given = patient["msi_high_or_dmmr"]
    tumour_agnostic_target = "yes" if msi_given or tmb_high == "yes" else (
        "no" if msi_given is False or tmb_high == "no" else UNKNOWN)

    milan_result, milan_net = _milan(patient, grade, site)

    view = _new_view(FactsView)
    view._values = [
        site, differentiation, lung_type, grade, grade_source, ki67_band, low_grade_for_surveillance,
        size_band, size_over_3cm, extent_group, resectable, surgery_feasible, morphology, advanced,
        sstr_result, sstr_expression, prrt_uptake, fdg, status, progressive, tgr_category, syndrome,
        refractory_diarrhoea, hereditary, multifocal, *map(_YES_NO_VALUE, _YES_NO_FACTS_OF(patient)),
        risk_features, tumour_burden, gastric_type, *prior_lines, prior_non_ssa_systemic, on_treatment,
        progressed_on_prior, prior_systemic, prrt_benefit, renal_result, creatinine_clearance_ml_min,
        creatinine_clearance_source, prrt_eligibility, tmb_high, tumour_agnostic_target, milan_result, milan_net]
    view._patient, view._prrt_values, view._netter1 = patient, prrt_values, netter1
    view._netter2 = view._made = view._built = None
    view._grade_deferred, view._tgr_result = grade_deferred, tgr_result
    return view


_new_view = object.__new__
_YES_NO_FACTS_OF = operator.itemgetter(*_YES_NO_FACTS)  # the facts of _YES_NO_FACTS come in their order
_YES_NO_VALUE = _YES_NO_OF.__getitem__
_PRIOR_THERAPIES_OF = operator.itemgetter(*PRIOR_THERAPIES)
_MILAN_INPUTS = ("liver_involvement_percent", "age_years", "stable_disease_months", "extrahepatic_disease",
                 "primary_resected")


def _milan(patient: Mapping[str, Any], grade: str, site: str) -> tuple[Any, str]:
    """(the Milan-NET result or None, the milan_net fact)."""
    if grade not in ("G1", "G2", "G3") or site == "not given" or None in map(patient.__getitem__, _MILAN_INPUTS):
        return None, UNKNOWN
    portal = site in ("pancreas", "small_intestine", "stomach", "duodenum", "appendix", "colon")
    result = milan_net(grade=grade, primary_portal_drained=portal, primary_resected=patient["primary_resected"],
                       liver_involvement_percent=patient["liver_involvement_percent"],
                       extrahepatic_disease=patient["extrahepatic_disease"],
                       stable_disease_months=patient["stable_disease_months"], age_years=patient["age_years"])
    return result, "meets" if result.category.startswith("meets") else "does not meet"


# The facts the decision tables may test, with every value each can take.  The table loader refuses
# any other fact or value, so a typo in a table fails at import.
_YES_NO = ("yes", "no", UNKNOWN)
FACT_VALUES: Mapping[str, tuple] = {
    "site": tuple(SITES) + ("not given",),
    "grade": ("G1", "G2", "G3", "NEC", UNKNOWN),
    "differentiation": ("well", "poor", UNKNOWN),
    "ki67_band": ("under_10", "10_to_20", "21_to_55", "over_55", UNKNOWN),
    "low_grade_for_surveillance": _YES_NO,
    "size_band": ("under_1cm", "1_to_2cm", "over_2cm", UNKNOWN),
    "extent_group": ("local", "metastatic", UNKNOWN),
    "resectable": _YES_NO,
    "surgery_feasible": _YES_NO,
    "morphology": ("carcinoid", "large_cell_nec", "small_cell_carcinoma", UNKNOWN),
    "advanced": _YES_NO,
    "sstr_expression": ("positive", "negative", UNKNOWN),
    "prrt_uptake": ("sufficient", "insufficient", UNKNOWN),
    "fdg": ("not_done", "negative", "positive_concordant", "positive_discordant", UNKNOWN),
    "status": ("newly_diagnosed", "stable", "progressive", UNKNOWN),
    "progressive": _YES_NO,
    "tgr_category": ("high", "low", "not applicable", UNKNOWN),
    "syndrome": ("none", "carcinoid_syndrome", "insulinoma", "gastrinoma", "vipoma", "glucagonoma", "acth",
                 "other_syndrome", UNKNOWN),
    "refractory_diarrhoea": _YES_NO,
    "hereditary": ("none_known", "men1", "vhl", "nf1", "tsc", "suspected", UNKNOWN),
    "multifocal": _YES_NO,
    "lymphovascular_invasion": _YES_NO,
    "muscularis_propria_invasion": _YES_NO,
    "mesoappendix_invasion": _YES_NO,
    "appendix_base_involved": _YES_NO,
    "nodes_positive": _YES_NO,
    "ampullary": _YES_NO,
    "duct_dilatation_or_jaundice": _YES_NO,
    "size_over_3cm": _YES_NO,
    "liver_predominant": _YES_NO,
    "extrahepatic_disease": _YES_NO,
    "primary_resected": _YES_NO,
    "clinical_trial_available": _YES_NO,
    "msi_high_or_dmmr": _YES_NO,
    "risk_features": _YES_NO,
    "tumour_burden": ("low", "high", UNKNOWN),
    "gastric_type": ("type_1", "type_2", "type_3", UNKNOWN),
    **{name: tuple(PRIOR_OUTCOMES) + (UNKNOWN,) for name in PRIOR_THERAPIES},
    "prior_non_ssa_systemic": _YES_NO,
    "progressed_on_prior": ("yes", "no"),
    "on_treatment": ("yes", "no"),
    "prior_systemic": _YES_NO,
    "prrt_benefit": ("durable", "short", UNKNOWN),
    "prrt_eligibility": ("eligible", "not eligible", "incomplete"),
    "prrt_first_line_eligibility": ("eligible", "not eligible", "incomplete"),
    "tmb_high": _YES_NO,
    "tumour_agnostic_target": _YES_NO,
    "milan_net": ("meets", "does not meet", UNKNOWN),
}
