"""Anatomical staging of well-differentiated neuroendocrine tumours, and transplant selection.

* ``tnm_stage``: UICC/AJCC 8th edition TNM (2017) for well-differentiated NETs (G1-G3) of the
  pancreas, the jejunum and ileum, the appendix, and the colon and rectum: T from tumour size
  and depth of invasion, with the N and M categories, gives the prognostic stage group.
* ``milan_net``: the Milan-NET criteria for liver transplantation for neuroendocrine liver
  metastases (Mazzaferro 2007, confirmed 2016).

Both tables are data (the T rules per site, the stage groups, the Milan-NET thresholds); the
code that reads them knows no site.

Verified (searches of public sources; AJCC/UICC manuals not read in the primary text): the T
definitions were checked against reproductions of the AJCC 8th edition tables for each site
(pancreas: Curr Oncol 2023 table and the American Cancer Society; jejunum/ileum: the AJCC 8th
table as reproduced by UpToDate and PathologyOutlines; appendix: PathologyOutlines and a 2018
review; colon and rectum: PathologyOutlines and radiology teaching tables), and the stage groups
likewise. Where reproductions disagree at a boundary, the convention is stated at the constant.

ENETS staging of pancreatic NETs (Rindi 2006) uses the same T definitions but other stage groups
(IIA/IIB, IIIA/IIIB); this calculator gives the UICC/AJCC 8th edition groups only. Duodenal,
ampullary and gastric NETs, and neuroendocrine carcinomas, have other staging systems and are
not covered. Multiple primaries (the "(m)" suffix) are staged on the most advanced tumour.
"""

from __future__ import annotations

from types import MappingProxyType
from typing import Mapping

from .inputs import InputError, Rule, boolean, choice, number
from .registry import Result, calculator, make_result

EDITION = "UICC/AJCC 8th edition (2017)"

SITE_CHOICES = {
    "pancreas": "Pancreas",
    "jejunum_ileum": "Jejunum or ileum",
    "appendix": "Appendix",
    "colon_rectum": "Colon or rectum",
}

# Depth or extent of invasion. Each site accepts only its own choices (a cross-field rule).
INVASION_CHOICES = {
    "confined_to_pancreas": "Pancreas: limited to the pancreas",
    "duodenum_or_bile_duct": "Pancreas: invades the duodenum or common bile duct",
    "adjacent_organs_or_vessel_wall": "Pancreas: invades adjacent organs (stomach, spleen, colon, adrenal) "
                                      "or the wall of large vessels (coeliac axis, SMA)",
    "lamina_propria_or_submucosa": "Bowel: lamina propria or submucosa",
    "muscularis_propria": "Bowel: muscularis propria",
    "subserosa": "Bowel: through the muscularis propria into the subserosa (appendix: or the mesoappendix), "
                 "not through the serosa",
    "serosa_or_adjacent_structures": "Bowel: visceral peritoneum (serosa) or other organs or structures",
}
_BOWEL = ("lamina_propria_or_submucosa", "muscularis_propria", "subserosa", "serosa_or_adjacent_structures")
INVASION_BY_SITE: Mapping[str, tuple[str, ...]] = MappingProxyType({
    "pancreas": ("confined_to_pancreas", "duodenum_or_bile_duct", "adjacent_organs_or_vessel_wall"),
    "jejunum_ileum": _BOWEL,
    "appendix": _BOWEL,
    "colon_rectum": _BOWEL,
})

N_CHOICES = {
    "N0": "N0: no regional lymph node metastasis",
    "N1": "N1: regional lymph node metastasis (jejunum/ileum: fewer than 12 nodes, no large mesenteric mass)",
    "N2": "N2 (jejunum/ileum only): mesenteric masses > 2 cm or 12 or more nodes",
}
N_BY_SITE: Mapping[str, tuple[str, ...]] = MappingProxyType({
    "pancreas": ("N0", "N1"), "jejunum_ileum": ("N0", "N1", "N2"), "appendix": ("N0", "N1"),
    "colon_rectum": ("N0", "N1"),
})
M_CHOICES = {
    "M0": "M0: no distant metastasis",
    "M1": "M1: distant metastasis, sites not specified",
    "M1a": "M1a: liver only",
    "M1b": "M1b: at least one extrahepatic site (lung, ovary, non-regional node, peritoneum, bone), no liver",
    "M1c": "M1c: both hepatic and extrahepatic metastases",
}

