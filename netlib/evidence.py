"""Pivotal trials in advanced well-differentiated neuroendocrine tumours, as data.

One frozen :class:`Trial` per trial (CABINET has one row per cohort), in
:data:`TRIALS`.  The book renders them with :func:`trial_table`, draws the forest
plot from :func:`forest_rows`, and the pathway names its evidence with
:func:`trial`.

Conventions
-----------
* Every figure is the **primary analysis** of the pivotal publication.  NETTER-1
  is cited as HR 0.21 (NEJM 2017), not the 0.18 (0.11-0.29) of the later
  analysis with additional scans that the European product information quotes.
  CABINET is cited from NEJM (epNET 203, pNET 95 patients), not the FDA
  re-analysis on the label (99 and 199 patients, pNET HR 0.22).
* Hazard ratios are experimental versus control: below 1 favours the
  experimental arm.  Two secondary-source errors are deliberately not
  reproduced: a review table that prints the CLARINET interval as "2.1-24.0"
  (it is 0.30-0.73) and a summary site that gives CABINET epNET as
  "HR 2.6 (1.7-4)" (the reciprocal of 0.38).
* ``verified`` is True when every figure in the row was read in the trial's
  abstract (directly, or through an abstract mirror or a faithful summary named in
  ``verification_note``).  Two confidence intervals could not be found in the
  retrieved sources and are flagged: NETTER-1 (0.13-0.33) and E2211 (0.36-0.93).
* ``registration`` (ClinicalTrials.gov) was read in the trial abstracts where they
  print it, otherwise in secondary trial listings; the sunitinib trial's is left
  empty because no retrieved source gave it.

Standard library only.
"""

from __future__ import annotations

from dataclasses import dataclass
from types import MappingProxyType
from typing import Mapping

from .inputs import InputError

__all__ = ["PRIMARY_SITES", "Trial", "ForestRow", "TRIALS", "TRIAL_TABLE_COLUMNS",
           "trial", "forest_rows", "trial_table"]

# Vocabulary for the primary site(s) a trial enrolled.  "midgut" covers the
# small intestine (jejunum, ileum) and caecum/appendix/proximal colon; the
# pathway may treat small_intestine as a midgut site.
PRIMARY_SITES: Mapping[str, str] = MappingProxyType({
    "pancreas": "Pancreas",
    "midgut": "Midgut (small intestine, caecum, appendix, proximal colon)",
    "small_intestine": "Small intestine",
    "hindgut": "Hindgut (distal colon, rectum)",
    "gastrointestinal": "Gastrointestinal tract (any level)",
    "lung": "Lung",
    "thymus": "Thymus",
    "unknown_primary": "Unknown primary",
    "gastroenteropancreatic": "Gastroenteropancreatic (digestive tract and pancreas)",
    "extrapancreatic": "Any site except the pancreas (gastrointestinal, lung, thymus, unknown)",
    "any": "Any primary site (trial defined by a syndrome, not a site)",
})


@dataclass(frozen=True, slots=True)
class Trial:
    """One pivotal trial (or one independently randomised cohort of it).

    Medians are in months; ``None`` where not reached or not applicable, with
    ``median_text`` saying which.  ``hazard_ratio``, ``ci_low`` and ``ci_high``
    are ``None`` where the trial reported none (TELESTAR's endpoint is a change in
    bowel-movement frequency).
    """

    id: str
    name: str
    citation: str
    reference: str
    year: int
    phase: str
    population: str
    sites: tuple[str, ...]
    n_randomised: int
    experimental_arm: str
    control_arm: str
    primary_endpoint: str
    median_experimental_months: float | None
    median_control_months: float | None
    median_text: str
    hazard_ratio: float | None
    ci_low: float | None
    ci_high: float | None
    p_value: str
    verified: bool
    verification_note: str
    cohort: str | None = None
    registration: str | None = None
    other_results: str = ""

    def __post_init__(self) -> None:
        # Declaration bugs, caught at import rather than in a rendered table.
        unknown = [s for s in self.sites if s not in PRIMARY_SITES]
        if unknown or not self.sites:
            raise AssertionError(f"{self.id}: sites {unknown or self.sites} not in PRIMARY_SITES")
        interval = (self.hazard_ratio, self.ci_low, self.ci_high)
        if any(v is None for v in interval) and any(v is not None for v in interval[1:]):
            raise AssertionError(f"{self.id}: a confidence interval needs a hazard ratio and both limits")
        if self.ci_low is not None and not self.ci_low <= self.hazard_ratio <= self.ci_high:
            raise AssertionError(f"{self.id}: hazard ratio {self.hazard_ratio} outside its interval")

    @property
    def label(self) -> str:
        """Display name with the cohort, e.g. ``CABINET (pNET)``."""
        return f"{self.name} ({self.cohort})" if self.cohort else self.name

    @property
    def has_interval(self) -> bool:
        return self.ci_low is not None


