"""Serial measurements from a patient file, and the report figures drawn from netlib's numbers."""

from __future__ import annotations

import re
from datetime import date

import pytest

from netlib import InputError
from netlib.grading import KI67_G2_FROM_PERCENT, KI67_G2_TO_PERCENT
from netlib.measurements import MAXIMUM_SCANS, Measurement, growth_series, read_measurements
from netlib.response import SUM_OF_DIAMETERS_MAXIMUM_MM, SUM_OF_DIAMETERS_MINIMUM_MM, tumour_growth_rate

TODAY = date(2026, 11, 28)
SCANS = [{"date": "2026-01-05", "sum_diameters_mm": 40}, {"date": "2026-04-06", "sum_diameters_mm": 44.5},
         {"date": "2026-07-06", "sum_diameters_mm": "52.0"}]


def test_scans_are_read_in_order_with_dates_and_numbers():
    scans = read_measurements(SCANS, today=TODAY)
    assert scans == (Measurement(date(2026, 1, 5), 40.0), Measurement(date(2026, 4, 6), 44.5),
                     Measurement(date(2026, 7, 6), 52.0))
    assert read_measurements(None) == () and read_measurements([]) == ()


def test_growth_between_scans_is_the_tgr_calculator():
    scans = read_measurements(SCANS, today=TODAY)
    first = growth_series(scans)[0]
    months = (date(2026, 4, 6) - date(2026, 1, 5)).days / 30.4375
    assert first == tumour_growth_rate(sum_diameters_baseline_mm=40.0, sum_diameters_current_mm=44.5,
                                       interval_months=months)
    # a gap shorter than the calculator accepts gives no rate, not an error
    close = read_measurements([{"date": "2026-01-05", "sum_diameters_mm": 40},
                               {"date": "2026-01-07", "sum_diameters_mm": 41}], today=TODAY)
    assert growth_series(close) == [None]


@pytest.mark.parametrize("entries,field,fragment", [
    ("40 mm", "measurements", "list of scans"),
    ([{"date": "2026-01-05"}], "measurements[0].sum_diameters_mm", "required"),
    ([{"date": "05/01/2026", "sum_diameters_mm": 4}], "measurements[0].date", "YYYY-MM-DD"),
    ([{"date": "2026-02-30", "sum_diameters_mm": 4}], "measurements[0].date", "not a calendar date"),
    ([{"date": "2026-12-01", "sum_diameters_mm": 4}], "measurements[0].date", "in the future"),
    ([{"date": "2026-01-05", "sum_diameters_mm": "3,5"}], "measurements[0].sum_diameters_mm", "decimal separator"),
    ([{"date": "2026-01-05", "sum_diameters_mm": "١٢"}], "measurements[0].sum_diameters_mm", "mm"),
    ([{"date": "2026-01-05", "sum_diameters_mm": "1e999"}], "measurements[0].sum_diameters_mm", "mm"),
    ([{"date": "2026-01-05", "sum_diameters_mm": True}], "measurements[0].sum_diameters_mm", "mm"),
    ([{"date": "2026-01-05", "sum_diameters_mm": float("nan")}], "measurements[0].sum_diameters_mm", "mm"),
    ([{"date": "2026-01-05", "sum_diameters_mm": SUM_OF_DIAMETERS_MINIMUM_MM - 0.01}],
     "measurements[0].sum_diameters_mm", "mm"),
    ([{"date": "2026-01-05", "sum_diameters_mm": SUM_OF_DIAMETERS_MAXIMUM_MM + 0.01}],
     "measurements[0].sum_diameters_mm", "mm"),
    ([SCANS[1], SCANS[0]], "measurements[1].date", "date order"),
    ([SCANS[0], SCANS[0]], "measurements[1].date", "date order"),
    ([{**SCANS[0], "site": "liver"}], "measurements[0].site", "not a measurement item"),
    ([SCANS[0]] * (MAXIMUM_SCANS + 1), "measurements", f"at most {MAXIMUM_SCANS}"),
])
def test_bad_measurements_name_the_entry(entries, field, fragment):
    with pytest.raises(InputError) as caught:
        read_measurements(entries, today=TODAY)
    assert caught.value.field == field
    assert fragment in str(caught.value)


def test_boundaries_of_the_sum_are_accepted():
    for value in (SUM_OF_DIAMETERS_MINIMUM_MM, SUM_OF_DIAMETERS_MAXIMUM_MM):
        assert read_measurements([{"date": "2026-01-05", "sum_diameters_mm": value}], today=TODAY)[0] \
            .sum_diameters_mm == value
    assert read_measurements([{"date": TODAY.isoformat(), "sum_diameters_mm": 5}], today=TODAY)


# --- Figures (matplotlib) -----------------------------------------------------------------------

figures = pytest.importorskip("netlib.figures")


def test_growth_chart_labels_each_interval_and_is_deterministic():
    scans = read_measurements(SCANS, today=TODAY)
    svg = figures.growth_chart_svg(scans)
    assert svg == figures.growth_chart_svg(scans)
    rates = [f"TGR {g.value:.2f} %/mo" for g in growth_series(scans)]
    assert all(rate in svg for rate in rates)
    assert "<title>Tumour size over time</title>" in svg and 'role="img"' in svg
    assert not re.search(r"(href|src)=\"(https?:)?//", svg)  # nothing remote
    with pytest.raises(ValueError):
        figures.growth_chart_svg(scans[:1])


def test_prior_lines_show_given_lines_only_with_their_outcome_text():
    svg = figures.prior_lines_svg({"prior_ssa": "progressed", "prior_everolimus": "toxicity",
                                   "prior_sunitinib": "never"})
    assert "somatostatin analogue: disease progressed on it" in svg
    assert "everolimus: stopped for side effects" in svg
    assert "sunitinib" not in svg
    assert figures.prior_lines_svg({"prior_ssa": "never"}) is None


@pytest.mark.parametrize("ki67", [0, KI67_G2_FROM_PERCENT, KI67_G2_TO_PERCENT, 55, 100])
def test_ki67_marker_is_drawn_on_the_who_bands(ki67):
    svg = figures.ki67_bands_svg(ki67)
    assert f"Ki-67 {ki67:g} %" in svg
    assert f"G2 {KI67_G2_FROM_PERCENT:g} to {KI67_G2_TO_PERCENT:g} %" in svg


@pytest.mark.parametrize("ki67", [-0.1, 100.1])
def test_ki67_outside_0_to_100_is_refused(ki67):
    with pytest.raises(ValueError):
        figures.ki67_bands_svg(ki67)