# Size cut-offs (cm) of the T categories, AJCC 8th edition.
# Pancreas: T1 < 2 cm, T2 2-4 cm, T3 > 4 cm (limited to the pancreas). Exactly 2 cm is T2 and exactly
# 4 cm is T2. (One reproduction writes T1 as "2 cm or less"; the AJCC text, the ENETS table and most
# reproductions write "< 2 cm", which this module follows.)
PANCREAS_T1_BELOW_CM = 2.0
PANCREAS_T2_UP_TO_CM = 4.0
# Jejunum/ileum: T1 invades lamina propria or submucosa AND <= 1 cm; larger is T2. Exactly 1 cm is T1.
SMALL_INTESTINE_T1_UP_TO_CM = 1.0
# Appendix: T1 <= 2 cm; T2 > 2 cm and <= 4 cm; T3 > 4 cm. Exactly 2 cm is T1, exactly 4 cm is T2.
APPENDIX_T1_UP_TO_CM = 2.0
APPENDIX_T2_UP_TO_CM = 4.0
# Colon and rectum: T1 (lamina propria or submucosa) <= 2 cm, split T1a < 1 cm and T1b 1-2 cm; larger
# is T2. Exactly 1 cm is T1b (AJCC 8th "T1a < 1 cm; T1b 1-2 cm"; one reproduction writes T1a "<= 1 cm"),
# exactly 2 cm is T1b.
COLORECTAL_T1A_BELOW_CM = 1.0
COLORECTAL_T1_UP_TO_CM = 2.0

TUMOUR_SIZE_MAXIMUM_CM = 50.0

# Stage groups. Pancreas, jejunum/ileum and appendix: I T1 N0 M0; II T2-T3 N0 M0; III T4 N0 M0 or any T
# N1-N2 M0; IV any M1. Colon and rectum: I T1 N0; IIA T2 N0; IIB T3 N0; IIIA T4 N0; IIIB any T N1; IV M1.
STAGE_GROUPS = ("Stage I", "Stage II", "Stage IIA", "Stage IIB", "Stage III", "Stage IIIA", "Stage IIIB",
                "Stage IV")
_THREE_TIER = MappingProxyType({"T1": "Stage I", "T2": "Stage II", "T3": "Stage II", "T4": "Stage III"})
_COLORECTAL = MappingProxyType({"T1a": "Stage I", "T1b": "Stage I", "T2": "Stage IIA", "T3": "Stage IIB",
                                "T4": "Stage IIIA"})
STAGE_BY_T_WHEN_N0_M0: Mapping[str, Mapping[str, str]] = MappingProxyType({
    "pancreas": _THREE_TIER, "jejunum_ileum": _THREE_TIER, "appendix": _THREE_TIER, "colon_rectum": _COLORECTAL,
})
STAGE_WHEN_NODES_M0: Mapping[str, str] = MappingProxyType({
    "pancreas": "Stage III", "jejunum_ileum": "Stage III", "appendix": "Stage III", "colon_rectum": "Stage IIIB",
})
STAGE_WHEN_M1 = "Stage IV"


def t_category(site: str, tumour_size_cm: float, invasion: str) -> str:
    """The T category from site, size and invasion (AJCC 8th). No validation."""
    if site == "pancreas":
        if invasion == "adjacent_organs_or_vessel_wall":
            return "T4"
        if invasion == "duodenum_or_bile_duct" or tumour_size_cm > PANCREAS_T2_UP_TO_CM:
            return "T3"
        return "T1" if tumour_size_cm < PANCREAS_T1_BELOW_CM else "T2"
    if invasion == "serosa_or_adjacent_structures":
        return "T4"
    if invasion == "subserosa":
        return "T3"
    if site == "appendix":
        # Appendix T1-T3 by size; invasion short of the subserosa does not raise T.
        if tumour_size_cm > APPENDIX_T2_UP_TO_CM:
            return "T3"
        return "T1" if tumour_size_cm <= APPENDIX_T1_UP_TO_CM else "T2"
    if invasion == "muscularis_propria":
        return "T2"
    if site == "jejunum_ileum":
        return "T1" if tumour_size_cm <= SMALL_INTESTINE_T1_UP_TO_CM else "T2"
    if tumour_size_cm > COLORECTAL_T1_UP_TO_CM:
        return "T2"
    return "T1a" if tumour_size_cm < COLORECTAL_T1A_BELOW_CM else "T1b"


