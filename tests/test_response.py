"""Tests for netlib.response: tumour growth rate, doubling time and RECIST 1.1 response."""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from netlib import InputError
from netlib import response
from netlib.response import (
    NON_TARGET_STATUSES,
    RECIST_CATEGORIES,
    doubling_time,
    recist_response,
    tumour_growth_rate,
)

TGR_CATEGORIES = tumour_growth_rate.calculator.categories
DOUBLING_CATEGORIES = doubling_time.calculator.categories


def tgr(baseline, current, months):
    return tumour_growth_rate(sum_diameters_baseline_mm=baseline, sum_diameters_current_mm=current,
                              interval_months=months)


def dt(baseline, current, months):
    return doubling_time(sum_diameters_baseline_mm=baseline, sum_diameters_current_mm=current,
                         interval_months=months)


def recist(baseline, nadir, current, *, gone=False, new=False, non_target="non_cr_non_pd"):
    return recist_response(baseline_sum_mm=baseline, nadir_sum_mm=nadir, current_sum_mm=current,
                           target_lesions_disappeared=gone, new_lesions=new,
                           non_target_status=non_target)


# ---------------------------------------------------------------------------
# Tumour growth rate
# ---------------------------------------------------------------------------

@pytest.mark.parametrize("baseline, current, months, expected", [
    # GREPONET (Lamarca 2019): TGR3m >= 0.8 %/month is high; at t = 3 TGR = % change of the sum.
    (100.0, 100.8, 3.0, "high"),     # exactly 0.8 -> high (boundary trap: not low)
    (100.0, 100.79, 3.0, "low"),     # 0.79 -> low
    (100.0, 100.81, 3.0, "high"),    # 0.81 -> high
    (250.0, 252.0, 3.0, "high"),     # exactly 0.8 again, other decimals
    (11.8, 11.8944, 3.0, "high"),    # exactly 0.8 in decimals; unrounded float gives 0.79999999999998
    (100.0, 90.0, 3.0, "low"),       # shrinking: negative TGR is low
    # GREPONET window 3 (+/- 1) months, ends inclusive (declared convention).
    (100.0, 110.0, 1.99, "not applicable"),  # just below the window
    (100.0, 110.0, 2.0, "high"),             # lower end of the window
    (100.0, 110.0, 4.0, "high"),             # upper end of the window
    (100.0, 110.0, 4.01, "not applicable"),  # just above the window
    (100.0, 100.1, 2.0, "low"),              # in the window but slow
    (100.0, 100.1, 4.0, "low"),
])
def test_tgr_boundaries(baseline, current, months, expected):
    assert tgr(baseline, current, months).category == expected


def test_tgr_at_three_months_equals_percent_change_of_sum():
    # Ferte 2014: TGR = 100 ((Dt/D0)^(3/t) - 1); with t = 3 the exponent is 1.
    for baseline, current in [(50.0, 55.0), (80.0, 72.0), (123.4, 130.1), (10.0, 30.0)]:
        result = tgr(baseline, current, 3.0)
        assert result.value == pytest.approx((current - baseline) / baseline * 100.0, rel=1e-9, abs=1e-9)


@pytest.mark.parametrize("baseline, current, months", [
    (50.0, 55.0, 6.0), (50.0, 45.0, 2.5), (73.0, 91.0, 1.0), (20.0, 20.5, 12.0),
])
def test_tgr_matches_power_form(baseline, current, months):
    # Independent form of the same formula (power rather than exp/log).
    expected = 100.0 * ((current / baseline) ** (3.0 / months) - 1.0)
    assert tgr(baseline, current, months).value == pytest.approx(expected, rel=1e-9)


def test_tgr_known_value_six_months():
    # 10 % larger sum over 6 months: volume x 1.331 over 6 months -> 1.1^(1/2) - 1 = 4.88 %/month.
    assert tgr(100.0, 110.0, 6.0).value == pytest.approx(4.8808848, rel=1e-6)