@dataclass(frozen=True, slots=True)
class ForestRow:
    """One line of a forest plot: hazard ratio and its 95 % confidence interval."""

    trial_id: str
    label: str
    hazard_ratio: float
    ci_low: float
    ci_high: float
    primary_endpoint: str
    verified: bool


TRIALS: tuple[Trial, ...] = (
    Trial(
        id="promid", name="PROMID", citation="rinke2009promid",
        reference="J Clin Oncol 2009;27(28):4656-4663", year=2009, phase="3",
        population="Treatment-naive, well-differentiated metastatic midgut NET, functioning or not",
        sites=("midgut",), n_randomised=85,
        experimental_arm="Octreotide LAR 30 mg IM every 4 weeks",
        control_arm="Placebo",
        primary_endpoint="Time to tumour progression",
        median_experimental_months=14.3, median_control_months=6.0,
        median_text="14.3 vs 6.0 months",
        hazard_ratio=0.34, ci_low=0.20, ci_high=0.59, p_value="P = 0.000072",
        verified=True,
        verification_note="Abstract (PubMed 19704057, mirrored): TTP 14.3 vs 6 months, "
                          "HR 0.34 (0.20-0.59), P = .000072.",
        registration="NCT00171873",
        other_results="Stable disease at 6 months 66.7 % vs 37.2 %; long-term OS 84.7 vs 83.7 months, "
                      "HR 0.83 (0.47-1.46) (Neuroendocrinology 2017)."),
    Trial(
        id="clarinet", name="CLARINET", citation="caplin2014clarinet",
        reference="N Engl J Med 2014;371(3):224-233", year=2014, phase="3",
        population="Non-functioning, SSTR-positive, grade 1-2 (Ki-67 < 10 %) enteropancreatic or "
                   "unknown-primary NET; 96 % without progression at entry",
        sites=("pancreas", "midgut", "hindgut", "unknown_primary"), n_randomised=204,
        experimental_arm="Lanreotide 120 mg deep SC every 28 days for 96 weeks",
        control_arm="Placebo",
        primary_endpoint="Progression-free survival (RECIST 1.0)",
        median_experimental_months=None, median_control_months=18.0,
        median_text="not reached vs 18.0 months",
        hazard_ratio=0.47, ci_low=0.30, ci_high=0.73, p_value="P < 0.001 (stratified log-rank)",
        verified=True,
        verification_note="Abstract (University of Antwerp repository copy): median not reached vs "
                          "18.0 months, HR 0.47 (0.30-0.73), P < 0.001; 24-month PFS 65.1 % vs 33.0 %.",
        registration="NCT00353496",
        other_results="24-month PFS 65.1 % vs 33.0 %."),
    Trial(
        id="radiant3", name="RADIANT-3", citation="yao2011radiant3",
        reference="N Engl J Med 2011;364(6):514-523", year=2011, phase="3",
        population="Advanced low- or intermediate-grade pancreatic NET with radiological progression "
                   "within 12 months",
        sites=("pancreas",), n_randomised=410,
        experimental_arm="Everolimus 10 mg orally once daily",
        control_arm="Placebo",
        primary_endpoint="Progression-free survival",
        median_experimental_months=11.0, median_control_months=4.6,
        median_text="11.0 vs 4.6 months",
        hazard_ratio=0.35, ci_low=0.27, ci_high=0.45, p_value="P < 0.001",
        verified=True,
        verification_note="Abstract (PubMed 21306238, mirrored): 11.0 vs 4.6 months, "
                          "HR 0.35 (0.27-0.45), P < 0.001.",
        registration="NCT00510068",
        other_results="18-month PFS 34 % vs 9 %."),
    Trial(
        id="a6181111", name="A6181111", citation="raymond2011sunitinib",
        reference="N Engl J Med 2011;364(6):501-513", year=2011, phase="3",
        population="Advanced well-differentiated pancreatic NET with RECIST progression within "
                   "12 months; stopped early",
        sites=("pancreas",), n_randomised=171,
        experimental_arm="Sunitinib 37.5 mg orally once daily",
        control_arm="Placebo",
        primary_endpoint="Progression-free survival",
        median_experimental_months=11.4, median_control_months=5.5,
        median_text="11.4 vs 5.5 months",
        hazard_ratio=0.42, ci_low=0.26, ci_high=0.66, p_value="P < 0.001",
        verified=True,
        verification_note="Abstract (PubMed 21306237, mirrored; Seoul National University "
                          "repository): 11.4 vs 5.5 months, HR 0.42 (0.26-0.66), P < 0.001.",
        other_results="Objective response 9.3 % vs 0 %."),
    Trial(
        id="radiant4", name="RADIANT-4", citation="yao2016radiant4",
        reference="Lancet 2016;387(10022):968-977", year=2016, phase="3",
        population="Advanced, progressive, well-differentiated, non-functional NET of lung or "
                   "gastrointestinal origin",
        sites=("lung", "gastrointestinal"), n_randomised=302,
        experimental_arm="Everolimus 10 mg orally once daily",
        control_arm="Placebo",
        primary_endpoint="Progression-free survival (central review)",
        median_experimental_months=11.0, median_control_months=3.9,
        median_text="11.0 vs 3.9 months",
        hazard_ratio=0.48, ci_low=0.35, ci_high=0.67, p_value="P < 0.00001",
        verified=True,
        verification_note="Abstract (Lancet, PubMed 26703889): 11.0 (9.2-13.3) vs 3.9 (3.6-7.4) "
                          "months, HR 0.48 (0.35-0.67); P < 0.00001 as quoted by a later RADIANT-4 "
                          "analysis.",
        registration="NCT01524783",
        other_results="Randomised 2:1 (205 vs 97)."),
    Trial(
        id="netter1", name="NETTER-1", citation="strosberg2017netter1",
        reference="N Engl J Med 2017;376(2):125-135", year=2017, phase="3",
        population="Well-differentiated, SSTR-positive, metastatic midgut NET progressing on "
                   "octreotide LAR 20-30 mg",
        sites=("midgut",), n_randomised=229,
        experimental_arm="177Lu-dotatate 7.4 GBq IV every 8 weeks x 4 plus octreotide LAR 30 mg",
        control_arm="Octreotide LAR 60 mg IM every 4 weeks",
        primary_endpoint="Progression-free survival (RECIST 1.1, central review)",
        median_experimental_months=None, median_control_months=8.4,
        median_text="not reached vs 8.4 months",
        hazard_ratio=0.21, ci_low=0.13, ci_high=0.33, p_value="P < 0.001",
        verified=False,
        verification_note="HR 0.21, control median 8.4 months (J Nucl Med 2016 abstract), 20-month "
                          "PFS 65.2 % vs 10.8 % and response 18 % vs 3 % (NEJM abstract, Erasmus "
                          "repository) verified; the 95 % CI 0.13-0.33 was not found in any retrieved "
                          "source. Primary analysis cited: a later analysis with additional scans "
                          "gives HR 0.18 (0.11-0.29) and the US label a control median of 8.5 months.",
        registration="NCT01578239",
        other_results="20-month PFS 65.2 % vs 10.8 %; response 18 % vs 3 %; final OS 48.0 vs "
                      "36.3 months, HR 0.84 (0.60-1.17), not significant (Lancet Oncol 2021)."),
    Trial(
        id="netter2", name="NETTER-2", citation="singh2024netter2",
        reference="Lancet 2024;403(10446):2807-2817", year=2024, phase="3",
        population="Newly diagnosed (within 6 months), SSTR-positive, advanced GEP-NET, "
                   "G2 (Ki-67 10-20 %) or G3 (Ki-67 > 20-55 %), age 15 years or older; first line",
        sites=("gastroenteropancreatic",), n_randomised=226,
        experimental_arm="177Lu-dotatate 7.4 GBq IV every 8 weeks x 4 plus octreotide LAR 30 mg",
        control_arm="Octreotide LAR 60 mg IM every 4 weeks",
        primary_endpoint="Progression-free survival (central review)",
        median_experimental_months=22.8, median_control_months=8.5,
        median_text="22.8 vs 8.5 months",
        hazard_ratio=0.276, ci_low=0.182, ci_high=0.418, p_value="P < 0.0001",
        verified=True,
        verification_note="Lancet abstract figures as reported by DocWire News and the Lutathera "
                          "prescriber site: 22.8 (19.4-not estimated) vs 8.5 (7.7-13.8) months, "
                          "stratified HR 0.276 (0.182-0.418), P < 0.0001; 151 vs 75 randomised.",
        registration="NCT03972488",
        other_results="Objective response 43.0 % vs 9.3 %."),
    Trial(
        id="cabinet_epnet", name="CABINET", cohort="epNET", citation="chan2025cabinet",
        reference="N Engl J Med 2025;392(7):653-665", year=2025, phase="3",
        population="Previously treated (PRRT and/or targeted therapy), progressive, advanced "
                   "extrapancreatic NET (gastrointestinal, lung, thymus, unknown primary)",
        sites=("extrapancreatic",), n_randomised=203,
        experimental_arm="Cabozantinib 60 mg orally once daily",
        control_arm="Placebo",
        primary_endpoint="Progression-free survival (blinded independent central review)",
        median_experimental_months=8.4, median_control_months=3.9,
        median_text="8.4 vs 3.9 months",
        hazard_ratio=0.38, ci_low=0.25, ci_high=0.59, p_value="P < 0.001",
        verified=True,
        verification_note="Abstract (PubMed 39282913, mirrored): 8.4 vs 3.9 months, stratified "
                          "HR 0.38 (0.25-0.59), P < 0.001. Page range 653-665 not verified.",
        registration="NCT03375320",
        other_results="Confirmed objective response 5 % vs 0 %; randomised 2:1."),
    Trial(
        id="cabinet_pnet", name="CABINET", cohort="pNET", citation="chan2025cabinet",
        reference="N Engl J Med 2025;392(7):653-665", year=2025, phase="3",
        population="Previously treated (PRRT and/or targeted therapy), progressive, advanced "
                   "pancreatic NET",
        sites=("pancreas",), n_randomised=95,
        experimental_arm="Cabozantinib 60 mg orally once daily",
        control_arm="Placebo",
        primary_endpoint="Progression-free survival (blinded independent central review)",
        median_experimental_months=13.8, median_control_months=4.4,
        median_text="13.8 vs 4.4 months",
        hazard_ratio=0.23, ci_low=0.12, ci_high=0.42, p_value="P < 0.001",
        verified=True,
        verification_note="Abstract (PubMed 39282913, mirrored): 13.8 vs 4.4 months, stratified "
                          "HR 0.23 (0.12-0.42), P < 0.001. Page range 653-665 not verified.",
        registration="NCT03375320",
        other_results="Confirmed objective response 19 % vs 0 %; randomised 2:1."),
    Trial(
        id="e2211", name="ECOG-ACRIN E2211", citation="kunz2023e2211",
        reference="J Clin Oncol 2023;41(7):1359-1369", year=2023, phase="2",
        population="Advanced low- or intermediate-grade pancreatic NET, progression within 12 months, "
                   "no prior temozolomide, dacarbazine, capecitabine or fluorouracil",
        sites=("pancreas",), n_randomised=144,
        experimental_arm="Capecitabine 750 mg/m² twice daily days 1-14 plus temozolomide 200 mg/m² "
                         "days 10-14, every 28 days",
        control_arm="Temozolomide 200 mg/m² days 1-5, every 28 days",
        primary_endpoint="Progression-free survival",
        median_experimental_months=22.7, median_control_months=14.4,
        median_text="22.7 vs 14.4 months",
        hazard_ratio=0.58, ci_low=0.36, ci_high=0.93, p_value="P = 0.022 (stratified log-rank)",
        verified=False,
        verification_note="Abstract (PubMed 36260828, mirrored): 22.7 vs 14.4 months, HR 0.58, "
                          "stratified log-rank P = .022 at the interim analysis, 133 eligible of 144 "
                          "randomised; the 95 % CI 0.36-0.93 was not found in any retrieved source.",
        registration="NCT01824875",
        other_results="Final OS 58.7 vs 53.8 months, HR 0.82, P = 0.42. Randomised phase 2."),
    Trial(
        id="telestar", name="TELESTAR", citation="kulke2017telestar",
        reference="J Clin Oncol 2017;35(1):14-23", year=2017, phase="3",
        population="Well-differentiated metastatic NET with carcinoid syndrome and 4 or more bowel "
                   "movements a day despite stable-dose somatostatin analogue",
        sites=("any",), n_randomised=135,
        experimental_arm="Telotristat ethyl 250 mg or 500 mg orally three times daily, with SSA",
        control_arm="Placebo, with SSA",
        primary_endpoint="Change from baseline in daily bowel-movement frequency over 12 weeks",
        median_experimental_months=None, median_control_months=None,
        median_text="not applicable (symptom endpoint)",
        hazard_ratio=None, ci_low=None, ci_high=None,
        p_value="P < 0.001 for each dose vs placebo",
        verified=True,
        verification_note="Abstract (copy of the JCO article): bowel movements -0.81/day (250 mg) and "
                          "-0.69/day (500 mg) vs placebo, P < .001; responders 44 % and 42 % vs 20 %.",
        registration="NCT01677910",
        other_results="Placebo-adjusted reduction -0.81 (250 mg) and -0.69 (500 mg) bowel movements "
                      "per day; responders 44 % and 42 % vs 20 %."),
)

