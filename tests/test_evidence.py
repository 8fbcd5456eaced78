"""Pivotal-trial data: integrity, published figures, look-up and rendering helpers."""

import dataclasses
import math
import re
from pathlib import Path

import pytest
from hypothesis import given, strategies as st

from netlib import InputError
from netlib.evidence import (PRIMARY_SITES, TRIAL_TABLE_COLUMNS, TRIALS, Trial, forest_rows, trial,
                             trial_table)

BIB_DIR = Path(__file__).resolve().parents[1] / "book" / "bib"
_ENTRY = re.compile(r"@(\w+)\s*\{\s*([^,\s]+)\s*,(.*?)\n\}", re.S)


def bib_entries() -> dict[str, tuple[str, str]]:
    """Key -> (entry type, body) over every fragment in book/bib/."""
    entries = {}
    for path in sorted(BIB_DIR.glob("*.bib")):
        for kind, key, body in _ENTRY.findall(path.read_text(encoding="utf-8")):
            entries[key] = (kind.lower(), body)
    return entries


BY_ID = {t.id: t for t in TRIALS}
WITH_HR = [t for t in TRIALS if t.hazard_ratio is not None]


# --- The set of trials the book relies on ------------------------------------------------

def test_every_pivotal_trial_is_present():
    # clinical-facts section 10; CABINET has one row per independently randomised cohort.
    assert set(BY_ID) == {"promid", "clarinet", "radiant3", "a6181111", "radiant4", "netter1",
                          "netter2", "cabinet_epnet", "cabinet_pnet", "e2211", "telestar"}


def test_ids_are_unique_and_labels_distinct():
    assert len(BY_ID) == len(TRIALS)
    assert len({t.label for t in TRIALS}) == len(TRIALS)


# --- Integrity -----------------------------------------------------------------------------

@pytest.mark.parametrize("t", WITH_HR, ids=lambda t: t.id)
def test_hazard_ratio_lies_within_its_interval(t):
    assert t.ci_low is not None and t.ci_high is not None
    assert 0 < t.ci_low <= t.hazard_ratio <= t.ci_high


@pytest.mark.parametrize("t", WITH_HR, ids=lambda t: t.id)
def test_hazard_ratio_is_experimental_versus_control(t):
    # Every one of these trials favoured the experimental arm; a ratio above 1 means an inverted
    # figure (clinical-facts 12.11: a summary site prints CABINET as HR 2.6 (1.7-4)).
    assert t.hazard_ratio < 1 and t.ci_high < 1


@pytest.mark.parametrize("t", WITH_HR, ids=lambda t: t.id)
def test_interval_is_consistent_with_a_log_normal_estimate(t):
    # The point estimate sits near the geometric middle of a 95 % CI (within rounding).
    middle = math.sqrt(t.ci_low * t.ci_high)
    assert abs(math.log(t.hazard_ratio / middle)) < 0.05


@pytest.mark.parametrize("t", TRIALS, ids=lambda t: t.id)
def test_medians_are_positive_and_explained(t):
    for median in (t.median_experimental_months, t.median_control_months):
        assert median is None or median > 0
    if t.median_experimental_months is not None and t.median_control_months is not None:
        assert t.median_experimental_months > t.median_control_months
    if t.hazard_ratio is not None and None in (t.median_experimental_months, t.median_control_months):
        assert "not reached" in t.median_text
    for median in (t.median_experimental_months, t.median_control_months):
        if median is not None:
            assert f"{median:.1f}" in t.median_text


@pytest.mark.parametrize("t", TRIALS, ids=lambda t: t.id)
def test_record_fields_are_filled(t):
    assert t.n_randomised > 0 and 2009 <= t.year <= 2025 and t.phase in ("2", "3")
    assert t.sites and all(site in PRIMARY_SITES for site in t.sites)
    assert t.population and t.experimental_arm and t.control_arm and t.primary_endpoint
    assert t.p_value and t.reference and t.verification_note
    assert t.registration is None or re.fullmatch(r"NCT\d{8}", t.registration)


@pytest.mark.parametrize("t", [t for t in TRIALS if not t.verified], ids=lambda t: t.id)
def test_unverified_rows_say_what_is_unverified(t):
    assert "not found" in t.verification_note or "not verified" in t.verification_note


@pytest.mark.parametrize("t", TRIALS, ids=lambda t: t.id)
def test_citation_key_has_a_bibliography_entry(t):
    assert t.citation in bib_entries(), f"{t.citation} missing from book/bib/*.bib"


@pytest.mark.parametrize("key", sorted({t.citation for t in TRIALS}))
def test_trial_entries_are_real_articles(key):
    kind, body = bib_entries()[key]
    assert kind == "article"
    for field in ("author", "title", "journal", "year", "volume", "pages", "doi"):
        assert re.search(rf"^\s*{field}\s*=", body, re.M), f"{key} lacks {field}"


def test_records_are_frozen():
    with pytest.raises(dataclasses.FrozenInstanceError):
        TRIALS[0].hazard_ratio = 0.5