def test_tgr_outside_window_warns_and_still_gives_value():
    result = tgr(100.0, 110.0, 6.0)
    assert result.category == "not applicable"
    assert result.value is not None and result.value > 0
    assert any("3 (± 1) months" in w for w in result.warnings)


def test_tgr_inside_window_has_no_warning():
    assert tgr(100.0, 110.0, 3.0).warnings == ()


def test_tgr_details_doubling_time_only_when_growing():
    growing = tgr(100.0, 100.0 * 2 ** (1 / 3), 3.0)
    assert growing.details["doubling_time_months"] == pytest.approx(3.0, rel=1e-9)
    assert tgr(100.0, 100.0, 3.0).details["doubling_time_months"] is None
    assert tgr(100.0, 90.0, 3.0).details["doubling_time_months"] is None


def test_tgr_volume_doubling_in_three_months_is_about_26_percent_per_month():
    # Volume x2 in 3 months -> 2^(1/3) - 1 = 25.99 %/month.
    assert tgr(100.0, 100.0 * 2 ** (1 / 3), 3.0).value == pytest.approx(25.992105, rel=1e-6)


def test_tgr_days_mistaken_for_months_is_not_classified():
    # 91 "months" (days typed as months) is outside the window: never silently high/low.
    assert tgr(100.0, 110.0, 91.0).category == "not applicable"


# ---------------------------------------------------------------------------
# Doubling time
# ---------------------------------------------------------------------------

@pytest.mark.parametrize("baseline, current, expected", [
    # Mehrara 2007: DT undefined for equal volumes and negative for shrinkage -> "no growth".
    (50.0, 50.0, "no growth"),      # equal sums
    (50.0, 49.9, "no growth"),      # just smaller
    (50.0, 50.1, "growing"),        # just larger
])
def test_doubling_time_growth_boundary(baseline, current, expected):
    result = dt(baseline, current, 3.0)
    assert result.category == expected
    if expected == "no growth":
        assert result.value is None
    else:
        assert result.value is not None and math.isfinite(result.value) and result.value > 0


def test_doubling_time_worked_example():
    # Diameter x 2^(1/3) is a doubled sphere volume: over 3 months DT = 3 months.
    result = dt(40.0, 40.0 * 2 ** (1 / 3), 3.0)
    assert result.value == pytest.approx(3.0, rel=1e-9)
    assert result.details["specific_growth_rate_per_month"] == pytest.approx(math.log(2) / 3.0, rel=1e-9)


def test_doubling_time_sum_doubled():
    # Diameter sum doubled over 12 months -> volume x8 -> three doublings -> DT 4 months.
    assert dt(30.0, 60.0, 12.0).value == pytest.approx(4.0, rel=1e-9)


def test_doubling_time_agrees_with_tgr():
    # DT = ln 2 / ln(1 + TGR/100) (clinical-facts 3.3).
    rate = tgr(62.0, 71.0, 3.5).value
    assert dt(62.0, 71.0, 3.5).value == pytest.approx(math.log(2) / math.log1p(rate / 100.0), rel=1e-9)


def test_shrinking_tumour_has_negative_specific_growth_rate():
    result = dt(60.0, 30.0, 6.0)
    assert result.value is None and result.category == "no growth"
    assert result.details["specific_growth_rate_per_month"] == pytest.approx(3 * math.log(0.5) / 6.0)


def test_days_per_month_convention():
    # The package's stated convention: an average Gregorian month, 365.25 / 12 days.
    assert response.DAYS_PER_MONTH == 365.25 / 12 == 30.4375


@pytest.mark.parametrize("days, months", [(91.3125, 3.0), (30.4375, 1.0), (365.25, 12.0)])
def test_doubling_time_interval_in_days_equals_months(days, months):
    in_days = doubling_time(sum_diameters_baseline_mm=62.0, sum_diameters_current_mm=71.0, interval_days=days)
    in_months = dt(62.0, 71.0, months)
    assert in_days.value == pytest.approx(in_months.value, rel=1e-12)
    assert in_days.details["interval_months"] == pytest.approx(months, rel=1e-12)


