"""Tests for netlib.imaging: the Krenning score, SSTR uptake sufficiency for PRRT and the NETPET grade.

Expected values come from the Krenning scale (Kwekkeboom & Krenning 2002), the NETTER-1
uptake criterion (Strosberg 2017: planar uptake >= normal liver) and the book's declared
PET convention (clinical-facts 12.1: SSTR PET uptake > liver), not from the implementation.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import given, strategies as st

from netlib import InputError
from netlib.imaging import (
    KRENNING_CATEGORIES,
    KRENNING_SUFFICIENT_PET,
    KRENNING_SUFFICIENT_SCINTIGRAPHY,
    MODALITY_CHOICES,
    NETPET_CATEGORIES,
    VISUAL_UPTAKE_CHOICES,
    krenning_score,
    netpet_score,
    sstr_uptake_sufficient,
)

BIB = Path(__file__).resolve().parent.parent / "book" / "bib" / "imaging_renal_prrt.bib"
CALC_A_BIB = BIB.with_name("calc-a.bib")
SUFFICIENT, INSUFFICIENT = "sufficient uptake for PRRT", "insufficient uptake for PRRT"


@pytest.mark.parametrize("score, modality, expected", [
    (0, "planar_scintigraphy", INSUFFICIENT),  # Krenning 0: no uptake
    (1, "planar_scintigraphy", INSUFFICIENT),  # NETTER-1: below normal liver is excluded (just below)
    (2, "planar_scintigraphy", SUFFICIENT),    # NETTER-1: uptake equal to liver is enough (at threshold)
    (3, "planar_scintigraphy", SUFFICIENT),    # NETTER-1: above liver (just above)
    (4, "planar_scintigraphy", SUFFICIENT),    # Krenning 4: above spleen/kidneys
    (1, "spect", INSUFFICIENT),                # planar convention applies to SPECT (clinical-facts 5.2): below
    (2, "spect", SUFFICIENT),                  # SPECT: at threshold
    (3, "spect", SUFFICIENT),                  # SPECT: above
    (0, "sstr_pet", INSUFFICIENT),             # PET: no uptake
    (1, "sstr_pet", INSUFFICIENT),             # PET: below liver
    (2, "sstr_pet", INSUFFICIENT),             # clinical-facts 12.1: PET needs > liver; 2 on PET is NOT 2 on planar
    (3, "sstr_pet", SUFFICIENT),               # clinical-facts 12.1: PET threshold, above liver (at threshold)
    (4, "sstr_pet", SUFFICIENT),               # PET: above spleen (just above)
])
def test_uptake_boundaries(score, modality, expected):
    result = krenning_score(krenning_score=score, modality=modality)
    assert result.category == expected
    assert result.details["sufficient_for_prrt"] is (expected == SUFFICIENT)
    assert sstr_uptake_sufficient(score, modality) is (expected == SUFFICIENT)


def test_thresholds_match_the_sources():
    # NETTER-1: >= normal liver (score 2) on planar imaging; book convention: > liver (score 3) on PET.
    assert KRENNING_SUFFICIENT_SCINTIGRAPHY == 2
    assert KRENNING_SUFFICIENT_PET == 3


@pytest.mark.parametrize("score, meaning", [
    (0, "no uptake"),                             # Krenning scale, grade 0
    (1, "uptake below normal liver"),             # grade 1: uptake < normal liver
    (2, "uptake equal to normal liver"),          # grade 2: uptake = normal liver
    (3, "uptake above normal liver"),             # grade 3: uptake > normal liver
    (4, "uptake above spleen or kidneys"),        # grade 4: uptake > spleen or kidneys
])
def test_meaning_of_each_score(score, meaning):
    result = krenning_score(krenning_score=score, modality="planar_scintigraphy")
    assert result.details["meaning"] == meaning
    assert meaning in result.interpretation


def test_pet_score_2_is_flagged_with_the_label_that_disagrees():
    result = krenning_score(krenning_score=2, modality="sstr_pet")
    assert result.category == INSUFFICIENT
    assert result.warnings and "PET" in result.warnings[0]
    assert "lutathera_smpc" in result.citations


def test_no_warning_where_sources_agree():
    assert krenning_score(krenning_score=3, modality="sstr_pet").warnings == ()
    assert krenning_score(krenning_score=2, modality="planar_scintigraphy").warnings == ()


@pytest.mark.parametrize("bad", [-1, 5, 2.5])
def test_scores_outside_the_scale_are_refused(bad):
    with pytest.raises(InputError) as caught:
        krenning_score(krenning_score=bad, modality="sstr_pet")
    assert caught.value.field == "krenning_score"


def test_modality_with_a_space_is_refused():
    with pytest.raises(InputError) as caught:
        krenning_score(krenning_score=3, modality="SSTR PET")
    assert caught.value.field == "modality"


@given(score=st.integers(0, 4), modality=st.sampled_from(sorted(MODALITY_CHOICES)))
def test_valid_inputs_never_raise_and_agree_with_the_helper(score, modality):
    result = krenning_score(krenning_score=score, modality=modality)
    assert result.category in KRENNING_CATEGORIES
    assert result.value == score
    assert (result.category == SUFFICIENT) is sstr_uptake_sufficient(score, modality)


@given(score=st.integers(0, 3), modality=st.sampled_from(sorted(MODALITY_CHOICES)))
def test_more_uptake_never_makes_it_insufficient(score, modality):
    if sstr_uptake_sufficient(score, modality):
        assert sstr_uptake_sufficient(score + 1, modality)


@given(score=st.integers(0, 4))
def test_pet_is_never_more_permissive_than_planar(score):
    if sstr_uptake_sufficient(score, "sstr_pet"):
        assert sstr_uptake_sufficient(score, "planar_scintigraphy")


def test_every_citation_key_has_a_bib_entry():
    keys = set(re.findall(r"^@\w+\{([^,\s]+),", BIB.read_text(encoding="utf-8"), flags=re.MULTILINE))
    calc = krenning_score.calculator
    used = set(calc.citations) | {k for f in calc.fields for k in f.source}
    used |= set(krenning_score(krenning_score=2, modality="sstr_pet").citations)
    assert used <= keys


# ---------------------------------------------------------------------------------------------
# Krenning score from the reader's visual comparison
# ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize("visual, score", [
    ("none", 0),            # Krenning scale: no uptake
    ("below_liver", 1),     # below normal liver
    ("equal_liver", 2),     # equal to normal liver
    ("above_liver", 3),     # above normal liver
    ("above_spleen", 4),    # above spleen or kidneys
])
def test_visual_uptake_maps_onto_the_scale(visual, score):
    assert list(VISUAL_UPTAKE_CHOICES) == ["none", "below_liver", "equal_liver", "above_liver", "above_spleen"]
    for modality in MODALITY_CHOICES:
        by_eye = krenning_score(visual_uptake=visual, modality=modality)
        by_score = krenning_score(krenning_score=score, modality=modality)
        assert by_eye.value == score
        assert (by_eye.category, by_eye.warnings, by_eye.citations) == \
            (by_score.category, by_score.warnings, by_score.citations)
        assert by_eye.details["given_as"] == "visual comparison"
        assert by_score.details["given_as"] == "score"


@pytest.mark.parametrize("visual, modality, expected", [
    ("below_liver", "planar_scintigraphy", INSUFFICIENT),   # NETTER-1: below liver is not enough
    ("equal_liver", "planar_scintigraphy", SUFFICIENT),     # NETTER-1: equal to liver suffices (threshold)
    ("above_liver", "planar_scintigraphy", SUFFICIENT),
    ("equal_liver", "sstr_pet", INSUFFICIENT),              # clinical-facts 12.1: PET needs above liver
    ("above_liver", "sstr_pet", SUFFICIENT),                # PET threshold
    ("above_spleen", "sstr_pet", SUFFICIENT),
])
def test_visual_uptake_boundaries(visual, modality, expected):
    assert krenning_score(visual_uptake=visual, modality=modality).category == expected


@pytest.mark.parametrize("values", [
    dict(modality="sstr_pet"),                                                  # neither
    dict(modality="sstr_pet", krenning_score=3, visual_uptake="above_liver"),   # both, even if they agree
])
def test_exactly_one_of_score_and_visual_uptake(values):
    with pytest.raises(InputError) as caught:
        krenning_score(**values)
    assert caught.value.field in ("krenning_score", "visual_uptake")
    assert "exactly one" in caught.value.accepted


def test_visual_uptake_refuses_other_words():
    with pytest.raises(InputError) as caught:
        krenning_score(visual_uptake="above_kidney", modality="spect")
    assert caught.value.field == "visual_uptake"


# ---------------------------------------------------------------------------------------------
# NETPET grade (Chan 2017; validation Chan 2023)
# ---------------------------------------------------------------------------------------------

def netpet(sstr, fdg, without=None, versus=None):
    return netpet_score(sstr_avid_disease=sstr, fdg_avid_disease=fdg,
                        fdg_avid_lesion_without_sstr_uptake=without, fdg_versus_sstr_uptake=versus)


@pytest.mark.parametrize("sstr, fdg, without, versus, expected", [
    (False, False, None, None, "P0"),      # no significant uptake on either scan
    (True, False, None, None, "P1"),       # Chan 2017/2023: SSTR positive, FDG negative
    (True, True, False, "lower", "P2"),    # FDG-avid, all SSTR-avid, FDG < SSTR
    (True, True, False, "equal", "P3"),    # FDG = SSTR
    (True, True, False, "higher", "P4"),   # FDG > SSTR in at least one lesion
    (True, True, True, None, "P5"),        # Chan 2023: an FDG-positive, SSTR-negative lesion
    (True, True, True, "lower", "P5"),     # P5 whatever the other lesions show (convention: worst lesion)
    (False, True, True, None, "P5"),       # no SSTR uptake anywhere, FDG-avid disease
    (False, False, False, None, "P0"),     # "no" to the lesion question is harmless without FDG disease
])
def test_netpet_table(sstr, fdg, without, versus, expected):
    result = netpet(sstr, fdg, without, versus)
    assert result.category == expected
    assert result.value == NETPET_CATEGORIES.index(expected)


@pytest.mark.parametrize("values, field", [
    ((True, True, None, "lower"), "fdg_avid_lesion_without_sstr_uptake"),  # FDG-avid: lesion question needed
    ((True, True, False, None), "fdg_versus_sstr_uptake"),                  # all SSTR-avid: comparison needed
    ((False, True, False, "lower"), "fdg_avid_lesion_without_sstr_uptake"),  # no SSTR anywhere yet "all SSTR-avid"
    ((True, False, True, None), "fdg_avid_lesion_without_sstr_uptake"),     # a FDG-avid lesion without FDG disease
    ((True, False, None, "equal"), "fdg_versus_sstr_uptake"),               # nothing to compare
])
def test_netpet_contradictions_are_refused(values, field):
    with pytest.raises(InputError) as caught:
        netpet(*values)
    assert caught.value.field == field


def test_netpet_interpretation_gives_the_validated_survival():
    from netlib import imaging
    assert f"{imaging.NETPET_P1_MEDIAN_OVERALL_SURVIVAL_MONTHS:g} months" in netpet(True, False).interpretation
    assert f"{imaging.NETPET_P5_MEDIAN_OVERALL_SURVIVAL_MONTHS:g} months" in netpet(True, True, True).interpretation
    assert imaging.NETPET_P1_MEDIAN_OVERALL_SURVIVAL_MONTHS > imaging.NETPET_P2_TO_P4_MEDIAN_OVERALL_SURVIVAL_MONTHS \
        > imaging.NETPET_P5_MEDIAN_OVERALL_SURVIVAL_MONTHS


@st.composite
def netpet_inputs(draw):
    sstr, fdg = draw(st.booleans()), draw(st.booleans())
    if not fdg:
        return (sstr, fdg, draw(st.sampled_from([None, False])), None)
    without = True if not sstr else draw(st.booleans())
    versus = draw(st.sampled_from(["lower", "equal", "higher"])) if not without else \
        draw(st.sampled_from([None, "lower", "equal", "higher"]))
    return (sstr, fdg, without, versus)


@given(netpet_inputs())
def test_netpet_property_valid_answers_never_raise_and_worse_findings_never_lower_the_grade(values):
    result = netpet(*values)
    assert result.category in NETPET_CATEGORIES
    sstr, fdg, without, versus = values
    if fdg and not without and sstr:
        # One FDG-avid lesion losing its SSTR uptake can only raise the grade (to P5).
        assert netpet(sstr, fdg, True, versus).value >= result.value
        order = ["lower", "equal", "higher"]
        for more in order[order.index(versus):]:
            assert netpet(sstr, fdg, False, more).value >= result.value
    if not fdg:
        # FDG-avid disease appearing never lowers the grade.
        assert netpet(True, True, False, "lower").value >= netpet(True, False).value


def test_netpet_citations_are_in_the_bibliography():
    keys = set(re.findall(r"^@\w+\{([^,\s]+),", CALC_A_BIB.read_text(encoding="utf-8"), flags=re.MULTILINE))
    calc = netpet_score.calculator
    used = set(calc.citations) | {k for f in calc.fields for k in f.source}
    for values in ((False, False), (True, True, False, "higher"), (True, True, True)):
        used |= set(netpet(*values).citations)
    assert used <= keys
