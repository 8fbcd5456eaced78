"""Tests for the decision engine (netlib.pathway), the patient facts (netlib.patient) and the tables.

Sources named in the comments: the ENETS 2023 guidance papers (pancreas, gastroduodenal, colorectal,
appendix, functioning syndromes), the ENETS small-intestine guidance, ESMO 2020 (GEP) and 2021 (lung),
the pivotal trials (PROMID, CLARINET, NETTER-1, NETTER-2, RADIANT-2/-3/-4, A6181111, E2211, CABINET,
CLARINET FORTE, TELESTAR) and the project's clinical-facts notes.  Expected outcomes are written from
those sources and from the review of rule set 2026.11-4, not read back from the tables; the clinical
vignette suite (tests/test_vignettes.py) adds some 90 patients written from the guidance texts.
"""

from __future__ import annotations

import dataclasses
import json
import random
import re
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from netlib import InputError, evidence, pathway, therapies
from netlib.patient import (FACT_VALUES, KI67_NETTER2_FROM_PERCENT, KI67_NETTER2_TO_PERCENT,
                            PATIENT_FORM, PRIOR_THERAPIES, PRRT_RETREATMENT_MIN_PROGRESSION_FREE_MONTHS,
                            SIZE_LARGE_ABOVE_CM, SIZE_SMALL_BELOW_CM, TMB_HIGH_FROM_MUTATIONS_PER_MB, derive_facts)
from netlib.pathway import (CERTAIN, NOT_RECOMMENDED, OTHER, PATHWAY_G3, PATHWAY_INCOMPLETE, PATHWAY_LOW_GRADE,
                            PATHWAY_NEC, PREFERRED, RULES, TIERS, TableError, recommend)
from netlib.synthetic import TYPICAL_RANGES, random_value, respect_rules

BIB = Path(__file__).resolve().parents[1] / "book" / "references.bib"
BIB_KEYS = frozenset(re.findall(r"^@\w+\s*\{\s*([^,\s]+)\s*,", BIB.read_text(encoding="utf-8"), re.M))
PRRT = "prrt_lu177_dotatate"
SURGERY = ("surgical_resection", "enucleation", "right_hemicolectomy", "gastrinoma_resection")


def variant(base: dict, **changes) -> dict:
    out = {**base, **changes}
    return {k: v for k, v in out.items() if v is not None}


def tier_of(result, option):
    return next((r.tier for r in result.recommendations if r.option == option), None)


def missing_items(result):
    return {m.item for m in result.missing}


# ---------------------------------------------------------------------------------------------
# Synthetic patients, each from a source.
# ---------------------------------------------------------------------------------------------

# Inside every NETTER-1 laboratory and performance criterion (facts 6.1).
GOOD_LABS = dict(karnofsky_percent=90, age_years=62, sex="male", weight_kg=80.0, creatinine_mg_dl=0.9,
                 haemoglobin_g_dl=13.2, wbc_10e9_l=6.1, platelets_10e9_l=240.0, bilirubin_x_uln=0.6,
                 albumin_g_dl=4.1, prothrombin_time_normal=True)

# ENETS 2023 (kos-kudla2023enets), ASPEN: asymptomatic NF-pNET <= 2 cm, G1 -> surveillance.
SMALL_PNET = dict(primary_site="pancreas", differentiation="well", ki67_percent=1.5, tumour_size_cm=1.2,
                  extent="localised", resectable=True, functioning_syndrome="none", nodes_positive=False,
                  sstr_imaging="pet", krenning_score=3, disease_status="newly_diagnosed")
# ENETS 2023 colorectal (rinke2023enets): rectal NET < 1 cm -> endoscopic resection.
SMALL_RECTAL = dict(primary_site="rectum", differentiation="well", ki67_percent=1.0, tumour_size_cm=0.8,
                    extent="localised", resectable=True, muscularis_propria_invasion=False, nodes_positive=False,
                    lymphovascular_invasion=False)
# ENETS 2023 gastroduodenal (panzuto2023enets): type 1 gastric NET < 1 cm -> surveillance.
GASTRIC_TYPE_1 = dict(primary_site="stomach", gastric_type="type_1", differentiation="well", ki67_percent=1.0,
                      tumour_size_cm=0.6, extent="localised", resectable=True)
# NETTER-1: progressive SSTR-positive midgut NET on octreotide LAR.
PROGRESSIVE_MIDGUT = dict(primary_site="small_intestine", differentiation="well", ki67_percent=6.0,
                          extent="metastatic", resectable=False, sstr_imaging="pet", krenning_score=4,
                          tumour_burden="high", functioning_syndrome="none", disease_status="progressive",
                          prior_ssa="progressed", **GOOD_LABS)
# RADIANT-3, A6181111, E2211: progressive pancreatic NET G2 after an SSA.
PROGRESSIVE_PNET = dict(primary_site="pancreas", differentiation="well", ki67_percent=8.0, extent="metastatic",
                        resectable=False, sstr_imaging="pet", krenning_score=4, tumour_burden="high",
                        functioning_syndrome="none", disease_status="progressive", prior_ssa="progressed",
                        **GOOD_LABS)
# PROMID/CLARINET: stable SSTR-expressing low-burden midgut NET.
STABLE_MIDGUT = dict(primary_site="small_intestine", differentiation="well", ki67_percent=2.0,
                     extent="metastatic", resectable=False, sstr_imaging="pet", krenning_score=3,
                     tumour_burden="low", functioning_syndrome="none", disease_status="stable")
# NETTER-2: newly diagnosed SSTR-positive G2/G3 GEP-NET with Ki-67 10-55 %.
NETTER2_PNET = dict(primary_site="pancreas", differentiation="well", ki67_percent=30.0, extent="metastatic",
                    resectable=False, sstr_imaging="pet", krenning_score=4, tumour_burden="high",
                    functioning_syndrome="none", disease_status="newly_diagnosed", months_since_diagnosis=2,
                    **GOOD_LABS)
NEC = dict(primary_site="pancreas", differentiation="poor", ki67_percent=70.0, extent="metastatic")
# ENETS 2023 appendix (kaltsas2023enets): 1.5 cm appendiceal NET after appendectomy.
APPENDIX = dict(primary_site="appendix", differentiation="well", ki67_percent=1.0, tumour_size_cm=1.5,
                extent="localised", resectable=True, mesoappendix_invasion=False, lymphovascular_invasion=False,
                appendix_base_involved=False, nodes_positive=False)
# ENETS 2023 gastroduodenal: small non-functioning duodenal NET.
DUODENUM = dict(primary_site="duodenum", differentiation="well", ki67_percent=1.0, tumour_size_cm=0.8,
                extent="localised", resectable=True, functioning_syndrome="none", muscularis_propria_invasion=False,
                nodes_positive=False)