@pytest.mark.parametrize("baseline_ml, current_ml, expected", [
    (20.0, 20.0, "no growth"),      # Mehrara 2007: equal volumes, DT undefined
    (20.0, 19.99, "no growth"),     # just smaller
    (20.0, 20.01, "growing"),       # just larger
])
def test_doubling_time_from_volumes_boundary(baseline_ml, current_ml, expected):
    result = doubling_time(volume_baseline_ml=baseline_ml, volume_current_ml=current_ml, interval_months=6.0)
    assert result.category == expected
    assert result.details["route"] == "volumes"


def test_doubling_time_from_volumes_worked_example():
    # Mehrara 2007: DT = t ln 2 / ln(V2/V1); a volume doubled in 5 months -> 5 months, no cube.
    assert doubling_time(volume_baseline_ml=12.0, volume_current_ml=24.0,
                         interval_months=5.0).value == pytest.approx(5.0, rel=1e-12)
    # The same growth from diameters (x 2^(1/3)) and from volumes (x 2) agrees.
    assert dt(40.0, 40.0 * 2 ** (1 / 3), 5.0).value == pytest.approx(5.0, rel=1e-9)


@pytest.mark.parametrize("tgr_value, expected", [
    (-0.1, "no growth"),    # shrinking: no doubling time
    (0.0, "no growth"),     # Mehrara 2007: no change, DT undefined
    (0.1, "growing"),       # just above 0
    (100.0, "growing"),     # volume doubles each month: DT 1 month
])
def test_doubling_time_from_tgr_boundary(tgr_value, expected):
    result = doubling_time(tgr_percent_per_month=tgr_value)
    assert result.category == expected
    assert result.details["route"] == "tumour growth rate"
    if tgr_value == 100.0:
        assert result.value == pytest.approx(1.0, rel=1e-12)


def test_doubling_time_from_tgr_agrees_with_the_scans():
    # Clinical facts 3.3: DT_months = ln 2 / ln(1 + TGR/100).
    rate = tgr(62.0, 71.0, 3.5).value
    assert doubling_time(tgr_percent_per_month=rate).value == pytest.approx(dt(62.0, 71.0, 3.5).value, rel=1e-9)


@pytest.mark.parametrize("values, field", [
    (dict(), "sum_diameters_baseline_mm"),                                                  # no route
    (dict(sum_diameters_baseline_mm=50.0, interval_months=3.0), "sum_diameters_current_mm"),  # half a pair
    (dict(volume_current_ml=5.0, interval_months=3.0), "volume_baseline_ml"),
    (dict(sum_diameters_baseline_mm=50.0, sum_diameters_current_mm=55.0, volume_baseline_ml=5.0,
          volume_current_ml=6.0, interval_months=3.0), "volume_baseline_ml"),                  # two routes
    (dict(volume_baseline_ml=5.0, volume_current_ml=6.0, tgr_percent_per_month=2.0), "tgr_percent_per_month"),
    (dict(sum_diameters_baseline_mm=50.0, sum_diameters_current_mm=55.0), "interval_months"),  # no interval
    (dict(sum_diameters_baseline_mm=50.0, sum_diameters_current_mm=55.0, interval_months=3.0,
          interval_days=91.0), "interval_days"),                                               # two intervals
    (dict(tgr_percent_per_month=2.0, interval_months=3.0), "interval_months"),                 # TGR is per month
    (dict(tgr_percent_per_month=-100.0), "tgr_percent_per_month"),                           # not a finite log
    (dict(volume_baseline_ml=5.0, volume_current_ml=6.0, interval_days=6.9), "interval_days"),  # under a week
])
def test_doubling_time_needs_exactly_one_route(values, field):
    with pytest.raises(InputError) as caught:
        doubling_time(**values)
    assert caught.value.field == field


