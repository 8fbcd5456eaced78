"""Treatment options: vocabulary, doses built from constants, trials, citations, CAR-T rule."""

import dataclasses
import re
from pathlib import Path

import pytest
from hypothesis import given, strategies as st

from netlib import InputError, evidence, prrt, therapies
from netlib.therapies import OPTION_IDS, THERAPIES, dose, name, therapy

BIB_DIR = Path(__file__).resolve().parents[1] / "book" / "bib"
_KEY = re.compile(r"@\w+\s*\{\s*([^,\s]+)\s*,")


def bib_keys() -> set[str]:
    return {key for path in BIB_DIR.glob("*.bib") for key in _KEY.findall(path.read_text(encoding="utf-8"))}


TRIAL_IDS = {t.id for t in evidence.TRIALS}

# clinical-facts 11.4: the option vocabulary of the treatment-pathway function.
VOCABULARY = {
    "surveillance", "ssa", "ssa_dose_escalation", "ssa_discontinuation", "prrt_lu177_dotatate",
    "everolimus", "sunitinib", "cabozantinib", "capecitabine_temozolomide", "streptozocin_5fu",
    "platinum_etoposide", "liver_directed_therapy", "surgical_resection", "telotristat_ethyl",
    "interferon_alpha", "clinical_trial_referral", "car_t_off_trial",
    "immune_checkpoint_inhibitor_monotherapy",
    # Pathway 2 (rule set 2026.11-5): local treatment by site, sequencing and syndromes.
    "ssa_for_symptoms", "prrt_retreatment", "temozolomide", "enucleation", "endoscopic_resection",
    "appendectomy", "right_hemicolectomy", "liver_transplantation", "proton_pump_inhibitor", "diazoxide",
    "pembrolizumab", "oxaliplatin_or_irinotecan_chemotherapy", "gastrinoma_resection", "steroidogenesis_inhibitor",
}


def test_options_are_the_pathway_vocabulary():
    assert set(THERAPIES) == VOCABULARY
    assert OPTION_IDS == tuple(THERAPIES)
    assert all(THERAPIES[key].id == key for key in THERAPIES)


# --- The CAR-T rule ---------------------------------------------------------------------------

def test_car_t_off_trial_is_never_recommended():
    car_t = therapy("car_t_off_trial")
    assert car_t.never_recommend and not car_t.standard_option
    assert car_t.doses == () and car_t.pivotal_trials == ()


def test_only_car_t_off_trial_carries_the_never_rule():
    assert [t.id for t in THERAPIES.values() if t.never_recommend] == ["car_t_off_trial"]


def test_checkpoint_inhibitor_monotherapy_is_not_a_standard_option():
    # clinical-facts 9.3: low TMB, poor activity in low-grade NETs.
    assert not therapy("immune_checkpoint_inhibitor_monotherapy").standard_option


def test_platinum_etoposide_belongs_to_the_nec_pathway_only():
    assert {t.id for t in THERAPIES.values() if t.pathway == "nec"} == {"platinum_etoposide"}
    assert {t.pathway for t in THERAPIES.values()} == {"net", "nec"}


# --- Trials and citations ------------------------------------------------------------------------

@pytest.mark.parametrize("option", OPTION_IDS)
def test_pivotal_trials_exist_in_the_evidence_table(option):
    assert set(therapy(option).pivotal_trials) <= TRIAL_IDS


@pytest.mark.parametrize("option", OPTION_IDS)
def test_every_citation_has_a_bibliography_entry(option):
    missing = set(therapy(option).citations) - bib_keys()
    assert not missing, f"{option}: {sorted(missing)} missing from book/bib/*.bib"


@pytest.mark.parametrize("option", OPTION_IDS)
def test_pivotal_trials_are_cited(option):
    t = therapy(option)
    assert {evidence.trial(i).citation for i in t.pivotal_trials} <= set(t.citations)


@pytest.mark.parametrize("option, trials", [
    ("ssa", {"promid", "clarinet"}),                       # clinical-facts 11.1
    ("everolimus", {"radiant3", "radiant4"}),
    ("sunitinib", {"a6181111"}),
    ("prrt_lu177_dotatate", {"netter1", "netter2"}),
    ("cabozantinib", {"cabinet_epnet", "cabinet_pnet"}),
    ("capecitabine_temozolomide", {"e2211"}),
    ("telotristat_ethyl", {"telestar"}),
])
def test_pivotal_trials_of_each_drug(option, trials):
    assert set(therapy(option).pivotal_trials) == trials