# ESMO 2021 lung: progressive atypical carcinoid (2-10 mitoses per 2 mm² and/or necrosis).
LUNG = dict(primary_site="lung", differentiation="well", lung_morphology="carcinoid", mitoses_per_2mm2=4.0,
            necrosis="punctate", ki67_percent=8.0, extent="metastatic", resectable=False, sstr_imaging="pet",
            krenning_score=3, tumour_burden="high", functioning_syndrome="none", disease_status="progressive",
            prior_ssa="progressed", **GOOD_LABS)
# Milan-NET (mazzaferro2016milannet): liver-only metastases of a resected midgut NET in a young patient.
TRANSPLANT = dict(primary_site="small_intestine", differentiation="well", ki67_percent=2.0, extent="metastatic",
                  resectable=False, liver_predominant=True, liver_involvement_percent=30.0,
                  extrahepatic_disease=False, primary_resected=True, stable_disease_months=12.0, age_years=50,
                  sstr_imaging="pet", krenning_score=4, tumour_burden="high", functioning_syndrome="none",
                  disease_status="stable")


# ---------------------------------------------------------------------------------------------
# The table loader refuses what cannot be right.
# ---------------------------------------------------------------------------------------------

GOOD_ROW = {"id": "T-1", "option": "ssa", "tier": "preferred", "evidence": "consensus",
            "when": {"grade": "G1"}, "rationale": "x", "citations": ["pavel2020esmo"]}


@pytest.mark.parametrize("change, message", [
    ({"when": {"grde": "G1"}}, "unknown fact"),
    ({"when": {"grade": "G4"}}, "cannot be"),
    ({"unless": {"prior_ssa": "progresed"}}, "cannot be"),
    ({"option": "ssaa"}, "unknown option"),
    ({"tier": "best"}, "tier must be"),
    ({"evidence": "trial"}, "needs trials"),
    ({"evidence": "trial", "trials": ["netter3"]}, "needs trials"),
    ({"trials": ["netter1"]}, "trials given"),
    ({"option": "car_t_off_trial"}, "may never be recommended"),
    ({"citations": []}, "citation"),
    ({"colour": "red"}, "unknown keys"),
    ({"kind": "maybe"}, "kind must be"),
])
def test_table_loader_refuses_a_wrong_row(change, message):
    with pytest.raises(TableError, match=message):
        pathway._rule_from_row("t", {**GOOD_ROW, **change})


def test_table_loader_accepts_a_good_row_and_derives_the_evidence_label():
    rule = pathway._rule_from_row("t", {**GOOD_ROW, "evidence": "trial", "trials": ["e2211"]})
    # E2211 is a randomised phase 2 trial: moderate, never "high" (the 2026.11-4 review).
    assert rule.evidence.startswith("moderate: randomised phase 2")


def test_every_rule_is_well_formed():
    ids = [r.id for r in RULES]
    assert len(ids) == len(set(ids))
    assert len(RULES) >= 3 * 31  # the guide: about three times rule set 2026.11-4
    for rule in RULES:
        assert rule.rationale and rule.table in pathway.TABLES
        assert set(rule.citations) <= BIB_KEYS, rule.id
        if rule.kind in ("option", "exclude"):
            assert rule.option in therapies.THERAPIES
            assert rule.citations
        if rule.kind == "exclude":
            assert rule.tier == NOT_RECOMMENDED


def test_evidence_labels_agree_with_netlib_evidence():
    phases = {t.id: t.phase for t in evidence.TRIALS}
    for rule in RULES:
        if not rule.trials:
            assert not rule.evidence.startswith(("high", "moderate")), rule.id
            continue
        phase = max(phases[t] for t in rule.trials)
        assert f"phase {phase}" in rule.evidence, rule.id
        assert rule.evidence.startswith("high") == (phase == "3" and "related" not in rule.evidence), rule.id


def test_car_t_is_only_ever_excluded():
    assert all(r.option != "car_t_off_trial" or r.kind == "exclude" for r in RULES)
    assert any(r.option == "car_t_off_trial" and not r.conditions for r in RULES)


# ---------------------------------------------------------------------------------------------
# Boundaries of the facts the tables read, on both sides.
# ---------------------------------------------------------------------------------------------

def _facts(**fields):
    return derive_facts(PATIENT_FORM.validate(fields))


@pytest.mark.parametrize("size, band", [
    (SIZE_SMALL_BELOW_CM - 0.01, "under_1cm"),
    (SIZE_SMALL_BELOW_CM, "1_to_2cm"),          # book convention: exactly 1.0 cm is in the 1-2 cm band
    (SIZE_LARGE_ABOVE_CM, "1_to_2cm"),          # ENETS 2023 pancreas "<= 2 cm"; exactly 2.0 cm
    (SIZE_LARGE_ABOVE_CM + 0.01, "over_2cm"),
])
def test_size_bands(size, band):
    assert _facts(tumour_size_cm=size)["size_band"] == band


@pytest.mark.parametrize("ki67, band", [
    (KI67_NETTER2_FROM_PERCENT - 0.01, "under_10"),   # CLARINET: Ki-67 < 10 %
    (KI67_NETTER2_FROM_PERCENT, "10_to_20"),          # NETTER-2: Ki-67 >= 10 % (book convention at 10)
    (20.0, "10_to_20"),                               # WHO 2019: exactly 20 % is G2
    (20.01, "21_to_55"),
    (KI67_NETTER2_TO_PERCENT, "21_to_55"),            # NETTER-2: <= 55 %
    (KI67_NETTER2_TO_PERCENT + 0.01, "over_55"),
])
def test_ki67_bands(ki67, band):
    assert _facts(differentiation="well", ki67_percent=ki67)["ki67_band"] == band


@pytest.mark.parametrize("months, benefit", [
    (PRRT_RETREATMENT_MIN_PROGRESSION_FREE_MONTHS - 0.1, "short"),
    (PRRT_RETREATMENT_MIN_PROGRESSION_FREE_MONTHS, "durable"),
])
def test_prrt_retreatment_interval(months, benefit):
    assert _facts(prior_prrt="completed", prrt_progression_free_months=months)["prrt_benefit"] == benefit


@pytest.mark.parametrize("tmb, high", [(TMB_HIGH_FROM_MUTATIONS_PER_MB - 0.1, "no"),
                                       (TMB_HIGH_FROM_MUTATIONS_PER_MB, "yes")])
def test_tmb_high_from_10_mutations_per_mb(tmb, high):
    assert _facts(tmb_mutations_per_mb=tmb)["tmb_high"] == high


