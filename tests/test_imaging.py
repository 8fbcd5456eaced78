"""Tests for netlib.imaging: the Krenning score and SSTR uptake sufficiency for PRRT.

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
    krenning_score,
    sstr_uptake_sufficient,
)

BIB = Path(__file__).resolve().parent.parent / "book" / "bib" / "imaging_renal_prrt.bib"
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