def test_sunitinib_evidence_is_pancreatic_only():
    # clinical-facts 13.13: recommending sunitinib for midgut NETs is a known pathway error.
    for trial_id in therapy("sunitinib").pivotal_trials:
        assert evidence.trial(trial_id).sites == ("pancreas",)


# --- Doses: constants against published values ---------------------------------------------------

DOSES = [
    # PROMID abstract: octreotide LAR 30 mg IM monthly.
    ("OCTREOTIDE_LAR_DOSE_MG", 30), ("OCTREOTIDE_LAR_INTERVAL_WEEKS", 4),
    # CLARINET abstract: lanreotide 120 mg every 28 days.
    ("LANREOTIDE_DOSE_MG", 120), ("LANREOTIDE_INTERVAL_WEEKS", 4),
    # NETTER-1 and NETTER-2 control arm: octreotide LAR 60 mg every 4 weeks.
    ("OCTREOTIDE_LAR_HIGH_DOSE_MG", 60), ("OCTREOTIDE_LAR_HIGH_DOSE_INTERVAL_WEEKS", 4),
    # RADIANT-3 and RADIANT-4 abstracts: everolimus 10 mg once daily.
    ("EVEROLIMUS_DOSE_MG", 10),
    # A6181111 abstract: sunitinib 37.5 mg per day.
    ("SUNITINIB_DOSE_MG", 37.5),
    # CABINET abstract: cabozantinib 60 mg daily.
    ("CABOZANTINIB_DOSE_MG", 60),
    # Xermelo label and TELESTAR: 250 mg three times daily.
    ("TELOTRISTAT_DOSE_MG", 250), ("TELOTRISTAT_DOSES_PER_DAY", 3),
    # E2211 protocol (arm B): capecitabine 750 mg/m² twice daily d1-14, temozolomide 200 mg/m² d10-14, q28d.
    ("CAPECITABINE_DOSE_MG_PER_M2", 750), ("CAPECITABINE_DOSES_PER_DAY", 2),
    ("CAPECITABINE_FIRST_DAY", 1), ("CAPECITABINE_LAST_DAY", 14),
    ("TEMOZOLOMIDE_DOSE_MG_PER_M2", 200), ("TEMOZOLOMIDE_FIRST_DAY", 10),
    ("TEMOZOLOMIDE_LAST_DAY", 14), ("CAPTEM_CYCLE_DAYS", 28),
    # NETTER-1 abstract and Lutathera label: 7.4 GBq (200 mCi) every 8 weeks, 4 doses.
    ("LU177_DOTATATE_ACTIVITY_GBQ", 7.4), ("LU177_DOTATATE_ACTIVITY_MCI", 200),
    ("LU177_DOTATATE_INTERVAL_WEEKS", 8), ("LU177_DOTATATE_DOSES", 4),
]


@pytest.mark.parametrize("constant, value", DOSES)
def test_dose_constant(constant, value):
    assert getattr(therapies, constant) == value


def test_prrt_constants_are_the_prrt_modules():
    # One definition in the package: netlib.prrt owns the 177Lu-dotatate regimen.
    assert therapies.LU177_DOTATATE_ACTIVITY_GBQ is prrt.LUTATHERA_ACTIVITY_PER_DOSE_GBQ
    assert therapies.LU177_DOTATATE_DOSES is prrt.LUTATHERA_NUMBER_OF_DOSES


def test_lutetium_activity_units_agree():
    # 1 mCi = 37 MBq: 200 mCi = 7.4 GBq.
    assert therapies.LU177_DOTATATE_ACTIVITY_MCI * 0.037 == pytest.approx(therapies.LU177_DOTATATE_ACTIVITY_GBQ)


@pytest.mark.parametrize("option, fragments", [
    ("ssa", ("Octreotide LAR 30 mg IM every 4 weeks", "Lanreotide 120 mg deep subcutaneous every 4 weeks",
             "; or ")),
    ("ssa_dose_escalation", ("Octreotide LAR 60 mg IM every 4 weeks", "Off-label")),
    ("everolimus", ("Everolimus 10 mg orally once daily",)),
    ("sunitinib", ("Sunitinib 37.5 mg orally once daily",)),
    ("cabozantinib", ("Cabozantinib 60 mg orally once daily",)),
    ("telotristat_ethyl", ("Telotristat ethyl 250 mg orally three times daily",)),
    ("capecitabine_temozolomide", ("Capecitabine 750 mg/m² orally twice daily on days 1-14",
                                   "Temozolomide 200 mg/m² orally once daily on days 10-14",
                                   "every 28 days")),
    ("prrt_lu177_dotatate", ("7.4 GBq IV every 8 weeks", "4 doses", "29.6 GBq in total",
                             "Octreotide LAR 30 mg")),
])
def test_dose_text(option, fragments):
    text = dose(option)
    for fragment in fragments:
        assert fragment in text