@pytest.mark.parametrize("imaging, score, expression, uptake", [
    ("pet", 2, "positive", "insufficient"),   # Krenning 2 on PET: SSA yes (CLARINET grade >= 2), PRRT no
    ("pet", 3, "positive", "sufficient"),
    ("planar", 2, "positive", "sufficient"),
    ("planar", 1, "negative", "insufficient"),
])
def test_two_sstr_questions_with_two_thresholds(imaging, score, expression, uptake):
    facts = _facts(sstr_imaging=imaging, krenning_score=score)
    assert (facts["sstr_expression"], facts["prrt_uptake"]) == (expression, uptake)


def test_every_fact_the_tables_read_is_derived_with_a_declared_value():
    facts = _facts()
    for fact, values in FACT_VALUES.items():
        assert facts[fact] in values, fact


# ---------------------------------------------------------------------------------------------
# The patients the review of rule set 2026.11-4 found unsafe.
# ---------------------------------------------------------------------------------------------

def test_small_non_functioning_pnet_gets_surveillance_first_not_surgery():
    result = recommend(SMALL_PNET)
    assert tier_of(result, "surveillance") == PREFERRED
    assert tier_of(result, "surgical_resection") == OTHER


def test_large_pnet_gets_resection():
    result = recommend(variant(SMALL_PNET, tumour_size_cm=2.5))
    assert tier_of(result, "surgical_resection") == PREFERRED and "surveillance" not in result.options


def test_insulinoma_gets_enucleation():
    result = recommend(variant(SMALL_PNET, functioning_syndrome="insulinoma"))
    assert tier_of(result, "enucleation") == PREFERRED and "surveillance" not in result.options


def test_small_rectal_net_gets_endoscopic_resection_not_surgery():
    result = recommend(SMALL_RECTAL)
    assert tier_of(result, "endoscopic_resection") == PREFERRED and "surgical_resection" not in result.options


def test_large_or_invasive_rectal_net_gets_surgery():
    assert tier_of(recommend(variant(SMALL_RECTAL, tumour_size_cm=2.5)), "surgical_resection") == PREFERRED
    assert tier_of(recommend(variant(SMALL_RECTAL, muscularis_propria_invasion=True)),
                   "surgical_resection") == PREFERRED


def test_type_1_gastric_net_is_not_sent_to_surgery():
    result = recommend(GASTRIC_TYPE_1)
    assert tier_of(result, "surveillance") == PREFERRED and "surgical_resection" not in result.options


def test_type_3_gastric_net_gets_gastrectomy():
    assert tier_of(recommend(variant(GASTRIC_TYPE_1, gastric_type="type_3", tumour_size_cm=1.5)),
                   "surgical_resection") == PREFERRED


@pytest.mark.parametrize("base", [variant(SMALL_PNET, tumour_size_cm=2.5), variant(SMALL_RECTAL, tumour_size_cm=2.5),
                                  variant(GASTRIC_TYPE_1, gastric_type="type_3", tumour_size_cm=1.5)])
def test_unknown_resectability_is_asked_for_and_never_assumed(base):
    result = recommend(variant(base, resectable=None))
    assert "resectability" in missing_items(result)
    assert not set(SURGERY) & set(result.options)


def test_endoscopic_resection_needs_no_surgeons_verdict():
    assert "endoscopic_resection" in recommend(variant(SMALL_RECTAL, resectable=None)).options


def test_completion_surgery_after_appendectomy_needs_no_separate_resectability():
    after = variant(APPENDIX, resectable=None, primary_resected=True, tumour_size_cm=2.5)
    assert tier_of(recommend(after), "right_hemicolectomy") == PREFERRED
    assert "right_hemicolectomy" not in recommend(variant(after, resectable=False)).options


def test_prrt_is_not_offered_again_after_a_course():
    result = recommend(variant(PROGRESSIVE_MIDGUT, prior_prrt="completed"))
    assert PRRT not in result.options
    assert "time from the last PRRT cycle to progression" in missing_items(result)


def test_prrt_retreatment_after_a_durable_response_only():
    durable = recommend(variant(PROGRESSIVE_MIDGUT, prior_prrt="completed", prrt_progression_free_months=30))
    short = recommend(variant(PROGRESSIVE_MIDGUT, prior_prrt="completed", prrt_progression_free_months=6))
    assert tier_of(durable, "prrt_retreatment") == CERTAIN and PRRT not in durable.options
    assert "prrt_retreatment" not in short.options


def test_targeted_therapies_the_disease_progressed_on_are_not_offered_again():
    result = recommend(variant(PROGRESSIVE_PNET, prior_everolimus="progressed", prior_sunitinib="progressed"))
    assert not {"everolimus", "sunitinib"} & set(result.options)
    assert "cabozantinib" in result.options  # CABINET: after a prior non-SSA line


def test_prrt_is_never_a_tier_while_its_eligibility_is_incomplete():
    labs = {k: None for k in GOOD_LABS}
    result = recommend(variant(PROGRESSIVE_MIDGUT, **labs))
    assert PRRT not in result.options
    assert "PRRT eligibility" in missing_items(result)


def test_a_measured_creatinine_clearance_replaces_cockcroft_gault():
    labs = dict(GOOD_LABS, age_years=None, sex=None, weight_kg=None)
    result = recommend(variant(PROGRESSIVE_MIDGUT, **labs, creatinine_clearance_ml_min=70))
    assert tier_of(result, PRRT) == PREFERRED


def test_krenning_2_on_pet_still_selects_an_ssa():
    result = recommend(variant(STABLE_MIDGUT, krenning_score=2))
    assert tier_of(result, "ssa") == PREFERRED


def test_ssa_is_preferred_below_ki67_10_only():
    assert tier_of(recommend(variant(STABLE_MIDGUT, ki67_percent=9.9)), "ssa") == PREFERRED
    assert tier_of(recommend(variant(STABLE_MIDGUT, ki67_percent=18.0)), "ssa") == OTHER


def test_a_high_growth_rate_excludes_surveillance():
    # TGR = 100 x ((Dt/D0)^(3/t) - 1): 50 -> 60 mm over 3 months is 20 %/month (GREPONET cut-off 0.8).
    growing = variant(STABLE_MIDGUT, sum_diameters_baseline_mm=50, sum_diameters_current_mm=60, interval_months=3)
    assert "surveillance" in recommend(STABLE_MIDGUT).options
    assert "surveillance" not in recommend(growing).options


def test_stable_high_burden_sstr_negative_pnet_is_not_a_dead_end():
    result = recommend(variant(PROGRESSIVE_PNET, disease_status="stable", krenning_score=1, prior_ssa="never"))
    assert {"everolimus", "sunitinib", "capecitabine_temozolomide"} <= set(result.options)


