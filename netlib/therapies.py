"""Treatment options for advanced well-differentiated NETs, with doses, as data.

:data:`THERAPIES` maps a stable option id (the vocabulary the treatment pathway
uses) to a frozen :class:`Therapy`: its class, dose and schedule, the pivotal
trials behind it (ids in :data:`netlib.evidence.TRIALS`), citation keys, and
whether the dose was verified.

Every dose is a module-level constant; the dose text is built from them, so the
book can ``glue`` a constant and never retype a number.

Conventions
-----------
* One ``ssa`` option lists octreotide LAR and lanreotide as alternatives
  (``components_are_alternatives``), not a combination.
* A dose is *verified* when it was read in the pivotal trial's abstract or
  protocol summary, or in the FDA label (``dose_source`` says which).  The
  FDA labels of everolimus, sunitinib and cabozantinib were found but their
  dosage sections could not be read through the search tool; those doses are
  verified against RADIANT-3/-4, A6181111 and CABINET instead.
* The 177Lu-dotatate activity, interval and number of doses are imported from
  :mod:`netlib.prrt`, which owns them; this module only adds the octreotide LAR
  given alongside.
* ``car_t_off_trial`` is in the vocabulary only so that the pathway can refuse it:
  ``never_recommend`` is True (no CAR-T is approved for any NET; CAR-T belongs
  in a registered trial).  ``platinum_etoposide`` belongs to the NEC pathway.

Standard library only.
"""

from __future__ import annotations

from dataclasses import dataclass
from types import MappingProxyType
from typing import Mapping

from .inputs import InputError
from .prrt import (LUTATHERA_ACTIVITY_PER_DOSE_GBQ, LUTATHERA_ACTIVITY_PER_DOSE_MCI,
                   LUTATHERA_INTERVAL_TOLERANCE_WEEKS, LUTATHERA_INTERVAL_WEEKS,
                   LUTATHERA_NUMBER_OF_DOSES)

__all__ = ["DoseComponent", "Therapy", "THERAPIES", "OPTION_IDS", "therapy", "name", "dose"]

# --- Somatostatin analogues ------------------------------------------------------------
# PROMID: octreotide LAR 30 mg IM monthly (every 28 days) until progression.
OCTREOTIDE_LAR_DOSE_MG = 30
OCTREOTIDE_LAR_INTERVAL_WEEKS = 4
# CLARINET: lanreotide Autogel/Depot 120 mg every 28 days; deep subcutaneous (US label).
LANREOTIDE_DOSE_MG = 120
LANREOTIDE_INTERVAL_WEEKS = 4
# NETTER-1 and NETTER-2 control arm: octreotide LAR 60 mg every 4 weeks (off-label dose).
OCTREOTIDE_LAR_HIGH_DOSE_MG = 60
OCTREOTIDE_LAR_HIGH_DOSE_INTERVAL_WEEKS = 4

# --- Targeted therapy -------------------------------------------------------------------
# RADIANT-3 and RADIANT-4: everolimus 10 mg orally once daily.
EVEROLIMUS_DOSE_MG = 10
# A6181111: sunitinib 37.5 mg orally once daily, continuous.
SUNITINIB_DOSE_MG = 37.5
# CABINET: cabozantinib 60 mg orally once daily.
CABOZANTINIB_DOSE_MG = 60

# --- Symptom control --------------------------------------------------------------------
# TELESTAR and the Xermelo label: 250 mg three times daily, added to the SSA.
TELOTRISTAT_DOSE_MG = 250
TELOTRISTAT_DOSES_PER_DAY = 3

