"""Tests for netlib.staging: UICC/AJCC 8th edition TNM for well-differentiated NETs, and the
Milan-NET criteria for liver transplantation.

T definitions (AJCC 8th edition, as reproduced; see the module docstring):
pancreas T1 < 2 cm, T2 2-4 cm, T3 > 4 cm or duodenum/bile duct, T4 adjacent organs or large vessels;
jejunum/ileum T1 lamina propria/submucosa and <= 1 cm, T2 muscularis propria or > 1 cm, T3 subserosa,
T4 serosa or other organs; appendix T1 <= 2 cm, T2 > 2-4 cm, T3 > 4 cm or subserosa/mesoappendix,
T4 peritoneum or adjacent organs; colon/rectum T1a < 1 cm, T1b 1-2 cm, T2 muscularis propria or > 2 cm,
T3 subserosa, T4 serosa or other organs.
Milan-NET (Mazzaferro 2007 and 2016): G1-G2, portal drainage, primary resected, liver involvement
<= 50 %, no extrahepatic disease, stable disease >= 6 months, age <= 60.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import given, strategies as st

from netlib import InputError
from netlib.staging import (
    APPENDIX_T1_UP_TO_CM,
    APPENDIX_T2_UP_TO_CM,
    COLORECTAL_T1A_BELOW_CM,
    COLORECTAL_T1_UP_TO_CM,
    DOES_NOT_MEET,
    INVASION_BY_SITE,
    MEETS,
    MILAN_NET_LIVER_INVOLVEMENT_MAXIMUM_PERCENT,
    MILAN_NET_MAXIMUM_AGE_YEARS,
    MILAN_NET_STABLE_DISEASE_MINIMUM_MONTHS,
    N_BY_SITE,
    PANCREAS_T1_BELOW_CM,
    PANCREAS_T2_UP_TO_CM,
    SITE_CHOICES,
    SMALL_INTESTINE_T1_UP_TO_CM,
    STAGE_GROUPS,
    milan_net,
    stage_group,
    t_category,
    tnm_stage,
)

BIB = Path(__file__).resolve().parent.parent / "book" / "references.bib"
ORDER = {"T1": 1, "T1a": 1, "T1b": 1.5, "T2": 2, "T3": 3, "T4": 4}
STAGE_ORDER = {"Stage I": 1, "Stage II": 2, "Stage IIA": 2, "Stage IIB": 2.5, "Stage III": 3, "Stage IIIA": 3,
               "Stage IIIB": 3.5, "Stage IV": 4}


def stage(site, size, invasion, n="N0", m="M0"):
    return tnm_stage(site=site, tumour_size_cm=size, invasion=invasion, n_category=n, m_category=m)


def test_the_cut_offs_are_the_published_ones():
    # AJCC 8th edition: pancreas 2 and 4 cm; appendix 2 and 4 cm; colon/rectum 1 and 2 cm; jejunum/ileum 1 cm
    assert (PANCREAS_T1_BELOW_CM, PANCREAS_T2_UP_TO_CM) == (2.0, 4.0)
    assert (APPENDIX_T1_UP_TO_CM, APPENDIX_T2_UP_TO_CM) == (2.0, 4.0)
    assert (COLORECTAL_T1A_BELOW_CM, COLORECTAL_T1_UP_TO_CM) == (1.0, 2.0)
    assert SMALL_INTESTINE_T1_UP_TO_CM == 1.0


@pytest.mark.parametrize("site, size, invasion, t, group", [
    # Pancreas (AJCC 8th): T1 < 2 cm; T2 2-4 cm (2 and 4 included); T3 > 4 cm
    ("pancreas", 1.9, "confined_to_pancreas", "T1", "Stage I"),    # just below 2 cm
    ("pancreas", 2.0, "confined_to_pancreas", "T2", "Stage II"),   # at 2 cm: T2 ("2-4 cm"; T1 is "< 2 cm")
    ("pancreas", 2.1, "confined_to_pancreas", "T2", "Stage II"),   # just above 2 cm
    ("pancreas", 3.9, "confined_to_pancreas", "T2", "Stage II"),   # just below 4 cm
    ("pancreas", 4.0, "confined_to_pancreas", "T2", "Stage II"),   # at 4 cm: T2
    ("pancreas", 4.1, "confined_to_pancreas", "T3", "Stage II"),   # just above 4 cm: T3
    ("pancreas", 1.0, "duodenum_or_bile_duct", "T3", "Stage II"),  # duodenum or bile duct: T3 at any size
    ("pancreas", 1.0, "adjacent_organs_or_vessel_wall", "T4", "Stage III"),  # adjacent organs: T4, stage III
    # Jejunum/ileum (AJCC 8th): T1 lamina propria/submucosa and <= 1 cm; T2 muscularis propria or > 1 cm
    ("jejunum_ileum", 0.9, "lamina_propria_or_submucosa", "T1", "Stage I"),   # just below 1 cm
    ("jejunum_ileum", 1.0, "lamina_propria_or_submucosa", "T1", "Stage I"),   # at 1 cm: T1 ("<= 1 cm")
    ("jejunum_ileum", 1.1, "lamina_propria_or_submucosa", "T2", "Stage II"),  # just above 1 cm
    ("jejunum_ileum", 0.5, "muscularis_propria", "T2", "Stage II"),           # muscularis propria: T2
    ("jejunum_ileum", 0.5, "subserosa", "T3", "Stage II"),                    # subserosa: T3
    ("jejunum_ileum", 0.5, "serosa_or_adjacent_structures", "T4", "Stage III"),
    # Appendix (AJCC 8th): T1 <= 2 cm; T2 > 2 and <= 4 cm; T3 > 4 cm or subserosa/mesoappendix
    ("appendix", 1.9, "muscularis_propria", "T1", "Stage I"),    # just below 2 cm (muscularis does not raise T)
    ("appendix", 2.0, "lamina_propria_or_submucosa", "T1", "Stage I"),  # at 2 cm: T1 ("<= 2 cm")
    ("appendix", 2.1, "lamina_propria_or_submucosa", "T2", "Stage II"),  # just above 2 cm
    ("appendix", 3.9, "muscularis_propria", "T2", "Stage II"),   # just below 4 cm
    ("appendix", 4.0, "muscularis_propria", "T2", "Stage II"),   # at 4 cm: T2 ("<= 4 cm")
    ("appendix", 4.1, "muscularis_propria", "T3", "Stage II"),   # just above 4 cm: T3
    ("appendix", 1.0, "subserosa", "T3", "Stage II"),            # subserosa or mesoappendix: T3
    ("appendix", 1.0, "serosa_or_adjacent_structures", "T4", "Stage III"),
    # Colon and rectum (AJCC 8th): T1a < 1 cm; T1b 1-2 cm; T2 muscularis propria or > 2 cm
    ("colon_rectum", 0.9, "lamina_propria_or_submucosa", "T1a", "Stage I"),   # just below 1 cm
    ("colon_rectum", 1.0, "lamina_propria_or_submucosa", "T1b", "Stage I"),   # at 1 cm: T1b (convention)
    ("colon_rectum", 1.1, "lamina_propria_or_submucosa", "T1b", "Stage I"),   # just above 1 cm
    ("colon_rectum", 1.9, "lamina_propria_or_submucosa", "T1b", "Stage I"),   # just below 2 cm
    ("colon_rectum", 2.0, "lamina_propria_or_submucosa", "T1b", "Stage I"),   # at 2 cm: T1b ("<= 2 cm")
    ("colon_rectum", 2.1, "lamina_propria_or_submucosa", "T2", "Stage IIA"),  # just above 2 cm
    ("colon_rectum", 0.5, "muscularis_propria", "T2", "Stage IIA"),
    ("colon_rectum", 0.5, "subserosa", "T3", "Stage IIB"),
    ("colon_rectum", 0.5, "serosa_or_adjacent_structures", "T4", "Stage IIIA"),
])
def test_t_category_and_stage_at_each_cut_off(site, size, invasion, t, group):
    result = stage(site, size, invasion)
    assert result.details["t_category"] == t
    assert result.category == group
    assert t in result.interpretation and "8th edition" in result.interpretation


@pytest.mark.parametrize("site, n, m, group", [
    # AJCC 8th stage groups: nodes make stage III (colon/rectum IIIB); any M1 is stage IV
    ("pancreas", "N1", "M0", "Stage III"),
    ("jejunum_ileum", "N1", "M0", "Stage III"),
    ("jejunum_ileum", "N2", "M0", "Stage III"),
    ("appendix", "N1", "M0", "Stage III"),
    ("colon_rectum", "N1", "M0", "Stage IIIB"),
    ("pancreas", "N0", "M1a", "Stage IV"),
    ("jejunum_ileum", "N2", "M1c", "Stage IV"),
    ("appendix", "N1", "M1b", "Stage IV"),
    ("colon_rectum", "N0", "M1", "Stage IV"),
])
def test_nodes_and_metastases(site, n, m, group):
    invasion = INVASION_BY_SITE[site][0]
    assert stage(site, 0.5, invasion, n, m).category == group


@pytest.mark.parametrize("site, invasion", [
    ("pancreas", "muscularis_propria"), ("jejunum_ileum", "confined_to_pancreas"),
    ("colon_rectum", "duodenum_or_bile_duct"), ("appendix", "adjacent_organs_or_vessel_wall"),
])
def test_invasion_must_belong_to_the_site(site, invasion):
    with pytest.raises(InputError) as caught:
        stage(site, 1.0, invasion)
    assert caught.value.field == "invasion"
    assert INVASION_BY_SITE[site][0] in str(caught.value)


@pytest.mark.parametrize("site", ["pancreas", "appendix", "colon_rectum"])
def test_n2_exists_for_the_jejunum_and_ileum_only(site):
    with pytest.raises(InputError) as caught:
        stage(site, 1.0, INVASION_BY_SITE[site][0], "N2")
    assert caught.value.field == "n_category"


@pytest.mark.parametrize("size", [0.0, -1.0, 50.1])
def test_impossible_sizes_are_refused(size):
    with pytest.raises(InputError) as caught:
        stage("pancreas", size, "confined_to_pancreas")
    assert caught.value.field == "tumour_size_cm"


@st.composite
def tnm_inputs(draw):
    site = draw(st.sampled_from(sorted(SITE_CHOICES)))
    return dict(site=site, tumour_size_cm=draw(st.floats(0.01, 50)),
                invasion=draw(st.sampled_from(INVASION_BY_SITE[site])),
                n_category=draw(st.sampled_from(N_BY_SITE[site])),
                m_category=draw(st.sampled_from(["M0", "M1", "M1a", "M1b", "M1c"])))


@given(values=tnm_inputs())
def test_every_valid_input_gives_a_declared_stage(values):
    result = tnm_stage(**values)
    assert result.category in STAGE_GROUPS
    assert (result.category == "Stage IV") is (values["m_category"] != "M0")


@given(values=tnm_inputs(), larger=st.floats(0.01, 50))
def test_a_larger_tumour_never_lowers_t_or_stage(values, larger):
    # Monotone in size (AJCC 8th: every size cut-off moves T up).
    if larger < values["tumour_size_cm"]:
        return
    small, large = tnm_stage(**values), tnm_stage(**{**values, "tumour_size_cm": larger})
    assert ORDER[small.details["t_category"]] <= ORDER[large.details["t_category"]]
    assert STAGE_ORDER[small.category] <= STAGE_ORDER[large.category]


@given(values=tnm_inputs())
def test_deeper_invasion_never_lowers_t(values):
    site, order = values["site"], INVASION_BY_SITE[values["site"]]
    ts = [ORDER[t_category(site, values["tumour_size_cm"], inv)] for inv in order]
    assert ts == sorted(ts)


@given(values=tnm_inputs())
def test_nodes_or_metastases_never_lower_the_stage(values):
    t = t_category(values["site"], values["tumour_size_cm"], values["invasion"])
    base = STAGE_ORDER[stage_group(values["site"], t, "N0", "M0")]
    assert STAGE_ORDER[stage_group(values["site"], t, values["n_category"], values["m_category"])] >= base


# ---------------------------------------------------------------------------------------------
# Milan-NET
# ---------------------------------------------------------------------------------------------

CANDIDATE = dict(grade="G1", primary_portal_drained=True, primary_resected=True, liver_involvement_percent=30.0,
                 extrahepatic_disease=False, stable_disease_months=9.0, age_years=52)


def milan(**changes):
    return milan_net(**{**CANDIDATE, **changes})


def test_thresholds():
    # Mazzaferro 2007 / 2016: liver involvement <= 50 %, stable >= 6 months, age <= 60 (Milan-NET)
    assert MILAN_NET_LIVER_INVOLVEMENT_MAXIMUM_PERCENT == 50.0
    assert MILAN_NET_STABLE_DISEASE_MINIMUM_MONTHS == 6.0
    assert MILAN_NET_MAXIMUM_AGE_YEARS == 60


@pytest.mark.parametrize("changes, failed", [
    ({}, None),
    # Liver involvement <= 50 % (Mazzaferro 2007)
    ({"liver_involvement_percent": 49.0}, None),                   # just below
    ({"liver_involvement_percent": 50.0}, None),                   # at: meets
    ({"liver_involvement_percent": 51.0}, "liver_involvement"),    # just above
    # Stable disease or response >= 6 months before transplant (Mazzaferro 2007)
    ({"stable_disease_months": 5.0}, "stable_disease"),            # just below
    ({"stable_disease_months": 6.0}, None),                        # at: meets
    ({"stable_disease_months": 7.0}, None),                        # just above
    # Age <= 60 years (Milan-NET, Mazzaferro 2016; 55 in 2007)
    ({"age_years": 59}, None),                                     # just below
    ({"age_years": 60}, None),                                     # at: meets
    ({"age_years": 61}, "age"),                                    # just above
    # Low grade (G1-G2)
    ({"grade": "G2"}, None),
    ({"grade": "G3"}, "grade"),
    # Portal drainage, resected primary, no extrahepatic disease
    ({"primary_portal_drained": False}, "portal_drainage"),
    ({"primary_resected": False}, "primary_resected"),
    ({"extrahepatic_disease": True}, "extrahepatic_disease"),
])
def test_milan_net_boundaries(changes, failed):
    result = milan(**changes)
    if failed is None:
        assert result.category == MEETS
        assert result.details["reasons"] == ()
    else:
        assert result.category == DOES_NOT_MEET
        assert result.details["failed_criteria"] == (failed,)
        assert len(result.details["reasons"]) == 1


def test_every_failed_criterion_is_listed():
    result = milan(grade="G3", primary_portal_drained=False, primary_resected=False, liver_involvement_percent=70,
                   extrahepatic_disease=True, stable_disease_months=2, age_years=66)
    assert result.category == DOES_NOT_MEET
    assert len(result.details["reasons"]) == 7
    assert "70 %" in result.interpretation and "66 years" in result.interpretation


@pytest.mark.parametrize("field, value", [
    ("liver_involvement_percent", 100.1), ("liver_involvement_percent", -1), ("stable_disease_months", -1),
    ("age_years", 121), ("grade", "G4"), ("primary_resected", "maybe"),
])
def test_milan_net_refuses_bad_input(field, value):
    with pytest.raises(InputError) as caught:
        milan(**{field: value})
    assert caught.value.field == field


@given(liver=st.floats(0, 100), months=st.floats(0, 600), age=st.integers(0, 120),
       grade=st.sampled_from(["G1", "G2", "G3"]), drained=st.booleans(), resected=st.booleans(),
       extrahepatic=st.booleans())
def test_meets_if_and_only_if_every_criterion_holds(liver, months, age, grade, drained, resected, extrahepatic):
    result = milan_net(grade=grade, primary_portal_drained=drained, primary_resected=resected,
                       liver_involvement_percent=liver, extrahepatic_disease=extrahepatic,
                       stable_disease_months=months, age_years=age)
    expected = (grade in ("G1", "G2") and drained and resected and liver <= 50 and not extrahepatic
                and months >= 6 and age <= 60)
    assert (result.category == MEETS) is expected
    assert len(result.details["reasons"]) == len(result.details["failed_criteria"])


@given(liver=st.floats(0, 100), more=st.floats(0, 100))
def test_more_liver_involvement_never_helps(liver, more):
    if more < liver:
        return
    if milan(liver_involvement_percent=liver).category == DOES_NOT_MEET:
        assert milan(liver_involvement_percent=more).category == DOES_NOT_MEET


def test_every_citation_key_has_a_bib_entry():
    keys = set(re.findall(r"^@\w+\{([^,\s]+),", BIB.read_text(encoding="utf-8"), flags=re.MULTILINE))
    for function, example in ((tnm_stage, dict(site="pancreas", tumour_size_cm=1.0, invasion="confined_to_pancreas",
                                                n_category="N0", m_category="M0")),
                              (milan_net, CANDIDATE)):
        calc = function.calculator
        used = set(calc.citations) | {k for f in calc.fields for k in f.source} | set(function(**example).citations)
        assert used <= keys