@settings(max_examples=200, deadline=None)
@given(st.floats(0.01, 20_000.0), st.floats(0.01, 20_000.0), st.floats(7.0, 3652.5))
def test_doubling_time_property_volume_route(baseline_ml, current_ml, days):
    result = doubling_time(volume_baseline_ml=baseline_ml, volume_current_ml=current_ml, interval_days=days)
    assert (result.category == "growing") is (current_ml > baseline_ml)
    if result.value is not None:
        assert math.isfinite(result.value) and result.value > 0
        # Faster growth over the same time never lengthens the doubling time.
        faster = doubling_time(volume_baseline_ml=baseline_ml, volume_current_ml=min(current_ml * 1.5, 20_000.0),
                               interval_days=days)
        assert faster.value <= result.value * (1 + 1e-12)


@given(st.floats(-99.9, 1000.0), st.floats(-99.9, 1000.0))
def test_doubling_time_property_tgr_monotone(first, second):
    low, high = sorted((first, second))
    slow, fast = doubling_time(tgr_percent_per_month=low), doubling_time(tgr_percent_per_month=high)
    if slow.value is not None:
        assert fast.value is not None and fast.value <= slow.value * (1 + 1e-12)


# ---------------------------------------------------------------------------
# RECIST 1.1
# ---------------------------------------------------------------------------

@pytest.mark.parametrize("baseline, nadir, current, expected", [
    # Eisenhauer 2009: PR = decrease >= 30 % from baseline.
    (50.0, 50.0, 35.0, "PR"),        # exactly -30 % -> PR (float trap: 35/50 - 1 != -0.3)
    (100.0, 100.0, 70.0, "PR"),      # exactly -30 %
    (100.0, 100.0, 70.1, "SD"),      # -29.9 % -> SD
    (100.0, 100.0, 69.9, "PR"),      # -30.1 % -> PR
    (30.1, 30.1, 21.07, "PR"),       # exactly -30 % with awkward decimals
    (10.1, 10.1, 7.07, "PR"),        # exactly -30 %; unrounded float gives -29.999999999999996
    # Eisenhauer 2009: PD = increase >= 20 % from the nadir AND >= 5 mm.
    (50.0, 50.0, 60.0, "PD"),        # exactly +20 % and +10 mm -> PD
    (25.0, 25.0, 30.0, "PD"),        # exactly +20 % and exactly +5 mm -> PD
    (20.0, 20.0, 24.0, "SD"),        # exactly +20 % but only +4 mm -> SD
    (100.0, 100.0, 119.9, "SD"),     # +19.9 % (and +19.9 mm) -> SD
    (100.0, 100.0, 120.0, "PD"),     # exactly +20 %
    (30.1, 30.1, 36.12, "PD"),       # exactly +20 % and +6.02 mm with awkward decimals
    (25.1, 25.1, 30.12, "PD"),       # exactly +20 %; unrounded float gives 19.999999999999996 %
    (50.0, 5.2, 10.2, "PD"),         # exactly +5 mm; unrounded float gives 4.999999999999999 mm
    (50.0, 5.2, 10.19, "PR"),        # +4.99 mm: not PD; -79.6 % from baseline: PR
    (24.0, 24.0, 28.99, "SD"),       # +20.8 % but +4.99 mm -> SD
    # PD against the nadir even when the sum is still below baseline (PD beats PR).
    (100.0, 50.0, 60.0, "PD"),       # -40 % from baseline, +20 % and +10 mm from nadir
    (100.0, 50.0, 59.9, "PR"),       # +19.8 % from nadir: not PD; -40.1 % from baseline: PR
    (100.0, 40.0, 52.0, "PD"),       # -48 % from baseline, +30 % and +12 mm from nadir
])
def test_recist_target_boundaries(baseline, nadir, current, expected):
    result = recist(baseline, nadir, current)
    assert result.category == expected
    assert result.details["target_response"] == expected


def test_recist_details_figures():
    result = recist(100.0, 50.0, 60.0)
    assert result.details["percent_change_from_baseline"] == pytest.approx(-40.0)
    assert result.details["percent_change_from_nadir"] == pytest.approx(20.0)
    assert result.details["increase_from_nadir_mm"] == pytest.approx(10.0)
    assert result.details["progression_reasons"] == ("target-lesion progression",)