def test_dose_text_follows_the_constants():
    # The text is built from the constants at import: a different constant gives a different text.
    assert f"{therapies.EVEROLIMUS_DOSE_MG} mg" in dose("everolimus")
    component = dataclasses.replace(therapy("everolimus").doses[0], amount=5)
    assert component.text.startswith("Everolimus 5 mg")


@pytest.mark.parametrize("trial_id, arm, fragment", [
    # The trial arms in netlib.evidence must describe the doses in netlib.therapies.
    ("promid", "experimental_arm", f"{therapies.OCTREOTIDE_LAR_DOSE_MG} mg"),
    ("clarinet", "experimental_arm", f"{therapies.LANREOTIDE_DOSE_MG} mg"),
    ("radiant3", "experimental_arm", f"{therapies.EVEROLIMUS_DOSE_MG} mg"),
    ("radiant4", "experimental_arm", f"{therapies.EVEROLIMUS_DOSE_MG} mg"),
    ("a6181111", "experimental_arm", f"{therapies.SUNITINIB_DOSE_MG} mg"),
    ("cabinet_pnet", "experimental_arm", f"{therapies.CABOZANTINIB_DOSE_MG} mg"),
    ("cabinet_epnet", "experimental_arm", f"{therapies.CABOZANTINIB_DOSE_MG} mg"),
    ("netter1", "experimental_arm", f"{therapies.LU177_DOTATATE_ACTIVITY_GBQ} GBq"),
    ("netter2", "experimental_arm", f"{therapies.LU177_DOTATATE_ACTIVITY_GBQ} GBq"),
    ("netter1", "control_arm", f"{therapies.OCTREOTIDE_LAR_HIGH_DOSE_MG} mg"),
    ("netter2", "control_arm", f"{therapies.OCTREOTIDE_LAR_HIGH_DOSE_MG} mg"),
    ("e2211", "experimental_arm", f"{therapies.CAPECITABINE_DOSE_MG_PER_M2} mg/m²"),
    ("e2211", "experimental_arm", f"{therapies.TEMOZOLOMIDE_DOSE_MG_PER_M2} mg/m²"),
    ("telestar", "experimental_arm", f"{therapies.TELOTRISTAT_DOSE_MG} mg"),
])
def test_trial_arms_match_the_dose_constants(trial_id, arm, fragment):
    assert fragment in getattr(evidence.trial(trial_id), arm)


# --- Verification flags ------------------------------------------------------------------------------

@pytest.mark.parametrize("option", OPTION_IDS)
def test_dose_verified_is_set_exactly_when_there_is_a_dose(option):
    t = therapy(option)
    assert (t.dose_verified is None) == (t.doses == ())
    assert t.dose_source
    if t.dose_verified:
        assert t.pivotal_trials or any(key.endswith("label") or key.startswith("fda_label")
                                       for key in t.citations)


def test_doses_without_a_verified_source_are_none():
    # No dose is claimed for regimens this book does not fix.
    for option in ("streptozocin_5fu", "platinum_etoposide", "interferon_alpha"):
        assert therapy(option).doses == () and therapy(option).dose_verified is None


# --- Look-ups ------------------------------------------------------------------------------------

def test_name_and_dose_helpers():
    assert name("everolimus") == "Everolimus"
    assert dose("surgical_resection") == ""


@pytest.mark.parametrize("bad", ["lutathera", "", "SSA", None, 7])
def test_unknown_option_raises_input_error(bad):
    with pytest.raises(InputError) as error:
        therapy(bad)
    assert error.value.field == "option_id" and "car_t_off_trial" in error.value.accepted


@given(st.text(max_size=40))
def test_lookup_either_finds_or_refuses(text):
    if text in THERAPIES:
        assert therapy(text).id == text
    else:
        with pytest.raises(InputError):
            therapy(text)


def test_records_are_frozen():
    with pytest.raises(dataclasses.FrozenInstanceError):
        therapy("ssa").never_recommend = True
    with pytest.raises(TypeError):
        THERAPIES["car_t_off_trial"] = THERAPIES["ssa"]