_BY_ID: Mapping[str, Trial] = MappingProxyType({t.id: t for t in TRIALS})
if len(_BY_ID) != len(TRIALS):
    raise AssertionError("duplicate trial ids in TRIALS")


def _normalise(name: str) -> str:
    return "".join(ch for ch in name.lower() if ch.isalnum())


def _aliases() -> dict[str, str]:
    table: dict[str, str] = {}
    for t in TRIALS:
        for alias in (t.id, t.label):
            table[_normalise(alias)] = t.id
    table.update({"e2211": "e2211", "ecogacrine2211": "e2211", "sunitinib": "a6181111",
                  "a6181111sunitinib": "a6181111", "cabinetepnet": "cabinet_epnet",
                  "cabinetpnet": "cabinet_pnet"})
    return table


_ALIASES: Mapping[str, str] = MappingProxyType(_aliases())
# CABINET randomised two cohorts separately: the bare name is ambiguous.
_AMBIGUOUS: Mapping[str, tuple[str, ...]] = MappingProxyType(
    {"cabinet": ("cabinet_epnet", "cabinet_pnet"), "a021602": ("cabinet_epnet", "cabinet_pnet")})


def trial(name: str) -> Trial:
    """The trial with this id or name (case, spaces and hyphens ignored).

    ``trial("NETTER-1")``, ``trial("netter1")`` and ``trial("CABINET (pNET)")``
    all work; a bare ``"CABINET"`` is refused because its two cohorts differ.
    """
    key = _normalise(name) if isinstance(name, str) else ""
    if key in _AMBIGUOUS:
        cohorts = ", ".join(_AMBIGUOUS[key])
        raise InputError("name", name, f"one cohort: {cohorts}",
                         f"{name} randomised two cohorts separately; ask for one of {cohorts}")
    try:
        return _BY_ID[_ALIASES[key]]
    except KeyError:
        accepted = "one of " + ", ".join(_BY_ID)
        raise InputError("name", name, accepted) from None