def test_recist_nadir_zero_regrowth_decided_by_five_mm():
    # All lesions had gone (nadir 0): any regrowth is an infinite relative increase.
    assert recist(40.0, 0.0, 5.0).category == "PD"
    assert recist(40.0, 0.0, 4.9).category == "PR"      # -87.75 % from baseline, below 5 mm
    assert recist(40.0, 0.0, 5.0).details["percent_change_from_nadir"] is None


@pytest.mark.parametrize("target_args, non_target, new, expected", [
    # Eisenhauer 2009, table 4 (patients with target disease).
    (dict(baseline=50.0, nadir=50.0, current=0.0, gone=True), "complete_response", False, "CR"),
    (dict(baseline=50.0, nadir=50.0, current=0.0, gone=True), "none_at_baseline", False, "CR"),
    (dict(baseline=50.0, nadir=50.0, current=0.0, gone=True), "non_cr_non_pd", False, "PR"),
    (dict(baseline=50.0, nadir=50.0, current=0.0, gone=True), "not_evaluated", False, "PR"),
    (dict(baseline=50.0, nadir=50.0, current=0.0, gone=True), "progression", False, "PD"),
    (dict(baseline=50.0, nadir=50.0, current=0.0, gone=True), "complete_response", True, "PD"),
    (dict(baseline=50.0, nadir=50.0, current=30.0), "non_cr_non_pd", False, "PR"),
    (dict(baseline=50.0, nadir=50.0, current=30.0), "not_evaluated", False, "PR"),
    (dict(baseline=50.0, nadir=50.0, current=30.0), "complete_response", False, "PR"),
    (dict(baseline=50.0, nadir=50.0, current=30.0), "progression", False, "PD"),
    (dict(baseline=50.0, nadir=50.0, current=30.0), "non_cr_non_pd", True, "PD"),
    (dict(baseline=50.0, nadir=50.0, current=45.0), "non_cr_non_pd", False, "SD"),
    (dict(baseline=50.0, nadir=50.0, current=45.0), "not_evaluated", False, "SD"),
    (dict(baseline=50.0, nadir=50.0, current=45.0), "none_at_baseline", False, "SD"),
    (dict(baseline=50.0, nadir=50.0, current=45.0), "progression", False, "PD"),
    (dict(baseline=50.0, nadir=50.0, current=45.0), "non_cr_non_pd", True, "PD"),
    (dict(baseline=50.0, nadir=50.0, current=70.0), "complete_response", False, "PD"),
])
def test_recist_overall_table(target_args, non_target, new, expected):
    args = dict(target_args)
    result = recist(args.pop("baseline"), args.pop("nadir"), args.pop("current"),
                    gone=args.pop("gone", False), new=new, non_target=non_target)
    assert result.category == expected


def test_recist_complete_response_with_residual_normal_nodes():
    # CR does not need a sum of 0: two target nodes of 8 and 7 mm short axis.
    result = recist(60.0, 60.0, 15.0, gone=True, non_target="none_at_baseline")
    assert result.category == "CR"
    assert result.details["target_response"] == "CR"


def test_recist_growing_normal_nodes_stay_complete_response_with_warning():
    # Nodes 4 + 4 -> 9 + 9 mm: +125 % and +10 mm on the sum, but all still < 10 mm.
    result = recist(60.0, 8.0, 18.0, gone=True, non_target="none_at_baseline")
    assert result.category == "CR"
    assert result.warnings
    assert "eortcrecistfaq" in result.citations


def test_recist_progression_reasons_listed():
    result = recist(50.0, 40.0, 60.0, new=True, non_target="progression")
    assert result.category == "PD"
    assert set(result.details["progression_reasons"]) == {
        "new lesions", "non-target progression", "target-lesion progression"}


def test_recist_stable_after_earlier_partial_response_warns():
    # EORTC FAQ: 100 -> 70 (PR) -> 80: not PD from nadir, time-point SD, best response stays PR.
    result = recist(100.0, 70.0, 80.0)
    assert result.category == "SD"
    assert any("best overall response" in w for w in result.warnings)