def stage_group(site: str, t: str, n: str, m: str) -> str:
    """The prognostic stage group (AJCC 8th) from the T, N and M categories. No validation."""
    if m != "M0":
        return STAGE_WHEN_M1
    if n != "N0":
        return STAGE_WHEN_NODES_M0[site]
    return STAGE_BY_T_WHEN_N0_M0[site][t]


def _site_specific(field: str, allowed: Mapping[str, tuple[str, ...]], what: str) -> Rule:
    def check(values):
        site, value = values["site"], values[field]
        if site is None or value is None or value in allowed[site]:
            return None
        return InputError(field, value, "for this site, one of " + ", ".join(allowed[site]),
                          f"{field} {value!r} is not a {what} of {SITE_CHOICES[site].lower()} NETs; for this site "
                          f"give one of {', '.join(allowed[site])}")

    return Rule(("site", field), f"the {what} must be one defined for the site", check)


_TNM_CITATIONS = ("amin2017ajcc", "brierley2017uicc")
_ENETS = ("rindi2006enets",)


@calculator(
    id="tnm_stage",
    title="TNM stage of a well-differentiated NET (UICC/AJCC 8th edition)",
    summary="T, N and M categories and the prognostic stage group of a well-differentiated neuroendocrine tumour "
            "of the pancreas, jejunum/ileum, appendix or colon/rectum, by the UICC/AJCC 8th edition.",
    fields=(
        choice("site", "Primary site", SITE_CHOICES,
               help="Duodenal, ampullary and gastric NETs have their own tables and are not covered here.",
               source=_TNM_CITATIONS),
        number("tumour_size_cm", "Tumour size", "cm", 0, TUMOUR_SIZE_MAXIMUM_CM, exclusive_minimum=True,
               step=0.1, help="Greatest dimension of the primary tumour, in centimetres (pathology where "
                              "available).", source=_TNM_CITATIONS),
        choice("invasion", "Depth or extent of invasion", INVASION_CHOICES,
               help="Pancreas: the three pancreatic choices; jejunum/ileum, appendix, colon and rectum: the bowel-"
                    "wall layers.", source=_TNM_CITATIONS),
        choice("n_category", "N category", N_CHOICES,
               help="Regional lymph nodes, clinical or pathological. N2 exists for the jejunum and ileum only.",
               source=_TNM_CITATIONS),
        choice("m_category", "M category", M_CHOICES,
               help="Distant metastasis; the M1 subcategories do not change the stage group.",
               source=_TNM_CITATIONS),
    ),
    rules=(_site_specific("invasion", INVASION_BY_SITE, "depth of invasion"),
           _site_specific("n_category", N_BY_SITE, "N category")),
    categories=STAGE_GROUPS,
    citations=_TNM_CITATIONS + _ENETS,
    when_to_use="After resection or complete staging imaging of a well-differentiated NET of the pancreas, "
                "jejunum/ileum, appendix or colon/rectum, to record the anatomical extent in the common language "
                "of tumour boards and registries.",
    pearls=(
        f"Pancreas: T1 below {PANCREAS_T1_BELOW_CM:g} cm, T2 from {PANCREAS_T1_BELOW_CM:g} to "
        f"{PANCREAS_T2_UP_TO_CM:g} cm (both included), T3 above {PANCREAS_T2_UP_TO_CM:g} cm or into the duodenum "
        "or bile duct, T4 into adjacent organs or the wall of large vessels.",
        f"Appendix: T1 up to {APPENDIX_T1_UP_TO_CM:g} cm, T2 up to {APPENDIX_T2_UP_TO_CM:g} cm, T3 above that or "
        "with subserosal or mesoappendiceal invasion.",
        f"Colon and rectum: T1a below {COLORECTAL_T1A_BELOW_CM:g} cm, T1b from {COLORECTAL_T1A_BELOW_CM:g} to "
        f"{COLORECTAL_T1_UP_TO_CM:g} cm; larger or into the muscularis propria is T2. Reproductions of the table "
        "disagree on exactly 1 cm: this book follows the AJCC wording (1 cm is T1b).",
        f"Jejunum and ileum: T1 only when confined to the lamina propria or submucosa and at most "
        f"{SMALL_INTESTINE_T1_UP_TO_CM:g} cm; N2 means mesenteric masses above 2 cm or 12 or more nodes.",
        "ENETS staging of pancreatic NETs uses the same T definitions but other stage groups (IIA/IIB, IIIA/IIIB); "
        "say which system a report uses.",
        "Stage describes anatomical extent only: grade (Ki-67, mitoses) is reported alongside, not within it.",
    ),
)
def tnm_stage(*, site: str, tumour_size_cm: float, invasion: str, n_category: str, m_category: str) -> Result:
    t = t_category(site, tumour_size_cm, invasion)
    group = stage_group(site, t, n_category, m_category)
    return make_result(
        "tnm_stage", category=group,
        interpretation=f"{t} {n_category} {m_category}: {group}, well-differentiated NET of the "
                       f"{SITE_CHOICES[site].lower()} ({EDITION}).",
        citations=_TNM_CITATIONS,
        details={"t_category": t, "n_category": n_category, "m_category": m_category, "site": site,
                 "edition": EDITION})