# --- Chemotherapy -----------------------------------------------------------------------
# E2211 (arm B): capecitabine 750 mg/m² twice daily days 1-14 plus temozolomide
# 200 mg/m² once daily days 10-14, every 28 days.
CAPECITABINE_DOSE_MG_PER_M2 = 750
CAPECITABINE_DOSES_PER_DAY = 2
CAPECITABINE_FIRST_DAY = 1
CAPECITABINE_LAST_DAY = 14
TEMOZOLOMIDE_DOSE_MG_PER_M2 = 200
TEMOZOLOMIDE_FIRST_DAY = 10
TEMOZOLOMIDE_LAST_DAY = 14
CAPTEM_CYCLE_DAYS = 28

# --- Peptide receptor radionuclide therapy ----------------------------------------------
# NETTER-1/NETTER-2 and the Lutathera label: 7.4 GBq (200 mCi) IV every 8 weeks
# (± 1 week), 4 doses; octreotide LAR 30 mg after each dose, then every 4 weeks.
# The activity constants are netlib.prrt's (one definition in the package).
LU177_DOTATATE_ACTIVITY_GBQ = LUTATHERA_ACTIVITY_PER_DOSE_GBQ
LU177_DOTATATE_ACTIVITY_MCI = LUTATHERA_ACTIVITY_PER_DOSE_MCI
LU177_DOTATATE_INTERVAL_WEEKS = LUTATHERA_INTERVAL_WEEKS
LU177_DOTATATE_INTERVAL_TOLERANCE_WEEKS = LUTATHERA_INTERVAL_TOLERANCE_WEEKS
LU177_DOTATATE_DOSES = LUTATHERA_NUMBER_OF_DOSES

# --- Surveillance (clinical-facts 11.1; not verified against a guideline text) ----------
SURVEILLANCE_EARLY_IMAGING_MONTHS = (3, 6)
SURVEILLANCE_LATE_IMAGING_MONTHS = (6, 12)


def _num(x: float) -> str:
    return str(int(x)) if float(x).is_integer() else str(x)


_TIMES_A_DAY = {1: "once daily", 2: "twice daily", 3: "three times daily"}


def _per_day(doses_per_day: int) -> str:
    return _TIMES_A_DAY.get(doses_per_day, f"{doses_per_day} times daily")


@dataclass(frozen=True, slots=True)
class DoseComponent:
    """One drug of a regimen: amount, unit, route and schedule."""

    drug: str
    amount: float
    unit: str
    route: str
    schedule: str

    @property
    def text(self) -> str:
        return f"{self.drug} {_num(self.amount)} {self.unit} {self.route} {self.schedule}"


@dataclass(frozen=True, slots=True)
class Therapy:
    """One treatment option of the pathway vocabulary.

    ``dose_verified`` is None for options without a drug dose (surgery,
    surveillance, referral) or without one fixed by this book.
    ``pathway`` is ``"net"`` for the well-differentiated NET pathway and ``"nec"``
    for neuroendocrine carcinoma.  ``standard_option`` is False for options the
    book lists only to advise against (``never_recommend`` is the hard rule:
    CAR-T outside a trial).
    """

    id: str
    name: str
    therapy_class: str
    doses: tuple[DoseComponent, ...]
    dose_note: str
    pivotal_trials: tuple[str, ...]
    citations: tuple[str, ...]
    dose_verified: bool | None
    dose_source: str
    components_are_alternatives: bool = False
    pathway: str = "net"
    standard_option: bool = True
    never_recommend: bool = False
    notes: str = ""

    @property
    def dose_text(self) -> str:
        """The regimen in one line, built from the dose constants."""
        joiner = "; or " if self.components_are_alternatives else "; plus "
        parts = joiner.join(c.text for c in self.doses)
        if parts and self.dose_note:
            return f"{parts}. {self.dose_note}"
        return parts or self.dose_note


_OCTREOTIDE_LAR = DoseComponent("Octreotide LAR", OCTREOTIDE_LAR_DOSE_MG, "mg", "IM",
                                f"every {OCTREOTIDE_LAR_INTERVAL_WEEKS} weeks")
_LANREOTIDE = DoseComponent("Lanreotide", LANREOTIDE_DOSE_MG, "mg", "deep subcutaneous",
                            f"every {LANREOTIDE_INTERVAL_WEEKS} weeks")