def test_progressive_sstr_negative_midgut_with_syndrome_may_get_everolimus():
    result = recommend(variant(PROGRESSIVE_MIDGUT, krenning_score=1, functioning_syndrome="carcinoid_syndrome"))
    assert "everolimus" in result.options  # RADIANT-2: with caution
    assert "PRG-10" in result.fired_rule_ids


def test_netter2_first_line_prrt_for_g3_when_eligible():
    result = recommend(NETTER2_PNET)
    assert result.pathway == PATHWAY_G3
    assert result.facts["prrt_first_line_eligibility"] == "eligible"
    assert tier_of(result, PRRT) == PREFERRED
    assert PRRT not in {e.option for e in result.excluded}


@pytest.mark.parametrize("ki67, expected", [(KI67_NETTER2_FROM_PERCENT - 0.1, None),     # below NETTER-2
                                            (KI67_NETTER2_FROM_PERCENT, PREFERRED),      # NETTER-2: >= 10 %
                                            (KI67_NETTER2_TO_PERCENT, PREFERRED),        # NETTER-2: <= 55 %
                                            (KI67_NETTER2_TO_PERCENT + 0.1, None)])
def test_netter2_first_line_ki67_range(ki67, expected):
    assert tier_of(recommend(variant(NETTER2_PNET, ki67_percent=ki67)), PRRT) == expected


def test_netter2_first_line_prrt_is_pending_without_the_time_since_diagnosis():
    result = recommend(variant(NETTER2_PNET, months_since_diagnosis=None))
    assert PRRT not in result.options and "PRRT eligibility" in missing_items(result)


def test_nec_returns_platinum_etoposide_as_an_option():
    result = recommend(NEC)
    assert result.pathway == PATHWAY_NEC and result.redirect
    assert tier_of(result, "platinum_etoposide") == PREFERRED


def test_msi_high_opens_the_tumour_agnostic_exception():
    plain = recommend(PROGRESSIVE_PNET)
    msi = recommend(variant(PROGRESSIVE_PNET, msi_high_or_dmmr=True))
    assert "immune_checkpoint_inhibitor_monotherapy" in {e.option for e in plain.excluded}
    assert "pembrolizumab" in msi.options and "pembrolizumab" not in plain.options


# --- Findings of the independent clinical review of rule set 2026.11-5 (each fixed, each tested) ----------

def test_progression_while_an_ssa_is_still_given_counts_as_progression_on_it():
    result = recommend(variant(PROGRESSIVE_MIDGUT, prior_ssa="ongoing"))
    assert tier_of(result, PRRT) == PREFERRED and "ssa" not in result.options


def test_midgut_progression_after_ssa_intolerance_still_gets_prrt():
    assert tier_of(recommend(variant(PROGRESSIVE_MIDGUT, prior_ssa="toxicity")), PRRT) == OTHER


def test_men1_vipoma_is_resected():
    patient = variant(SMALL_PNET, functioning_syndrome="vipoma", hereditary_syndrome="men1")
    assert tier_of(recommend(patient), "surgical_resection") == PREFERRED


def test_metastatic_insulinoma_gets_no_preferred_ssa():
    result = recommend(variant(STABLE_MIDGUT, primary_site="pancreas", functioning_syndrome="insulinoma"))
    assert tier_of(result, "ssa") == CERTAIN and "diazoxide" in result.options


def test_ampullary_duodenal_net_is_not_resected_endoscopically():
    result = recommend(variant(DUODENUM, ampullary=True))
    assert "endoscopic_resection" not in result.options and tier_of(result, "surgical_resection") == PREFERRED


def test_no_transplant_in_progressive_disease():
    assert "liver_transplantation" in recommend(TRANSPLANT).options
    assert "liver_transplantation" not in recommend(variant(TRANSPLANT, disease_status="progressive")).options


@pytest.mark.parametrize("site", ["appendix", "rectum", "duodenum", "stomach", "pancreas"])
def test_localised_net_g3_gets_oncological_resection(site):
    patient = dict(primary_site=site, differentiation="well", ki67_percent=30.0, tumour_size_cm=0.8,
                   extent="localised", resectable=True, functioning_syndrome="none",
                   gastric_type="type_3" if site == "stomach" else None)
    assert tier_of(recommend(variant(patient)), "surgical_resection") == PREFERRED


def test_small_rectal_net_with_lymphovascular_invasion_is_discussed():
    result = recommend(variant(SMALL_RECTAL, lymphovascular_invasion=True))
    assert {"surgical_resection", "surveillance"} <= set(result.options)


def test_small_type_3_gastric_net_without_risk_features_gets_endoscopic_resection_first():
    result = recommend(variant(GASTRIC_TYPE_1, gastric_type="type_3", muscularis_propria_invasion=False,
                               lymphovascular_invasion=False, nodes_positive=False))
    assert tier_of(result, "endoscopic_resection") == PREFERRED and tier_of(result, "surgical_resection") == OTHER


def test_vhl_pancreatic_net_up_to_3_cm_is_watched():
    result = recommend(variant(SMALL_PNET, hereditary_syndrome="vhl", tumour_size_cm=2.5))
    assert tier_of(result, "surveillance") == PREFERRED and "surgical_resection" not in result.options
    assert tier_of(recommend(variant(SMALL_PNET, hereditary_syndrome="vhl", tumour_size_cm=3.1)),
                   "surgical_resection") == PREFERRED


def test_stable_low_burden_sstr_negative_pnet_is_watched_not_treated():
    patient = variant(PROGRESSIVE_PNET, disease_status="stable", krenning_score=1, prior_ssa="never",
                      tumour_burden="low")
    result = recommend(patient)
    assert tier_of(result, "surveillance") == PREFERRED and "everolimus" not in result.options


def test_type_2_gastric_net_targets_the_gastrinoma():
    result = recommend(variant(GASTRIC_TYPE_1, gastric_type="type_2"))
    assert "gastrinoma_resection" in result.options and any("MEN1" in s for s, _ in result.advice)


def test_missing_diagnosis_gives_no_recommendation():
    result = recommend({})
    assert result.pathway == PATHWAY_INCOMPLETE and result.options == ()
    assert "differentiation and grade" in missing_items(result)


@pytest.mark.parametrize("patient, field", [
    ({"ki67_percent": 101}, "ki67_percent"),
    ({"prior_ssa": True}, "prior_ssa"),
    ({"gastric_type": "type_1", "primary_site": "pancreas"}, "gastric_type"),
    ({"lung_morphology": "carcinoid", "primary_site": "rectum"}, "lung_morphology"),
    ({"prrt_progression_free_months": 12}, "prrt_progression_free_months"),
    ({"refractory_syndrome_diarrhoea": True, "functioning_syndrome": "insulinoma"}, "refractory_syndrome_diarrhoea"),
    ({"tumour_size_cm": 0}, "tumour_size_cm"),
    ({"patient_name": "x"}, "patient_name"),
])
def test_bad_input_names_the_field(patient, field):
    with pytest.raises(InputError) as raised:
        recommend(patient)
    assert raised.value.field == field