def test_declaration_checks_reject_an_interval_that_misses_its_estimate():
    fields = {f.name: getattr(BY_ID["promid"], f.name) for f in dataclasses.fields(Trial)}
    with pytest.raises(AssertionError):
        Trial(**{**fields, "hazard_ratio": 0.70})  # outside 0.20-0.59
    with pytest.raises(AssertionError):
        Trial(**{**fields, "sites": ("ileum",)})  # not in the vocabulary
    with pytest.raises(AssertionError):
        Trial(**{**fields, "hazard_ratio": None})  # an interval without an estimate


# --- Published figures (spot checks against the sources named on each row) ----------------

PUBLISHED = [
    # PROMID, J Clin Oncol 2009;27:4656 abstract: TTP 14.3 vs 6 months, HR 0.34 (0.20-0.59).
    ("promid", "median_experimental_months", 14.3),
    ("promid", "median_control_months", 6.0),
    ("promid", "hazard_ratio", 0.34),
    ("promid", "ci_low", 0.20),
    ("promid", "ci_high", 0.59),
    ("promid", "n_randomised", 85),
    # CLARINET, N Engl J Med 2014;371:224 abstract: not reached vs 18.0, HR 0.47 (0.30-0.73), n 204.
    # (A review table prints the interval as 2.1-24.0: clinical-facts 12.11.)
    ("clarinet", "median_experimental_months", None),
    ("clarinet", "median_control_months", 18.0),
    ("clarinet", "hazard_ratio", 0.47),
    ("clarinet", "ci_low", 0.30),
    ("clarinet", "ci_high", 0.73),
    ("clarinet", "n_randomised", 204),
    # RADIANT-3, N Engl J Med 2011;364:514 abstract: 11.0 vs 4.6, HR 0.35 (0.27-0.45), n 410.
    ("radiant3", "median_experimental_months", 11.0),
    ("radiant3", "median_control_months", 4.6),
    ("radiant3", "hazard_ratio", 0.35),
    ("radiant3", "ci_low", 0.27),
    ("radiant3", "ci_high", 0.45),
    ("radiant3", "n_randomised", 410),
    # A6181111 (sunitinib), N Engl J Med 2011;364:501 abstract: 11.4 vs 5.5, HR 0.42 (0.26-0.66), n 171.
    ("a6181111", "median_experimental_months", 11.4),
    ("a6181111", "median_control_months", 5.5),
    ("a6181111", "hazard_ratio", 0.42),
    ("a6181111", "ci_low", 0.26),
    ("a6181111", "ci_high", 0.66),
    ("a6181111", "n_randomised", 171),
    # RADIANT-4, Lancet 2016;387:968 abstract: 11.0 vs 3.9, HR 0.48 (0.35-0.67), n 302.
    ("radiant4", "median_experimental_months", 11.0),
    ("radiant4", "median_control_months", 3.9),
    ("radiant4", "hazard_ratio", 0.48),
    ("radiant4", "ci_low", 0.35),
    ("radiant4", "ci_high", 0.67),
    ("radiant4", "n_randomised", 302),
    # NETTER-1, N Engl J Med 2017;376:125 (primary analysis) and J Nucl Med 2016 abstract: median not
    # reached vs 8.4 months, HR 0.21, n 229. Not the later 0.18 (clinical-facts 12.12).
    ("netter1", "median_experimental_months", None),
    ("netter1", "median_control_months", 8.4),
    ("netter1", "hazard_ratio", 0.21),
    ("netter1", "n_randomised", 229),
    # NETTER-2, Lancet 2024;403:2807 abstract (as reported): 22.8 vs 8.5, HR 0.276 (0.182-0.418), n 226.
    ("netter2", "median_experimental_months", 22.8),
    ("netter2", "median_control_months", 8.5),
    ("netter2", "hazard_ratio", 0.276),
    ("netter2", "ci_low", 0.182),
    ("netter2", "ci_high", 0.418),
    ("netter2", "n_randomised", 226),
    # CABINET, N Engl J Med 2025 abstract (PubMed 39282913): epNET 8.4 vs 3.9, HR 0.38 (0.25-0.59),
    # n 203; pNET 13.8 vs 4.4, HR 0.23 (0.12-0.42), n 95. Not the label's FDA re-analysis.
    ("cabinet_epnet", "median_experimental_months", 8.4),
    ("cabinet_epnet", "median_control_months", 3.9),
    ("cabinet_epnet", "hazard_ratio", 0.38),
    ("cabinet_epnet", "ci_low", 0.25),
    ("cabinet_epnet", "ci_high", 0.59),
    ("cabinet_epnet", "n_randomised", 203),
    ("cabinet_pnet", "median_experimental_months", 13.8),
    ("cabinet_pnet", "median_control_months", 4.4),
    ("cabinet_pnet", "hazard_ratio", 0.23),
    ("cabinet_pnet", "ci_low", 0.12),
    ("cabinet_pnet", "ci_high", 0.42),
    ("cabinet_pnet", "n_randomised", 95),
    # E2211, J Clin Oncol 2023;41:1359 abstract: 22.7 vs 14.4 months, HR 0.58, 144 randomised.
    ("e2211", "median_experimental_months", 22.7),
    ("e2211", "median_control_months", 14.4),
    ("e2211", "hazard_ratio", 0.58),
    ("e2211", "n_randomised", 144),
    # TELESTAR, J Clin Oncol 2017 abstract: 135 patients; symptom endpoint, no hazard ratio.
    ("telestar", "n_randomised", 135),
    ("telestar", "hazard_ratio", None),
]