def test_recist_eortc_faq_worked_example():
    # EORTC RECIST FAQ: 165 mm at baseline, 63 mm at week 8, 65 mm at week 16 -> continued PR
    # (+2 mm from the nadir is not PD; -60.6 % from baseline).
    result = recist(165.0, 63.0, 65.0)
    assert result.category == "PR"
    assert result.details["increase_from_nadir_mm"] == pytest.approx(2.0)


def test_recist_every_citation_is_declared():
    calc = recist_response.calculator
    for args in [(100.0, 70.0, 80.0), (60.0, 8.0, 18.0), (50.0, 50.0, 35.0)]:
        result = recist(*args, gone=args == (60.0, 8.0, 18.0), non_target="none_at_baseline")
        assert set(result.citations) <= set(calc.citations)


def test_recist_new_nadir_flag():
    assert recist(100.0, 80.0, 75.0).details["new_nadir"] is True
    assert recist(100.0, 80.0, 85.0).details["new_nadir"] is False


# Contradictions -------------------------------------------------------------

@pytest.mark.parametrize("kwargs, field", [
    (dict(baseline=50.0, nadir=50.1, current=40.0), "nadir_sum_mm"),             # nadir > baseline
    (dict(baseline=50.0, nadir=40.0, current=0.0, gone=False), "target_lesions_disappeared"),
    (dict(baseline=80.0, nadir=60.0, current=50.0, gone=True), "target_lesions_disappeared"),
])
def test_recist_contradictions(kwargs, field):
    kwargs = dict(kwargs)
    with pytest.raises(InputError) as caught:
        recist(kwargs.pop("baseline"), kwargs.pop("nadir"), kwargs.pop("current"), **kwargs)
    assert caught.value.field == field


def test_recist_disappeared_sum_just_below_limit_is_accepted():
    # 5 target nodes each just under 10 mm.
    assert recist(80.0, 60.0, 49.9, gone=True, non_target="none_at_baseline").category == "CR"


def test_recist_nadir_equal_to_baseline_is_accepted():
    assert recist(50.0, 50.0, 50.0).category == "SD"


def test_recist_baseline_needs_a_measurable_lesion():
    with pytest.raises(InputError) as caught:
        recist(9.9, 5.0, 5.0)
    assert caught.value.field == "baseline_sum_mm"


@pytest.mark.parametrize("field, value", [
    ("sum_diameters_baseline_mm", 0.0),     # growth needs two non-zero sums
    ("sum_diameters_current_mm", 0.0),
    ("sum_diameters_current_mm", 0.99),     # below the 1 mm floor
    ("interval_months", 0.0),
    ("interval_months", 0.24),              # below about a week
])
def test_growth_inputs_must_be_positive(field, value):
    values = dict(sum_diameters_baseline_mm=50.0, sum_diameters_current_mm=55.0, interval_months=3.0)
    values[field] = value
    for function in (tumour_growth_rate, doubling_time):
        with pytest.raises(InputError) as caught:
            function(**values)
        assert caught.value.field == field


def test_non_target_choice_rejects_spaced_label():
    with pytest.raises(InputError) as caught:
        recist(50.0, 50.0, 40.0, non_target="non-CR/non-PD")
    assert caught.value.field == "non_target_status"


# ---------------------------------------------------------------------------
# Properties
# ---------------------------------------------------------------------------

sums = st.floats(min_value=1.0, max_value=1000.0, allow_nan=False, allow_infinity=False)
intervals = st.floats(min_value=0.25, max_value=120.0, allow_nan=False, allow_infinity=False)