# ---------------------------------------------------------------------------------------------
# Invariants over random valid patients.
# ---------------------------------------------------------------------------------------------

SCENARIOS = (SMALL_PNET, SMALL_RECTAL, GASTRIC_TYPE_1, PROGRESSIVE_MIDGUT, PROGRESSIVE_PNET, STABLE_MIDGUT,
             NETTER2_PNET, NEC, APPENDIX, DUODENUM, LUNG, TRANSPLANT)
FIELD_NAMES = tuple(PATIENT_FORM.by_name)
# Values at and around the thresholds, so that boundaries are drawn often.
BOUNDARY_VALUES = {"ki67_percent": (2.99, 3.0, 9.99, 10.0, 20.0, 20.01, 55.0, 55.01),
                   "tumour_size_cm": (0.99, 1.0, 2.0, 2.01),
                   "prrt_progression_free_months": (17.9, 18.0),
                   "tmb_mutations_per_mb": (9.9, 10.0), "creatinine_clearance_ml_min": (49.9, 50.0)}


def _random_value(rng: random.Random, field):
    if field.kind == "number" and field.name in BOUNDARY_VALUES and rng.random() < 0.4:
        return rng.choice(BOUNDARY_VALUES[field.name])
    return random_value(rng, field)


def random_patient(rng: random.Random) -> dict:
    if rng.random() < 0.4:
        given = rng.choice((0.2, 0.5, 0.8))
        patient = {f.name: _random_value(rng, f) for f in PATIENT_FORM.fields if rng.random() < given}
    else:
        patient = dict(rng.choice(SCENARIOS))
        for name in rng.sample(FIELD_NAMES, rng.randrange(12)):
            if rng.random() < 0.25:
                patient.pop(name, None)
            else:
                patient[name] = _random_value(rng, PATIENT_FORM.by_name[name])
    return respect_rules(patient, lambda options: rng.choice(tuple(options)))


@st.composite
def valid_patients(draw):
    seed = draw(st.integers(0, 2**32 - 1))
    return random_patient(random.Random(seed))


ACTIVE = set(therapies.THERAPIES) - {"clinical_trial_referral", "car_t_off_trial"}


def check_invariants(patient: dict):
    try:
        result = recommend(patient)
    except InputError as error:
        # Generated patients respect every declared rule; only a stated grade can still contradict.
        assert error.field == "stated_grade", error
        return None
    facts, options = result.facts, result.options
    excluded = {e.option for e in result.excluded}

    # CAR-T is never offered outside a trial; only the trial item may speak of it.
    assert "car_t_off_trial" not in options and "car_t_off_trial" in excluded
    for rec in result.recommendations:
        if rec.option != "clinical_trial_referral":
            text = " ".join((rec.name, rec.rationale, rec.dose)).lower()
            assert "car-t" not in text and "car t" not in text, rec.option
    # No option is both recommended and excluded; each option once; tiers in order.
    assert not set(options) & excluded
    assert len(set(options)) == len(options)
    ranks = [TIERS.index(r.tier) for r in result.recommendations]
    assert ranks == sorted(ranks) and TIERS.index(NOT_RECOMMENDED) not in ranks
    # No therapy the disease progressed on is offered in a tier.
    for name, (option, _label) in PRIOR_THERAPIES.items():
        if facts[name] == "progressed":
            assert option not in options, (name, option)
    if facts["prior_prrt"] == "progressed":
        assert "prrt_retreatment" not in options
    # PRRT only with a complete, favourable eligibility check and sufficient uptake.
    if PRRT in options or "prrt_retreatment" in options:
        assert "eligible" in (facts["prrt_eligibility"], facts["prrt_first_line_eligibility"])
        assert facts["prrt_uptake"] == "sufficient"
    # Sunitinib is for pancreatic NETs only (and chemotherapy not for low-grade midgut NETs).
    if facts["site"] != "pancreas":
        assert "sunitinib" not in options
    if facts["site"] == "small_intestine" and facts["grade"] in ("G1", "G2"):
        assert not {"capecitabine_temozolomide", "streptozocin_5fu"} & set(options)
    # No resection while resectability is unknown.
    if facts["surgery_feasible"] in ("unknown", "no") and facts["extent_group"] == "local":
        assert not set(SURGERY) & set(options)
    # No dead end: an advanced patient gets an active option or a named missing item (or, once the
    # disease has progressed on earlier lines and none is left, a referral to a trial).
    if facts["advanced"] == "yes" and facts["grade"] != "unknown":
        assert (set(options) & ACTIVE) or result.missing or facts["on_treatment"] == "yes" or (
            (facts["progressed_on_prior"] == "yes" or facts["grade"] == "G3")
            and "clinical_trial_referral" in options), patient
    # Pathway by grade; NEC always carries platinum-etoposide when advanced.
    expected = {"NEC": PATHWAY_NEC, "G3": PATHWAY_G3, "unknown": PATHWAY_INCOMPLETE}.get(facts["grade"],
                                                                                         PATHWAY_LOW_GRADE)
    assert result.pathway == expected
    if facts["grade"] == "NEC" and facts["advanced"] == "yes" and facts["prior_platinum_etoposide"] in (
            "never", "unknown", "ongoing", "completed"):
        assert "platinum_etoposide" in options
    # Every recommendation cites real bibliography keys.
    for rec in result.recommendations:
        assert rec.citations and set(rec.citations) <= BIB_KEYS, rec.option
    return result


def check_trace(result) -> None:
    """The compiled tables fire exactly the rules that Condition.holds says, in table order."""
    trace = result.trace
    assert [t.rule_id for t in trace] == [rule.id for rule in RULES]
    fired = []
    for rule, step in zip(RULES, trace):
        failing = next((c for c in rule.conditions if not c.holds(result.facts)), None)
        assert step.fired == (failing is None), rule.id
        if failing is not None:
            assert step.decided_by.startswith(f"{failing.text()} is false ("), rule.id
        else:
            fired.append(rule.id)
    assert tuple(fired) == result.fired_rule_ids