_THERAPY_LIST: tuple[Therapy, ...] = (
    Therapy(
        id="surveillance", name="Active surveillance (watch and wait)",
        therapy_class="surveillance", doses=(),
        dose_note=(f"Cross-sectional imaging (CT or MRI) every "
                   f"{SURVEILLANCE_EARLY_IMAGING_MONTHS[0]}-{SURVEILLANCE_EARLY_IMAGING_MONTHS[1]} "
                   f"months at first, later every "
                   f"{SURVEILLANCE_LATE_IMAGING_MONTHS[0]}-{SURVEILLANCE_LATE_IMAGING_MONTHS[1]} months "
                   f"(interval not verified against a guideline text)."),
        pivotal_trials=(), citations=("pavel2020esmo",),
        dose_verified=None, dose_source="No drug dose.",
        notes="For low tumour burden, asymptomatic, stable, low-Ki-67 disease; PROMID and CLARINET "
              "support early SSA as the alternative."),
    Therapy(
        id="ssa", name="Somatostatin analogue (octreotide LAR or lanreotide)",
        therapy_class="somatostatin analogue",
        doses=(_OCTREOTIDE_LAR, _LANREOTIDE), components_are_alternatives=True,
        dose_note="Continued until progression.",
        pivotal_trials=("promid", "clarinet"),
        citations=("rinke2009promid", "caplin2014clarinet", "fda_label_somatuline", "pavel2020esmo"),
        dose_verified=True,
        dose_source="PROMID abstract (octreotide LAR 30 mg IM monthly); CLARINET abstract "
                    "(lanreotide 120 mg every 28 days); Somatuline Depot label (deep subcutaneous).",
        notes="First line for SSTR-positive G1/G2 disease; strongest evidence for Ki-67 below 10 %."),
    Therapy(
        id="ssa_dose_escalation", name="Somatostatin analogue dose escalation",
        therapy_class="somatostatin analogue",
        doses=(DoseComponent("Octreotide LAR", OCTREOTIDE_LAR_HIGH_DOSE_MG, "mg", "IM",
                             f"every {OCTREOTIDE_LAR_HIGH_DOSE_INTERVAL_WEEKS} weeks"),),
        dose_note="Off-label; the dose of the NETTER-1 and NETTER-2 control arms. Other schemes "
                  "(shorter intervals) exist and are not set by this book.",
        pivotal_trials=("netter1", "netter2"),
        citations=("strosberg2017netter1", "singh2024netter2"),
        dose_verified=True,
        dose_source="NETTER-1 and NETTER-2 abstracts (control arm: octreotide LAR 60 mg every 4 weeks).",
        notes="Mainly for refractory carcinoid-syndrome symptoms; an active control, not a proven "
              "antiproliferative escalation."),
    Therapy(
        id="ssa_discontinuation", name="Stop the somatostatin analogue",
        therapy_class="management step", doses=(), dose_note="",
        pivotal_trials=(), citations=("pavel2020esmo",),
        dose_verified=None, dose_source="No drug dose.",
        notes="Do not stop the SSA in carcinoid syndrome (clinical-facts 11.1; not verified against "
              "the guideline text)."),
    Therapy(
        id="prrt_lu177_dotatate", name="177Lu-dotatate (PRRT)",
        therapy_class="peptide receptor radionuclide therapy",
        doses=(DoseComponent("177Lu-dotatate", LU177_DOTATATE_ACTIVITY_GBQ, "GBq", "IV",
                             f"every {LU177_DOTATATE_INTERVAL_WEEKS} weeks "
                             f"(± {LU177_DOTATATE_INTERVAL_TOLERANCE_WEEKS} week), {LU177_DOTATATE_DOSES} doses "
                             f"({_num(round(LU177_DOTATATE_ACTIVITY_GBQ * LU177_DOTATATE_DOSES, 1))} GBq "
                             f"in total)"),
               DoseComponent("Octreotide LAR", OCTREOTIDE_LAR_DOSE_MG, "mg", "IM",
                             f"after each 177Lu-dotatate dose, then every "
                             f"{OCTREOTIDE_LAR_INTERVAL_WEEKS} weeks")),
        dose_note="Renal-protective amino-acid infusion with each dose (not verified here).",
        pivotal_trials=("netter1", "netter2"),
        citations=("strosberg2017netter1", "singh2024netter2", "lutathera2024label"),
        dose_verified=True,
        dose_source="NETTER-1 NEJM abstract (7.4 GBq every 8 weeks, four infusions, octreotide LAR "
                    "30 mg); NETTER-2 (every 8 weeks ± 1 week; octreotide LAR 30 mg every 8 weeks "
                    "during, every 4 weeks after).",
        notes="SSTR-positive disease only; eligibility is checked by the PRRT calculator."),
    Therapy(
        id="everolimus", name="Everolimus", therapy_class="mTOR inhibitor",
        doses=(DoseComponent("Everolimus", EVEROLIMUS_DOSE_MG, "mg", "orally", "once daily"),),
        dose_note="Continued until progression or unacceptable toxicity.",
        pivotal_trials=("radiant3", "radiant4"),
        citations=("yao2011radiant3", "yao2016radiant4", "fda_label_afinitor"),
        dose_verified=True,
        dose_source="RADIANT-3 and RADIANT-4 abstracts (10 mg once daily); label dosage section not "
                    "read.",
        notes="Pancreatic (RADIANT-3) and non-functional lung or gastrointestinal NETs (RADIANT-4)."),
    Therapy(
        id="sunitinib", name="Sunitinib", therapy_class="multitargeted tyrosine kinase inhibitor",
        doses=(DoseComponent("Sunitinib", SUNITINIB_DOSE_MG, "mg", "orally",
                             "once daily, continuously"),),
        dose_note="",
        pivotal_trials=("a6181111",),
        citations=("raymond2011sunitinib", "fda_label_sutent"),
        dose_verified=True,
        dose_source="A6181111 abstract (37.5 mg per day); label dosage section not read.",
        notes="Pancreatic NETs only: not indicated for midgut or other extrapancreatic NETs."),
    Therapy(
        id="cabozantinib", name="Cabozantinib", therapy_class="multitargeted tyrosine kinase inhibitor",
        doses=(DoseComponent("Cabozantinib", CABOZANTINIB_DOSE_MG, "mg", "orally", "once daily"),),
        dose_note="",
        pivotal_trials=("cabinet_epnet", "cabinet_pnet"),
        citations=("chan2025cabinet", "fda_label_cabometyx"),
        dose_verified=True,
        dose_source="CABINET abstract (60 mg daily); the US label added the NET indication in "
                    "March 2025 (dosage section not read).",
        notes="After prior systemic therapy other than an SSA, pancreatic or extrapancreatic."),
    Therapy(
        id="capecitabine_temozolomide", name="Capecitabine plus temozolomide (CAPTEM)",
        therapy_class="chemotherapy",
        doses=(DoseComponent("Capecitabine", CAPECITABINE_DOSE_MG_PER_M2, "mg/m²", "orally",
                             f"{_per_day(CAPECITABINE_DOSES_PER_DAY)} on days "
                             f"{CAPECITABINE_FIRST_DAY}-{CAPECITABINE_LAST_DAY}"),
               DoseComponent("Temozolomide", TEMOZOLOMIDE_DOSE_MG_PER_M2, "mg/m²", "orally",
                             f"{_per_day(1)} on days {TEMOZOLOMIDE_FIRST_DAY}-{TEMOZOLOMIDE_LAST_DAY}")),
        dose_note=f"Repeated every {CAPTEM_CYCLE_DAYS} days.",
        pivotal_trials=("e2211",),
        citations=("kunz2023e2211", "pavel2020esmo"),
        dose_verified=True,
        dose_source="E2211 protocol summary (arm B) and the investigator's description of the "
                    "28-day cycle.",
        notes="Mainly pancreatic NETs when shrinkage is needed, bulky disease or higher Ki-67; "
              "generally not for small-intestinal NETs."),
    Therapy(
        id="streptozocin_5fu", name="Streptozocin plus 5-fluorouracil",
        therapy_class="chemotherapy", doses=(),
        dose_note="Regimen per institutional protocol; no dose is set by this book.",
        pivotal_trials=(), citations=("pavel2020esmo",),
        dose_verified=None, dose_source="No dose given (regimens vary; none verified).",
        notes="Pancreatic NETs."),
    Therapy(
        id="platinum_etoposide", name="Platinum plus etoposide",
        therapy_class="chemotherapy", doses=(),
        dose_note="Regimen per institutional protocol; no dose is set by this book.",
        pivotal_trials=(), citations=("pavel2020esmo",),
        dose_verified=None, dose_source="No dose given.",
        pathway="nec",
        notes="Neuroendocrine carcinoma pathway only; for a well-differentiated NET only when "
              "Ki-67 is very high and the tumour behaves aggressively (clinical-facts 11.2, not "
              "verified)."),
    Therapy(
        id="liver_directed_therapy", name="Liver-directed therapy (resection, ablation, TAE/TACE, SIRT)",
        therapy_class="locoregional therapy", doses=(), dose_note="",
        pivotal_trials=(), citations=("pavel2020esmo",),
        dose_verified=None, dose_source="No drug dose.",
        notes="Liver-dominant progressive or symptomatic disease."),
    Therapy(
        id="surgical_resection", name="Surgical resection", therapy_class="surgery",
        doses=(), dose_note="", pivotal_trials=(), citations=("pavel2020esmo",),
        dose_verified=None, dose_source="No drug dose.",
        notes="Primary and locoregional disease when feasible; liver debulking when at least 90 % "
              "is resectable (clinical-facts 11.1, not verified)."),
    Therapy(
        id="telotristat_ethyl", name="Telotristat ethyl", therapy_class="tryptophan hydroxylase inhibitor",
        doses=(DoseComponent("Telotristat ethyl", TELOTRISTAT_DOSE_MG, "mg", "orally",
                             _per_day(TELOTRISTAT_DOSES_PER_DAY)),),
        dose_note="Added to the somatostatin analogue, not instead of it.",
        pivotal_trials=("telestar",),
        citations=("kulke2017telestar", "fda_label_xermelo"),
        dose_verified=True,
        dose_source="Xermelo label (250 mg three times daily) and TELESTAR abstract.",
        notes="Carcinoid-syndrome diarrhoea not controlled by an SSA; no antiproliferative effect "
              "shown."),
    Therapy(
        id="interferon_alpha", name="Interferon alfa", therapy_class="biotherapy",
        doses=(), dose_note="No dose is set by this book.",
        pivotal_trials=(), citations=("pavel2020esmo",),
        dose_verified=None, dose_source="No dose given (not verified).",
        notes="Alternative for functioning tumours (clinical-facts 11.1, not verified)."),
    Therapy(
        id="ssa_for_symptoms", name="Somatostatin analogue continued for hormonal symptoms",
        therapy_class="somatostatin analogue",
        doses=(_OCTREOTIDE_LAR, _LANREOTIDE), components_are_alternatives=True,
        dose_note="Continued alongside the next line for symptom control, not as antiproliferative therapy.",
        pivotal_trials=("promid", "clarinet"),
        citations=("rinke2009promid", "caplin2014clarinet", "pavel2020esmo", "lamarca2024enets"),
        dose_verified=True, dose_source="As for the antiproliferative SSA (PROMID, CLARINET doses).",
        notes="Carcinoid syndrome after progression on an SSA: the SSA is kept for symptoms."),
    Therapy(
        id="prrt_retreatment", name="177Lu-dotatate re-treatment (PRRT rechallenge)",
        therapy_class="radioligand therapy", doses=(),
        dose_note="Usually two further cycles; the activity and number of cycles are set by the treating "
                  "centre (not fixed by this book).",
        pivotal_trials=(), citations=("hope2020prrt", "strosberg2021prrtretreatment"),
        dose_verified=None, dose_source="No dose set by this book.",
        notes="Only after a durable benefit from the first course."),
    Therapy(
        id="temozolomide", name="Temozolomide (alone or with capecitabine)", therapy_class="chemotherapy",
        doses=(), dose_note="Regimen per institutional protocol; no dose is set by this book.",
        pivotal_trials=(), citations=("baudin2021esmolung",),
        dose_verified=None, dose_source="No dose given.",
        notes="Progressive lung or thymic carcinoids, above all atypical."),
    Therapy(
        id="enucleation", name="Enucleation (parenchyma-sparing pancreatic surgery)", therapy_class="surgery",
        doses=(), dose_note="", pivotal_trials=(), citations=("hofland2023enets",),
        dose_verified=None, dose_source="No drug dose.",
        notes="Small insulinomas and selected small pancreatic NETs away from the main duct."),
    Therapy(
        id="endoscopic_resection", name="Endoscopic resection", therapy_class="endoscopy",
        doses=(), dose_note="Advanced techniques (EMR with cap or band, ESD) for the rectum.",
        pivotal_trials=(), citations=("rinke2023enets", "panzuto2023enets"),
        dose_verified=None, dose_source="No drug dose.",
        notes="Small rectal, gastric type 1 and non-ampullary duodenal NETs without risk features."),
    Therapy(
        id="appendectomy", name="Appendectomy alone", therapy_class="surgery",
        doses=(), dose_note="", pivotal_trials=(), citations=("kaltsas2023enets",),
        dose_verified=None, dose_source="No drug dose.",
        notes="Appendiceal NET below 1 cm, or 1-2 cm without risk features: no further surgery."),
    Therapy(
        id="right_hemicolectomy", name="Right hemicolectomy", therapy_class="surgery",
        doses=(), dose_note="", pivotal_trials=(), citations=("kaltsas2023enets",),
        dose_verified=None, dose_source="No drug dose.",
        notes="Appendiceal NET above 2 cm, or 1-2 cm with risk features (to be discussed)."),
    Therapy(
        id="liver_transplantation", name="Liver transplantation", therapy_class="surgery",
        doses=(), dose_note="", pivotal_trials=(), citations=("mazzaferro2016milannet",),
        dose_verified=None, dose_source="No drug dose.",
        notes="Highly selected patients meeting the Milan-NET criteria, at a transplant centre."),
    Therapy(
        id="proton_pump_inhibitor", name="High-dose proton-pump inhibitor", therapy_class="acid suppression",
        doses=(), dose_note="Dose titrated to control acid hypersecretion; not fixed by this book.",
        pivotal_trials=(), citations=("hofland2023enets",),
        dose_verified=None, dose_source="No dose set by this book.",
        notes="Gastrinoma (Zollinger-Ellison syndrome): controls acid hypersecretion."),
    Therapy(
        id="diazoxide", name="Diazoxide", therapy_class="hyperglycaemic agent",
        doses=(), dose_note="Dose titrated to glucose; not fixed by this book.",
        pivotal_trials=(), citations=("hofland2023enets",),
        dose_verified=None, dose_source="No dose set by this book.",
        notes="Insulinoma: controls hypoglycaemia before surgery or when surgery is not possible."),
    Therapy(
        id="pembrolizumab", name="Pembrolizumab (tumour-agnostic indication)", therapy_class="immunotherapy",
        doses=(), dose_note="As labelled for MSI-H/dMMR or TMB-high solid tumours; not fixed by this book.",
        pivotal_trials=(), citations=("marabelle2020keynote158", "le2017msi"),
        dose_verified=None, dose_source="No dose set by this book.",
        notes="Only for MSI-H/dMMR or TMB-high tumours that progressed after prior treatment."),
    Therapy(
        id="oxaliplatin_or_irinotecan_chemotherapy",
        name="Oxaliplatin- or irinotecan-based chemotherapy (FOLFOX, CAPOX, FOLFIRI)", therapy_class="chemotherapy",
        doses=(), dose_note="Regimen per institutional protocol; no dose is set by this book.",
        pivotal_trials=(), citations=("pavel2020esmo",),
        dose_verified=None, dose_source="No dose given.",
        notes="Later lines for neuroendocrine carcinoma and NET G3 (retrospective series)."),
    Therapy(
        id="gastrinoma_resection", name="Resection of the gastrinoma (duodenal or pancreatic)",
        therapy_class="surgery", doses=(), dose_note="", pivotal_trials=(),
        citations=("hofland2023enets", "panzuto2023enets"),
        dose_verified=None, dose_source="No drug dose.",
        notes="Type 2 gastric NETs: the gastrinoma, not the stomach, is the target."),
    Therapy(
        id="steroidogenesis_inhibitor", name="Steroidogenesis inhibitor (for example metyrapone or osilodrostat)",
        therapy_class="hormone control", doses=(), dose_note="Dose titrated to cortisol; not fixed by this book.",
        pivotal_trials=(), citations=("hofland2023enets",),
        dose_verified=None, dose_source="No dose set by this book.",
        notes="Ectopic ACTH syndrome: controls hypercortisolism."),
    Therapy(
        id="clinical_trial_referral", name="Referral to a clinical trial", therapy_class="referral",
        doses=(), dose_note="", pivotal_trials=(), citations=("pavel2020esmo", "nccn2025net"),
        dose_verified=None, dose_source="No drug dose.",
        notes="At any line; the only route to CAR-T or other experimental cell therapy."),
    Therapy(
        id="immune_checkpoint_inhibitor_monotherapy",
        name="Immune checkpoint inhibitor monotherapy", therapy_class="immunotherapy",
        doses=(), dose_note="", pivotal_trials=(), citations=(),
        dose_verified=None, dose_source="No dose: not a standard option.",
        standard_option=False,
        notes="Not offered for low-grade NETs: tumour mutational burden is low and checkpoint "
              "inhibitor activity poor (clinical-facts 9.3, partly verified)."),
    Therapy(
        id="car_t_off_trial", name="CAR-T cell therapy outside a registered trial",
        therapy_class="cell therapy", doses=(), dose_note="",
        pivotal_trials=(), citations=(),
        dose_verified=None, dose_source="No dose: never recommended.",
        standard_option=False, never_recommend=True,
        notes="No CAR-T product is approved for any NET (none is FDA-approved for any solid "
              "tumour); NET-directed CAR-T exists only in trials. Refer to a registered trial."),
)

THERAPIES: Mapping[str, Therapy] = MappingProxyType({t.id: t for t in _THERAPY_LIST})
if len(THERAPIES) != len(_THERAPY_LIST):
    raise AssertionError("duplicate therapy ids")

OPTION_IDS: tuple[str, ...] = tuple(THERAPIES)


def therapy(option_id: str) -> Therapy:
    """The therapy with this option id, or :class:`netlib.InputError` naming the accepted ids."""
    try:
        return THERAPIES[option_id]
    except (KeyError, TypeError):
        raise InputError("option_id", option_id, "one of " + ", ".join(OPTION_IDS)) from None


def name(option_id: str) -> str:
    """Display name of an option (raises :class:`netlib.InputError` for an unknown id)."""
    return therapy(option_id).name


def dose(option_id: str) -> str:
    """Dose and schedule of an option in one line; empty when it has no drug dose."""
    return therapy(option_id).dose_text