@settings(max_examples=300, deadline=None)
@given(sums, sums, intervals)
def test_growth_properties(baseline, current, months):
    rate = tgr(baseline, current, months)
    assert rate.category in TGR_CATEGORIES
    assert math.isfinite(rate.value) and rate.value >= -100.0
    in_window = 2.0 <= months <= 4.0
    assert (rate.category == "not applicable") == (not in_window)
    doubling = dt(baseline, current, months)
    assert doubling.category in DOUBLING_CATEGORIES
    if current > baseline:
        assert doubling.category == "growing"
        assert doubling.value is not None and doubling.value > 0 and math.isfinite(doubling.value)
    else:
        assert doubling.category == "no growth" and doubling.value is None
    # TGR has the same sign as the change of the sum.
    if current < baseline:
        assert rate.value <= 0
    elif current > baseline:
        assert rate.value >= 0


@st.composite
def recist_inputs(draw):
    baseline = draw(st.floats(min_value=10.0, max_value=1000.0, allow_nan=False))
    nadir = draw(st.floats(min_value=0.0, max_value=baseline, allow_nan=False))
    current = draw(st.one_of(st.just(0.0), st.floats(min_value=0.0, max_value=1000.0, allow_nan=False)))
    if current == 0.0:
        gone = True
    elif current >= 50.0:
        gone = False
    else:
        gone = draw(st.booleans())
    return dict(baseline_sum_mm=baseline, nadir_sum_mm=nadir, current_sum_mm=current,
                target_lesions_disappeared=gone, new_lesions=draw(st.booleans()),
                non_target_status=draw(st.sampled_from(sorted(NON_TARGET_STATUSES))))


@settings(max_examples=500, deadline=None)
@given(recist_inputs())
def test_recist_properties(values):
    result = recist_response(**values)
    assert result.category in RECIST_CATEGORIES
    assert result.details["target_response"] in RECIST_CATEGORIES
    assert result.value is None
    if values["new_lesions"] or values["non_target_status"] == "progression":
        assert result.category == "PD"
    if result.category == "CR":
        assert values["target_lesions_disappeared"]
        assert values["non_target_status"] in ("complete_response", "none_at_baseline")
    # PD always has a reason, and only PD has one.
    assert bool(result.details["progression_reasons"]) == (result.category == "PD")
    # PR needs >= 30 % shrinkage or all target lesions gone.
    if result.category == "PR":
        assert values["target_lesions_disappeared"] or \
            values["current_sum_mm"] <= values["baseline_sum_mm"] * 0.7 + 1e-9


# The decision tables take the growth-rate category from tumour_growth_rate_category, and make the result
# only when it is read: the two must agree on every input, on both sides of the cut-off and the window.
@pytest.mark.parametrize("interval", [0.25, 1.9999, 2.0, 2.0001, 3.0, 3.9999, 4.0, 4.0001, 120.0])
@pytest.mark.parametrize("current", [50.0, 100.0, 100.79, 100.8, 100.81, 180.0])
def test_tgr_category_is_the_calculators_category_at_every_boundary(interval, current):
    from netlib.response import tumour_growth_rate_category

    expected = tumour_growth_rate(sum_diameters_baseline_mm=100.0, sum_diameters_current_mm=current,
                                  interval_months=interval).category
    assert tumour_growth_rate_category(100.0, current, interval) == expected


def test_tgr_category_boundary_cases_are_on_both_sides():
    from netlib.response import tumour_growth_rate_category

    # At 3 months the TGR is the percentage change of the diameter sum: 0.8 % is high, 0.79 % low.
    assert tumour_growth_rate_category(100.0, 100.8, 3.0) == "high"
    assert tumour_growth_rate_category(100.0, 100.79, 3.0) == "low"
    assert tumour_growth_rate_category(100.0, 100.8, 4.0001) == "not applicable"


@settings(max_examples=300, deadline=None)
@given(st.floats(1.0, 1000.0), st.floats(1.0, 1000.0), st.floats(0.25, 120.0))
def test_tgr_category_is_the_calculators_category(baseline, current, interval):
    from netlib.response import tumour_growth_rate_category

    expected = tumour_growth_rate(sum_diameters_baseline_mm=baseline, sum_diameters_current_mm=current,
                                  interval_months=interval).category
    assert tumour_growth_rate_category(baseline, current, interval) == expected