# ---------------------------------------------------------------------------------------------
# Milan-NET criteria for liver transplantation (Mazzaferro 2007, J Hepatol 47:460; 2016, Am J
# Transplant 16:2892). Each criterion is an inclusive limit: the value on the limit meets it.
# ---------------------------------------------------------------------------------------------

# Low-grade tumour: 2007 "carcinoid (low-grade NET)"; 2016 and later reviews G1-G2 (Ki-67 < 10 % in some
# descriptions). Convention: G1 and G2 meet the criterion, G3 does not.
MILAN_NET_GRADES = ("G1", "G2")
# Hepatic involvement by metastases <= 50 % of the liver volume (2007 criteria as reproduced; some
# reviews write "< 50 %"; this module follows "<= 50 %", so exactly 50 % meets it).
MILAN_NET_LIVER_INVOLVEMENT_MAXIMUM_PERCENT = 50.0
# Good response or stable disease for at least 6 months before transplantation.
MILAN_NET_STABLE_DISEASE_MINIMUM_MONTHS = 6.0
# Age: <= 55 years in the 2007 criteria; <= 60 years in the Milan-NET criteria of the 2016 series
# (from secondary sources; not verified against the primary text). This module applies 60.
MILAN_NET_MAXIMUM_AGE_YEARS = 60
MILAN_NET_2007_MAXIMUM_AGE_YEARS = 55

MEETS = "meets Milan-NET criteria"
DOES_NOT_MEET = "does not meet Milan-NET criteria"
MILAN_NET_CATEGORIES = (MEETS, DOES_NOT_MEET)
GRADE_CHOICES = {"G1": "G1", "G2": "G2", "G3": "G3 (well-differentiated NET)"}
STABLE_DISEASE_MAXIMUM_MONTHS = 600.0
MILAN_NET_AGE_MAXIMUM_YEARS = 120

_MILAN_CITATIONS = ("mazzaferro2007milan", "mazzaferro2016milannet", "maspero2022milan")