@settings(max_examples=500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(valid_patients())
def test_properties_hold_for_random_valid_patients(patient):
    result = check_invariants(patient)
    if result is not None:
        check_trace(result)
        json.dumps(result.as_dict())
        assert recommend(patient).as_dict() == result.as_dict()


def test_properties_hold_for_10000_seeded_random_patients():
    rng = random.Random(20261128)
    fired: set[str] = set()
    advanced = 0
    for number in range(10_000):
        result = check_invariants(random_patient(rng))
        if result is None:
            continue
        advanced += result.facts["advanced"] == "yes"
        fired |= set(result.fired_rule_ids)
        if number % 50 == 0:
            check_trace(result)
    assert advanced > 2_000
    # A property that never saw a rule fire proves nothing about it: most rows must fire here; the
    # rarest ones are exercised by the scenario tests above and the vignettes.
    never = {rule.id for rule in RULES} - fired
    assert len(never) <= len(RULES) // 5, sorted(never)


def test_rules_table_has_one_row_per_rule():
    rows = pathway.rules_table()
    assert [r["id"] for r in rows] == [r.id for r in RULES]
    assert all(r["conditions"] and r["citations"] is not None for r in rows)


def test_numbers_in_the_tables_text_come_from_netlib_constants():
    """A threshold in a row's text is written {CONSTANT:g}, so the text cannot drift from the logic."""
    import tomllib
    folder = Path(pathway.__file__).parent / "guideline"
    # Figures not held by netlib: the 90 % debulking goal of liver surgery (ESMO 2020) only.
    allowed = {"90 %"}
    for path in sorted(folder.glob("*.toml")):
        for row in tomllib.loads(path.read_text(encoding="utf-8")).get("rule", []):
            for key in ("rationale", "item"):
                text = row.get(key, "")
                typed = {m.group(0) for m in re.finditer(r"(?<![{\w.\-])\d+(?:\.\d+)?\s?(?:cm\b|%|months\b)", text)}
                assert typed <= allowed, (path.name, row["id"], typed - allowed)


def test_an_unknown_constant_in_a_rows_text_is_refused():
    with pytest.raises(TableError, match="unknown constant"):
        pathway._rule_from_row("t", {**GOOD_ROW, "rationale": "below {NO_SUCH_CONSTANT:g} cm"})


# --- The fast paths of recommend() give what the plain definitions give --------------------------

def test_recommend_result_has_exactly_the_dataclass_fields_and_stays_frozen():
    import dataclasses

    from netlib.examples import PATIENT_EXAMPLES
    from netlib.pathway import Recommendations

    result = recommend(PATIENT_EXAMPLES["progressive-pancreatic-g2"])
    assert set(vars(result)) == {f.name for f in dataclasses.fields(Recommendations)}
    rebuilt = Recommendations(**{f.name: getattr(result, f.name) for f in dataclasses.fields(Recommendations)})
    assert rebuilt == result
    with pytest.raises(dataclasses.FrozenInstanceError):
        result.pathway = "x"


@pytest.mark.parametrize("seed", range(300))
def test_facts_view_equals_derive_facts_in_order_and_values(seed):
    """recommend() defers the NETTER-2 check; what a reader sees is derive_facts, key for key, in order."""
    patient = random_patient(random.Random(seed))
    try:
        result = recommend(patient)
    except InputError:
        return
    full = derive_facts(PATIENT_FORM.validate(patient))
    assert list(result.facts) == list(full)
    assert dict(result.facts.items()) == full
    assert len(result.facts) == len(full)
    assert all(key in result.facts for key in full) and "no_such_fact" not in result.facts
    assert result.facts.get("no_such_fact") is None


def test_netter2_is_computed_only_when_a_row_or_a_reader_asks():
    from netlib.pathway import _tables
    from netlib.patient import derive_facts_lazily

    clean = PATIENT_FORM.validate({"primary_site": "rectum", "extent": "localised", "differentiation": "well",
                                   "ki67_percent": 1, "tumour_size_cm": 0.6})
    facts = derive_facts_lazily(clean)
    _tables().fire(facts._view)
    assert not dict.__contains__(facts, "prrt_first_line_result")  # no first-line row reached it
    assert facts["prrt_first_line_eligibility"] in ("eligible", "not eligible", "incomplete")
    assert not dict.__contains__(facts, "prrt_first_line_result")  # the category needs no result
    assert facts["prrt_first_line_result"].category == facts["prrt_first_line_eligibility"]
    assert dict.__contains__(facts, "prrt_first_line_result")


@pytest.mark.parametrize("seed", range(300))
def test_prrt_facts_equal_the_public_calculator(seed):
    """The tables read the PRRT category from prrt.assess and the results are made on first read; both must be
    what the validating calculator returns for the same inputs, for NETTER-1 and NETTER-2."""
    from netlib.prrt import prrt_eligibility

    patient = random_patient(random.Random(10_000 + seed))
    try:
        result = recommend(patient)
    except InputError:
        return
    category = result.facts["prrt_eligibility"]
    derived = result.facts._prrt_values  # the calculator's inputs among the record's other fields
    inputs = {name: derived[name] for name in prrt_eligibility.calculator.form.by_name if name != "criteria_set"}
    netter1 = prrt_eligibility(criteria_set="netter1", **inputs)
    netter2 = prrt_eligibility(criteria_set="netter2", **inputs)
    assert category == netter1.category
    assert result.facts["prrt_result"] == netter1
    assert result.facts["prrt_first_line_eligibility"] == netter2.category
    assert result.facts["prrt_first_line_result"] == netter2


def test_prrt_result_is_made_only_when_a_row_or_a_reader_asks():
    from netlib.pathway import _tables
    from netlib.patient import derive_facts_lazily

    clean = PATIENT_FORM.validate({"primary_site": "rectum", "extent": "localised", "differentiation": "well",
                                   "ki67_percent": 1, "tumour_size_cm": 0.6})
    facts = derive_facts_lazily(clean)
    _tables().fire(facts._view)
    assert facts["prrt_eligibility"] == "incomplete"
    assert not dict.__contains__(facts, "prrt_result")  # no row that quotes its reasons fired
    assert facts["prrt_result"].category == "incomplete"
    assert dict.__contains__(facts, "prrt_result")
    # An exclusion quotes the failed criteria from the assessment, without making the whole result; the
    # result, made when read, gives the same reasons.
    failing = recommend({"primary_site": "small_intestine", "extent": "metastatic", "differentiation": "well",
                         "ki67_percent": 5, "disease_status": "progressive", "sstr_imaging": "pet",
                         "krenning_score": 4, "platelets_10e9_l": 40})
    quoted = [item.reason for item in failing.excluded if "Platelet count 40" in item.reason]
    assert len(quoted) == 1 and not dict.__contains__(failing.facts._facts, "prrt_result")
    assert " ".join(failing.facts["prrt_result"].details["reasons"]) in quoted[0]


def test_an_exclusion_a_calculator_completes_writes_its_reason_when_first_read():
    """The PRRT exclusion quotes the failed criteria.  recommend() leaves its reason to be written when it is
    first read; read, compared, copied or pickled, it is the exclusion built with its reason at once."""
    import copy
    import pickle

    from netlib.pathway import Exclusion, _tables

    patient = {"primary_site": "small_intestine", "extent": "metastatic", "differentiation": "well",
               "ki67_percent": 5, "disease_status": "progressive", "sstr_imaging": "pet", "krenning_score": 4,
               "platelets_10e9_l": 40, "karnofsky_percent": 50}

    def pending_exclusion():
        result = recommend(patient)
        [exclusion] = [item for item in result.excluded if item.rule_id == "EXC-09"]
        assert "reason" not in vars(exclusion)  # not written yet
        return exclusion, result

    exclusion, result = pending_exclusion()
    rule = RULES[_tables().order["EXC-09"]]
    reasons = result.facts["prrt_result"].details["reasons"]
    assert len(reasons) == 2  # platelets and Karnofsky
    expected = Exclusion(exclusion.option, exclusion.name, "EXC-09", rule.rationale + " " + " ".join(reasons),
                         rule.citations)
    assert exclusion.reason == expected.reason and "reason" in vars(exclusion)
    assert exclusion == expected and hash(exclusion) == hash(expected) and repr(exclusion) == repr(expected)
    assert exclusion.as_dict() == expected.as_dict()
    for made in (copy.copy(pending_exclusion()[0]), copy.deepcopy(pending_exclusion()[0]),
                 pickle.loads(pickle.dumps(pending_exclusion()[0]))):
        assert type(made) is Exclusion and vars(made) == vars(expected)
    assert pending_exclusion()[0] == expected  # compared before its reason was read
    assert dataclasses.asdict(pending_exclusion()[0]) == dataclasses.asdict(expected)
    assert dataclasses.replace(pending_exclusion()[0], name="x") == dataclasses.replace(expected, name="x")
    with pytest.raises(AttributeError, match="'Exclusion' object has no attribute 'reasons'"):
        exclusion.reasons  # noqa: B018 - another attribute is still missing
    # Threads reading one pending reason at once all read the same text.
    from concurrent.futures import ThreadPoolExecutor

    for _ in range(20):
        shared = pending_exclusion()[0]
        with ThreadPoolExecutor(8) as pool:
            assert set(pool.map(lambda _: shared.reason, range(16))) == {expected.reason}


@pytest.mark.parametrize("seed", range(200))
def test_patient_form_generated_validator_equals_the_reference(seed):
    """The generated validator skips a rule while a field of its ``given`` is empty; the reference calls
    every rule.  Same clean values or the same error, for random patients with one value blanked or
    made contradictory."""
    def outcome(validate, values):
        try:
            return "ok", validate(values)
        except InputError as error:
            return "error", (error.field, str(error))

    rng = random.Random(20_000 + seed)
    patient = random_patient(rng)
    cases = [patient]
    for rule in PATIENT_FORM.rules:
        for name in rule.fields:
            cases.append({**patient, name: None})
            field = PATIENT_FORM.by_name[name]
            cases.append({**patient, name: random_value(rng, field) if field.kind != "boolean" else True})
    for values in cases:
        assert outcome(PATIENT_FORM.validate, values) == outcome(PATIENT_FORM._validate_slowly, values), values


@pytest.mark.parametrize("seed", range(200))
def test_every_patient_gets_the_same_derived_facts_in_the_same_order(seed):
    """derive gives every patient the facts of patient.FACT_ORDER, in that order: no fact may be set for some
    patients only, and none may be left as a placeholder.  A deferred fact (LAZY_FACTS) is outside that
    order; the complete facts have the same keys in the same order for all."""
    from netlib.patient import FACT_ORDER, LAZY_FACTS, derive_facts_lazily

    try:
        clean = PATIENT_FORM.validate(random_patient(random.Random(30_000 + seed)))
        facts = derive_facts_lazily(clean)
    except InputError:
        return
    derived = dict(facts)
    assert [key for key in derived if key not in LAZY_FACTS] == list(FACT_ORDER)
    assert not LAZY_FACTS & set(FACT_ORDER)
    assert list(facts.complete()) == list(derive_facts_lazily(PATIENT_FORM.validate({})).complete())
    facts_of_empty = dict(derive_facts_lazily(PATIENT_FORM.validate({})))
    for key in derived:  # a fact the empty record leaves None may be None; the others are always set
        if facts_of_empty[key] is not None:
            assert derived[key] is not None, key


def test_derive_lists_its_facts_in_fact_order():
    """derive computes each fact into a local of the fact's own name and lists them at the end: the list must
    name FACT_ORDER, in order (a value in the wrong place would be read under another fact's name).  The two
    groups written as one expression are those of _YES_NO_FACTS and PRIOR_THERAPIES."""
    import ast
    import inspect

    from netlib.patient import _YES_NO_FACTS, FACT_ORDER, FACT_VALUES, LAZY_FACTS, PRIOR_THERAPIES, derive

    tree = ast.parse(inspect.getsource(derive))
    listed = [node for node in ast.walk(tree) if isinstance(node, ast.Assign)
              and ast.unparse(node.targets[0]) == "view._values"]
    assert len(listed) == 1
    names = []
    for element in listed[0].value.elts:
        if isinstance(element, ast.Starred):
            source = ast.unparse(element.value)
            if "_YES_NO_FACTS_OF" in source:
                names += _YES_NO_FACTS
            elif source == "prior_lines":
                names += PRIOR_THERAPIES
            else:
                raise AssertionError(source)
        else:
            names.append(element.id)
    assert names == list(FACT_ORDER)
    assert set(FACT_VALUES) - LAZY_FACTS <= set(FACT_ORDER)


@pytest.mark.parametrize("kept", [0, 1, None])
def test_fired_rule_ids_is_a_tuple_for_no_one_or_several_fired_rules(monkeypatch, kept):
    # recommend() picks the fired ids in one call for two rows or more; none and one take another way.
    if kept is not None:
        monkeypatch.setattr(pathway, "RULES", tuple([rule for rule in RULES if not rule.conditions][:kept]))
    result = recommend({})
    fired = tuple(step.rule_id for step in result.trace if step.fired)
    assert result.fired_rule_ids == fired and type(result.fired_rule_ids) is tuple
    assert len(fired) == (kept if kept is not None else len(fired)) and (kept is not None or len(fired) > 1)


@pytest.mark.parametrize("seed", range(150))
def test_deferred_calculator_results_are_made_when_read_and_equal_the_calculators(seed):
    """The WHO GEP and growth-rate results behind grade and tgr_category are made when first read, and are
    then exactly what the calculators (validating entry points) return for the same inputs."""
    from netlib.grading import who_gep_grade
    from netlib.patient import derive_facts_lazily
    from netlib.response import tumour_growth_rate

    rng = random.Random(40_000 + seed)
    patient = random_patient(rng)
    patient.update(primary_site=rng.choice(["pancreas", "small_intestine", "rectum", None]),
                   lung_morphology=None, gastric_type=None, differentiation=rng.choice(["well", "poor"]),
                   ki67_percent=rng.choice([None, 2.9, 3.0, 20.0, 20.1, 40.0]),
                   mitoses_per_2mm2=rng.choice([1.0, 2.0, 25.0]), stated_grade=None,
                   sum_diameters_baseline_mm=60.0, sum_diameters_current_mm=rng.choice([55.0, 60.0, 61.5, 75.0]),
                   interval_months=rng.choice([1.0, 3.0, 4.0, 6.0]))
    clean = PATIENT_FORM.validate(patient)
    facts = derive_facts_lazily(clean)
    assert "grade_result" not in dict(facts) and "tgr_result" not in dict(facts)  # not made yet
    grade = who_gep_grade(differentiation=clean["differentiation"], ki67_percent=clean["ki67_percent"],
                          mitoses_per_2mm2=clean["mitoses_per_2mm2"])
    tgr = tumour_growth_rate(sum_diameters_baseline_mm=60.0, sum_diameters_current_mm=clean["sum_diameters_current_mm"],
                             interval_months=clean["interval_months"])
    assert facts["grade"] == {"NET G1": "G1", "NET G2": "G2", "NET G3": "G3", "NEC": "NEC"}[grade.category]
    assert facts["tgr_category"] == tgr.category
    assert facts["grade_result"] == grade and facts["tgr_result"] == tgr
    assert facts["grade_result"] is facts["grade_result"]  # made once
    complete = facts.complete()
    assert complete["grade_result"] == grade and complete["tgr_result"] == tgr


@pytest.mark.parametrize("seed", range(40))
def test_a_lung_result_is_made_when_read_and_is_the_calculators(seed):
    """A lung carcinoid's type (a fact) comes from the category function; its result is made when first read:
    the calculator's, for a carcinoid with or without a size and for a carcinoma."""
    from netlib.grading import lung_carcinoid
    from netlib.patient import derive_facts_lazily

    rng = random.Random(seed)
    morphology = rng.choice(["carcinoid", "large_cell_nec", "small_cell_carcinoma", None])
    record = {"primary_site": rng.choice(["lung", "thymus"]), "lung_morphology": morphology,
              "differentiation": rng.choice([None, "well"] if morphology in ("carcinoid", None) else [None, "poor"]),
              "mitoses_per_2mm2": rng.choice([0.0, 1.9, 2.0, 10.0, 10.1, 40.0]),
              "necrosis": rng.choice(["absent", "punctate", "extensive"]),
              "tumour_size_cm": rng.choice([None, 0.4, 0.5, 3.0]), "ki67_percent": rng.choice([None, 4.0])}
    facts = derive_facts_lazily(PATIENT_FORM.validate(record))
    assert "grade_result" not in dict(facts)  # not made yet
    if morphology in ("large_cell_nec", "small_cell_carcinoma"):
        expected = lung_carcinoid(morphology=morphology, mitoses_per_2mm2=record["mitoses_per_2mm2"],
                                  necrosis=record["necrosis"], ki67_percent=record["ki67_percent"])
        assert facts["grade"] == "NEC" and facts["lung_type"] == "unknown"
    else:
        size = record["tumour_size_cm"]
        expected = lung_carcinoid(morphology="carcinoid", mitoses_per_2mm2=record["mitoses_per_2mm2"],
                                  necrosis=record["necrosis"], ki67_percent=record["ki67_percent"],
                                  tumour_size_mm=None if size is None else size * 10)
        assert facts["lung_type"] == expected.category
    assert facts["grade_result"] == expected and facts["grade_result"] is facts["grade_result"]  # made once
    assert facts.complete()["grade_result"] == expected


def test_a_missing_result_is_there_at_once():
    from netlib.patient import derive_facts_lazily

    empty = derive_facts_lazily(PATIENT_FORM.validate({}))
    assert dict(empty)["grade_result"] is None and dict(empty)["tgr_result"] is None


def test_a_category_function_is_used_only_while_the_calculator_is_called_unvalidated():
    """Should a declaration drift (the calculator kept validating), the facts take the validating call's category."""
    from netlib.grading import who_gep_category, who_gep_grade
    from netlib.patient import _category_only
    from netlib.response import tumour_growth_rate, tumour_growth_rate_category

    assert _category_only(who_gep_grade, who_gep_grade.raw, who_gep_category) is who_gep_category
    drifted = _category_only(who_gep_grade, who_gep_grade, who_gep_category)
    assert drifted is not who_gep_category
    assert drifted("well", 4.0, None) == "NET G2" and drifted("poor", 1.0, 1.0) == "NEC"
    with pytest.raises(InputError):  # validated: Ki-67 above 100 % is refused
        drifted("well", 120.0, None)
    from netlib.grading import lung_carcinoid, lung_carcinoid_category

    assert _category_only(lung_carcinoid, lung_carcinoid.raw, lung_carcinoid_category) is lung_carcinoid_category
    drifted = _category_only(lung_carcinoid, lung_carcinoid, lung_carcinoid_category)
    assert drifted("carcinoid", None, 1.0, "absent") == "typical carcinoid"
    assert drifted("carcinoid", 4.0, 1.0, "absent") == "tumourlet"
    with pytest.raises(InputError):  # validated: more than 1,000 mitoses per 2 mm² is refused
        drifted("carcinoid", None, 1200.0, "absent")
    growth = _category_only(tumour_growth_rate, tumour_growth_rate, tumour_growth_rate_category)
    assert growth(100.0, 100.8, 3.0) == "high" and growth(100.0, 100.8, 6.0) == "not applicable"


def test_ranked_options_are_the_same_whether_remembered_or_not(monkeypatch):
    """recommend() remembers the ranking of each set of fired option rows (at most _RANKED_LIMIT sets); past the
    limit it ranks without remembering.  Both give the same recommendations, excluded options left out."""
    from netlib.pathway import _tables

    rng = random.Random(50_000)
    patients = [random_patient(rng) for _ in range(300)]

    def results():
        out = []
        for patient in patients:
            try:
                out.append(recommend(patient).as_dict())
            except InputError as error:
                out.append(str(error))
        return out

    _tables().ranked.clear()
    remembered = results()
    assert _tables().ranked, "the rankings were remembered"
    monkeypatch.setattr(pathway, "_RANKED_LIMIT", 0)
    _tables().ranked.clear()
    assert results() == remembered
    assert not _tables().ranked, "nothing is remembered past the limit"