def forest_rows() -> tuple[ForestRow, ...]:
    """Rows for a forest plot: every trial that reported a hazard ratio with a 95 % CI."""
    return tuple(ForestRow(t.id, t.label, t.hazard_ratio, t.ci_low, t.ci_high, t.primary_endpoint,
                           t.verified)
                 for t in TRIALS if t.has_interval)


TRIAL_TABLE_COLUMNS: tuple[str, ...] = (
    "Trial", "Reference", "Population", "Primary site", "n", "Experimental arm", "Control arm",
    "Primary endpoint", "Median", "HR (95 % CI)", "P", "Verified")


def _ratio(x: float) -> str:
    # Keep the published precision: 0.30 stays "0.30", NETTER-2's 0.276 keeps three decimals.
    return f"{x:.2f}" if round(x, 2) == x else f"{x:.3f}"


def _hazard_text(t: Trial) -> str:
    if t.hazard_ratio is None:
        return "not reported"
    if t.ci_low is None:
        return _ratio(t.hazard_ratio)
    return f"{_ratio(t.hazard_ratio)} ({_ratio(t.ci_low)}-{_ratio(t.ci_high)})"


def trial_table() -> list[dict[str, str]]:
    """Plain rows (column name -> text) for rendering; columns in :data:`TRIAL_TABLE_COLUMNS`."""
    rows = []
    for t in TRIALS:
        rows.append({
            "Trial": t.label,
            "Reference": t.reference,
            "Population": t.population,
            "Primary site": ", ".join(PRIMARY_SITES[s] for s in t.sites),
            "n": str(t.n_randomised),
            "Experimental arm": t.experimental_arm,
            "Control arm": t.control_arm,
            "Primary endpoint": t.primary_endpoint,
            "Median": t.median_text,
            "HR (95 % CI)": _hazard_text(t),
            "P": t.p_value,
            "Verified": "yes" if t.verified else "partly (see note)",
        })
    return rows