@calculator(
    id="milan_net",
    title="Milan-NET criteria for liver transplantation",
    summary="Checks the Milan-NET criteria for liver transplantation for unresectable neuroendocrine liver "
            "metastases and lists every criterion that is not met.",
    fields=(
        choice("grade", "Grade (WHO)", GRADE_CHOICES,
               help=f"The criteria require a low-grade tumour ({' or '.join(MILAN_NET_GRADES)}).",
               source=_MILAN_CITATIONS),
        boolean("primary_portal_drained", "Primary drained by the portal system",
                help="Pancreas or gut from the stomach to the upper rectum; not lung, lower rectum or other "
                     "systemically drained sites.", source=_MILAN_CITATIONS),
        boolean("primary_resected", "Primary tumour resected",
                help="Curative removal of the primary (and of extrahepatic disease) at a separate operation "
                     "before transplantation.", source=_MILAN_CITATIONS),
        number("liver_involvement_percent", "Liver involvement by metastases", "%", 0, 100, step=1,
               help=f"Share of the liver volume occupied by metastases; at most "
                    f"{MILAN_NET_LIVER_INVOLVEMENT_MAXIMUM_PERCENT:g} %.", source=_MILAN_CITATIONS),
        boolean("extrahepatic_disease", "Extrahepatic disease",
                help="Any disease outside the liver on SSTR PET and cross-sectional imaging.",
                source=_MILAN_CITATIONS),
        number("stable_disease_months", "Stable disease or response before listing", "months", 0,
               STABLE_DISEASE_MAXIMUM_MONTHS, step=1,
               help=f"Months of stable disease or response; at least "
                    f"{MILAN_NET_STABLE_DISEASE_MINIMUM_MONTHS:g}.", source=_MILAN_CITATIONS),
        number("age_years", "Age", "years", 0, MILAN_NET_AGE_MAXIMUM_YEARS, step=1,
               help=f"At most {MILAN_NET_MAXIMUM_AGE_YEARS} years (Milan-NET; the 2007 criteria said "
                    f"{MILAN_NET_2007_MAXIMUM_AGE_YEARS}).", source=_MILAN_CITATIONS),
    ),
    categories=MILAN_NET_CATEGORIES,
    citations=_MILAN_CITATIONS,
    when_to_use="Unresectable, liver-only metastases of a low-grade NET, when liver transplantation is being "
                "considered at a transplant centre with NET experience.",
    pearls=(
        f"Every limit is inclusive: liver involvement of exactly {MILAN_NET_LIVER_INVOLVEMENT_MAXIMUM_PERCENT:g} %, "
        f"{MILAN_NET_STABLE_DISEASE_MINIMUM_MONTHS:g} months of stable disease and age "
        f"{MILAN_NET_MAXIMUM_AGE_YEARS} meet the criteria.",
        f"The 2007 criteria set the age limit at {MILAN_NET_2007_MAXIMUM_AGE_YEARS}; the Milan-NET series applied "
        f"{MILAN_NET_MAXIMUM_AGE_YEARS}, which this calculator uses (not verified against the primary text).",
        "Liver resection remains the first choice for resectable liver metastases; the criteria select "
        "unresectable disease for transplantation.",
        "Meeting the criteria is necessary, not sufficient: comorbidity, organ allocation and the transplant "
        "team's judgement decide.",
    ),
)
def milan_net(*, grade: str, primary_portal_drained: bool, primary_resected: bool,
              liver_involvement_percent: float, extrahepatic_disease: bool, stable_disease_months: float,
              age_years: float) -> Result:
    failed: list[str] = []
    reasons: list[str] = []
    if grade not in MILAN_NET_GRADES:
        failed.append("grade")
        reasons.append(f"Grade {grade}: the criteria require a low-grade ({' or '.join(MILAN_NET_GRADES)}) tumour.")
    if not primary_portal_drained:
        failed.append("portal_drainage")
        reasons.append("The primary is not drained by the portal system.")
    if not primary_resected:
        failed.append("primary_resected")
        reasons.append("The primary tumour has not been resected before transplantation.")
    if liver_involvement_percent > MILAN_NET_LIVER_INVOLVEMENT_MAXIMUM_PERCENT:
        failed.append("liver_involvement")
        reasons.append(f"Liver involvement {liver_involvement_percent:g} % is above the maximum of "
                       f"{MILAN_NET_LIVER_INVOLVEMENT_MAXIMUM_PERCENT:g} %.")
    if extrahepatic_disease:
        failed.append("extrahepatic_disease")
        reasons.append("Extrahepatic disease is present; the criteria require liver-only metastases.")
    if stable_disease_months < MILAN_NET_STABLE_DISEASE_MINIMUM_MONTHS:
        failed.append("stable_disease")
        reasons.append(f"Stable disease or response for {stable_disease_months:g} months, fewer than the "
                       f"{MILAN_NET_STABLE_DISEASE_MINIMUM_MONTHS:g} months required.")
    if age_years > MILAN_NET_MAXIMUM_AGE_YEARS:
        failed.append("age")
        reasons.append(f"Age {age_years:g} years is above the maximum of {MILAN_NET_MAXIMUM_AGE_YEARS} years.")
    if failed:
        category = DOES_NOT_MEET
        interpretation = f"Does not meet the Milan-NET criteria ({len(failed)} not met). " + " ".join(reasons)
    else:
        category = MEETS
        interpretation = ("Meets every Milan-NET criterion: a candidate for discussion with a transplant centre; "
                          "comorbidity and the centre's own rules still apply.")
    return make_result("milan_net", category=category, interpretation=interpretation, citations=_MILAN_CITATIONS,
                       details={"failed_criteria": tuple(failed), "reasons": tuple(reasons)})