@pytest.mark.parametrize("trial_id, field, expected", PUBLISHED)
def test_published_figure(trial_id, field, expected):
    assert getattr(BY_ID[trial_id], field) == expected


def test_unverified_intervals_are_flagged():
    # Neither CI was found in a retrieved source (clinical-facts 14): the rows must not claim otherwise.
    assert not BY_ID["netter1"].verified and "0.13-0.33" in BY_ID["netter1"].verification_note
    assert not BY_ID["e2211"].verified and "0.36-0.93" in BY_ID["e2211"].verification_note


def test_primary_sites_of_the_site_specific_trials():
    # Sunitinib and RADIANT-3 are pancreatic trials; PROMID and NETTER-1 midgut; CABINET split by site.
    assert BY_ID["a6181111"].sites == BY_ID["radiant3"].sites == BY_ID["cabinet_pnet"].sites == ("pancreas",)
    assert BY_ID["promid"].sites == BY_ID["netter1"].sites == ("midgut",)
    assert BY_ID["cabinet_epnet"].sites == ("extrapancreatic",)
    assert "lung" in BY_ID["radiant4"].sites and "pancreas" not in BY_ID["radiant4"].sites


# --- trial() -------------------------------------------------------------------------------

@pytest.mark.parametrize("name, expected", [
    ("NETTER-1", "netter1"), ("netter1", "netter1"), ("Netter 2", "netter2"),
    ("RADIANT-3", "radiant3"), ("radiant-4", "radiant4"), ("PROMID", "promid"),
    ("A6181111", "a6181111"), ("sunitinib", "a6181111"), ("ECOG-ACRIN E2211", "e2211"),
    ("E2211", "e2211"), ("CABINET (pNET)", "cabinet_pnet"), ("cabinet_epnet", "cabinet_epnet"),
    ("TELESTAR", "telestar"), ("clarinet", "clarinet"),
])
def test_trial_lookup(name, expected):
    assert trial(name).id == expected


def test_bare_cabinet_is_ambiguous():
    with pytest.raises(InputError) as error:
        trial("CABINET")
    assert error.value.field == "name" and "cabinet_pnet" in str(error.value)


@pytest.mark.parametrize("name", ["NETTER-3", "", "RADIANT", None, 3])
def test_unknown_trial_names_the_accepted_ids(name):
    with pytest.raises(InputError) as error:
        trial(name)
    assert error.value.field == "name" and "netter1" in error.value.accepted


@given(st.text(max_size=30))
def test_trial_lookup_never_fails_otherwise(text):
    try:
        assert isinstance(trial(text), Trial)
    except InputError as error:
        assert error.field == "name"


# --- forest_rows() and trial_table() ---------------------------------------------------------

def test_forest_rows_cover_exactly_the_trials_with_an_interval():
    rows = forest_rows()
    assert [r.trial_id for r in rows] == [t.id for t in TRIALS if t.ci_low is not None]
    assert "telestar" not in {r.trial_id for r in rows}
    assert len(rows) == 10
    for row in rows:
        assert row.ci_low <= row.hazard_ratio <= row.ci_high
        assert row.verified == BY_ID[row.trial_id].verified


def test_forest_labels_separate_the_cabinet_cohorts():
    labels = {r.trial_id: r.label for r in forest_rows()}
    assert labels["cabinet_epnet"] == "CABINET (epNET)" and labels["cabinet_pnet"] == "CABINET (pNET)"


def test_trial_table_has_one_plain_row_per_trial():
    rows = trial_table()
    assert len(rows) == len(TRIALS)
    for row in rows:
        assert tuple(row) == TRIAL_TABLE_COLUMNS
        assert all(isinstance(value, str) and value for value in row.values())


@pytest.mark.parametrize("trial_id, column, text", [
    ("clarinet", "HR (95 % CI)", "0.47 (0.30-0.73)"),      # published precision kept
    ("netter2", "HR (95 % CI)", "0.276 (0.182-0.418)"),     # three decimals as published
    ("promid", "HR (95 % CI)", "0.34 (0.20-0.59)"),
    ("telestar", "HR (95 % CI)", "not reported"),
    ("clarinet", "Median", "not reached vs 18.0 months"),
    ("netter1", "Verified", "partly (see note)"),
    ("cabinet_pnet", "Trial", "CABINET (pNET)"),
    ("a6181111", "Primary site", "Pancreas"),
    ("radiant3", "n", "410"),
])
def test_trial_table_cells(trial_id, column, text):
    row = trial_table()[[t.id for t in TRIALS].index(trial_id)]
    assert row[column] == text
