"""Tumour growth and response on cross-sectional imaging.

* Tumour growth rate (TGR, % volume change per month) from two sums of RECIST
  target-lesion diameters, with the GREPONET cut-off at 3 (+/- 1) months.
* Tumour volume doubling time and specific growth rate, from two diameter sums, two volumes or a
  tumour growth rate, over an interval in days or months.
* RECIST 1.1 time-point response from the target sums, the non-target lesions and
  new lesions.

All three can read the same kind of number: the sum of the diameters of the RECIST
target lesions (longest diameter for non-nodal lesions, short axis for nodes), in mm.
"""

from __future__ import annotations

import math

from .inputs import InputError, Rule, boolean, choice, not_greater, number
from .registry import Result, calculator, format_value, make_result

# ---------------------------------------------------------------------------
# Shared input ranges
# ---------------------------------------------------------------------------

# RECIST 1.1 allows at most 5 target lesions; 5 lesions of 20 cm is far beyond any real sum,
# so anything larger is a unit or typing error rather than a tumour.
SUM_OF_DIAMETERS_MAXIMUM_MM = 1000.0
# Growth needs two non-zero sums; a sum below 1 mm is not a CT measurement (RECIST records a lesion
# too small to measure as 5 mm). The floor also keeps exp() of the growth finite.
SUM_OF_DIAMETERS_MINIMUM_MM = 1.0
# Scans less than about a week apart cannot show growth beyond measurement error; ten years apart
# say nothing about current growth.
INTERVAL_MINIMUM_MONTHS = 0.25
INTERVAL_MAXIMUM_MONTHS = 120.0
# Average Gregorian month (365.25 / 12 days), the package's day-to-month convention; the TGR
# papers do not state theirs.
DAYS_PER_MONTH = 30.4375

# Comparisons at a threshold are made on values rounded to this many decimal places, so that
# decimal inputs lying exactly on a cut-off (50 -> 35 mm is exactly -30 %) are not pushed to
# the wrong side by binary floating point (35 / 50 - 1 is not exactly -0.3 in a float).
COMPARISON_DECIMALS = 10
TGR_UNIT = "%/month"

# ---------------------------------------------------------------------------
# Tumour growth rate
# ---------------------------------------------------------------------------

# Ferte 2014: the diameter sum stands for a sphere, so volume grows as the cube of the diameter.
DIAMETER_TO_VOLUME_EXPONENT = 3.0

# GREPONET (Lamarca 2019): the best cut-off at first follow-up was 0.8 %/month; TGR at
# 3 (+/- 1) months >= 0.8 predicted shorter progression-free survival (HR 3.75). Validated by
# Dromain 2021 (HR 4.01). Exactly 0.8 is high.
TGR_HIGH_FROM_PERCENT_PER_MONTH = 0.8
# GREPONET measured TGR3m on the scan at 3 (+/- 1) months; both ends are taken as inclusive.
TGR_WINDOW_FROM_MONTHS = 2.0
TGR_WINDOW_TO_MONTHS = 4.0

# Pre-treatment TGR (TGR0, before treatment starts): CLARINET post hoc (Dromain 2019) TGR0 > 4
# vs <= 4 %/month, HR 4.1; GREPONET TGR0 >= 4 %/month, HR 2.22. Shown in the pearls only: this
# calculator does not know whether the interval preceded treatment.
TGR_PRETREATMENT_HIGH_PERCENT_PER_MONTH = 4.0

TGR_CATEGORIES = ("high", "low", "not applicable")

_TGR_CITATIONS = ("ferte2014tgr", "lamarca2019greponet", "dromain2021tgr")
_LN2 = math.log(2.0)


def _log_volume_ratio(baseline_mm: float, current_mm: float) -> float:
    """Natural log of the sphere-volume ratio, ln(V2/V1) = 3 ln(D2/D1)."""
    return DIAMETER_TO_VOLUME_EXPONENT * math.log(current_mm / baseline_mm)


def _growth_fields(baseline_help: str, current_help: str, sources: tuple[str, ...]):
    return (
        number("sum_diameters_baseline_mm", "Sum of diameters, first scan", "mm",
               SUM_OF_DIAMETERS_MINIMUM_MM, SUM_OF_DIAMETERS_MAXIMUM_MM, step=0.1,
               help=baseline_help, source=sources),
        number("sum_diameters_current_mm", "Sum of diameters, second scan", "mm",
               SUM_OF_DIAMETERS_MINIMUM_MM, SUM_OF_DIAMETERS_MAXIMUM_MM, step=0.1,
               help=current_help, source=sources),
        number("interval_months", "Interval between the scans", "months", INTERVAL_MINIMUM_MONTHS,
               INTERVAL_MAXIMUM_MONTHS, step=0.1,
               help=f"Time between the two scans in months (days / {DAYS_PER_MONTH}). "
                    "Not in days or weeks.",
               source=sources),
    )


def _tgr(sum_diameters_baseline_mm: float, sum_diameters_current_mm: float,
         interval_months: float) -> tuple[float, float, float, float, str]:
    """The growth rate and its category: (ln volume ratio, ln growth per month, TGR, TGR as compared, category)."""
    log_volume_ratio = _log_volume_ratio(sum_diameters_baseline_mm, sum_diameters_current_mm)
    growth_per_month = log_volume_ratio / interval_months
    tgr = 100.0 * math.expm1(growth_per_month)
    compared = round(tgr, COMPARISON_DECIMALS)
    if not TGR_WINDOW_FROM_MONTHS <= interval_months <= TGR_WINDOW_TO_MONTHS:
        return log_volume_ratio, growth_per_month, tgr, compared, "not applicable"
    return (log_volume_ratio, growth_per_month, tgr, compared,
            "high" if compared >= TGR_HIGH_FROM_PERCENT_PER_MONTH else "low")


def tumour_growth_rate_category(sum_diameters_baseline_mm: float, sum_diameters_current_mm: float,
                                interval_months: float) -> str:
    """The category :func:`tumour_growth_rate` gives for validated inputs, without making its result and texts
    (the decision tables need the category only; tests/test_response.py holds the two equal)."""
    return _tgr(sum_diameters_baseline_mm, sum_diameters_current_mm, interval_months)[4]


@calculator(
    id="tumour_growth_rate",
    title="Tumour growth rate (TGR)",
    summary="Percentage change in tumour volume per month between two scans, from the sums of "
            "RECIST target-lesion diameters, classified with the GREPONET cut-off of "
            f"{TGR_HIGH_FROM_PERCENT_PER_MONTH} %/month at 3 (± 1) months.",
    fields=_growth_fields(
        "Sum of the diameters of the RECIST target lesions on the earlier scan (baseline).",
        "Sum of the diameters of the same target lesions on the later scan, measured the same way.",
        ("ferte2014tgr",)),
    categories=TGR_CATEGORIES,
    unit=TGR_UNIT,
    citations=_TGR_CITATIONS + ("dromain2019clarinet",),
    when_to_use="Advanced well-differentiated G1/G2 pancreatic or small-bowel NET, on the first "
                f"follow-up scan {TGR_WINDOW_FROM_MONTHS:g}-{TGR_WINDOW_TO_MONTHS:g} months after "
                "starting systemic treatment or watch-and-wait, to pick out growth that RECIST "
                "still calls stable.",
    pearls=(
        f"TGR3m of {TGR_HIGH_FROM_PERCENT_PER_MONTH} %/month or more predicted shorter "
        "progression-free survival in GREPONET, also in patients who were stable by RECIST, and "
        "again in an independent validation.",
        "At an interval of exactly 3 months TGR equals the percentage change of the diameter sum.",
        "TGR is a volume rate: a 10 % larger diameter sum is 10 %/month over 3 months but "
        f"{100.0 * (1.1 ** (DIAMETER_TO_VOLUME_EXPONENT / 6.0) - 1.0):.1f} %/month over 6 months.",
        "Enter the interval in months. Days entered as months are the commonest error.",
        f"Pre-treatment TGR above {TGR_PRETREATMENT_HIGH_PERCENT_PER_MONTH:g} %/month also marked "
        "worse progression-free survival (CLARINET post hoc: > 4; GREPONET: >= 4).",
    ),
)
def tumour_growth_rate(*, sum_diameters_baseline_mm: float, sum_diameters_current_mm: float,
                       interval_months: float) -> Result:
    """TGR = 100 x (exp(3 ln(Dt/D0) / t) - 1), in % per month (Ferte 2014, natural log).

    The cut-off of 0.8 %/month was derived and validated for TGR at 3 (+/- 1) months only
    (GREPONET; Dromain 2021), so outside 2-4 months the value is given with the category
    "not applicable".  The window ends are read as inclusive (an assumption: the papers say
    "3 (+/- 1) months" without saying whether 2.0 and 4.0 are in).  The classification uses the
    value rounded to 10 decimal places, so a decimal input exactly at 0.8 counts as high.
    """
    log_volume_ratio, growth_per_month, tgr, compared, category = _tgr(
        sum_diameters_baseline_mm, sum_diameters_current_mm, interval_months)
    doubling = _LN2 / growth_per_month if growth_per_month > 0.0 else None
    warnings: tuple[str, ...] = ()

    if category == "high":
        interpretation = (f"TGR {format_value(tgr, TGR_UNIT)} %/month at {interval_months:g} months: at or above the "
                          f"GREPONET cut-off of {TGR_HIGH_FROM_PERCENT_PER_MONTH} %/month, which "
                          "predicted shorter progression-free survival. Consider closer imaging "
                          "follow-up, even if RECIST calls the disease stable.")
    elif category == "low":
        interpretation = (f"TGR {format_value(tgr, TGR_UNIT)} %/month at {interval_months:g} months: below the "
                          f"GREPONET cut-off of {TGR_HIGH_FROM_PERCENT_PER_MONTH} %/month, "
                          "associated with longer progression-free survival.")
    else:
        interpretation = (f"TGR {format_value(tgr, TGR_UNIT)} %/month over {interval_months:g} months. The GREPONET "
                          "cut-off does not apply at this interval.")
        warnings = (f"The {TGR_HIGH_FROM_PERCENT_PER_MONTH} %/month cut-off was derived and "
                    f"validated for TGR measured at 3 (± 1) months ({TGR_WINDOW_FROM_MONTHS:g}-"
                    f"{TGR_WINDOW_TO_MONTHS:g} months); this interval is {interval_months:g} months, "
                    "so the value is not classified.",)

    return make_result(
        "tumour_growth_rate", value=compared, unit=TGR_UNIT, category=category,
        interpretation=interpretation, warnings=warnings, citations=_TGR_CITATIONS,
        details={"log_growth_rate_per_month": growth_per_month,
                 "volume_ratio": math.exp(log_volume_ratio),
                 "percent_change_of_diameter_sum": round(
                     (sum_diameters_current_mm - sum_diameters_baseline_mm) * 100.0
                     / sum_diameters_baseline_mm, COMPARISON_DECIMALS),
                 "doubling_time_months": doubling})


# ---------------------------------------------------------------------------
# Doubling time
# ---------------------------------------------------------------------------

DOUBLING_TIME_CATEGORIES = ("growing", "no growth")
_DOUBLING_CITATIONS = ("mehrara2007",)
_DOUBLING_FROM_TGR_CITATIONS = ("mehrara2007", "ferte2014tgr")

# Volumes in mL (cm³): a sanity range, not a clinical threshold.  0.01 mL is a 2.7 mm sphere, below
# what CT or MRI volumetry measures; 20 L exceeds any tumour burden.
VOLUME_MINIMUM_ML = 0.01
VOLUME_MAXIMUM_ML = 20_000.0
# The interval in days: at least a week (as INTERVAL_MINIMUM_MONTHS, in whole days) and at most the
# same ten years as INTERVAL_MAXIMUM_MONTHS, converted with DAYS_PER_MONTH.
INTERVAL_MINIMUM_DAYS = 7.0
INTERVAL_MAXIMUM_DAYS = INTERVAL_MAXIMUM_MONTHS * DAYS_PER_MONTH
# TGR is a % volume change per month: -100 % would be a tumour gone within the month (no finite
# log), and 1000 %/month (an 11-fold volume each month) is beyond any measured NET growth.
TGR_MINIMUM_PERCENT_PER_MONTH = -100.0
TGR_MAXIMUM_PERCENT_PER_MONTH = 1000.0

DOUBLING_TIME_ROUTES = ("diameter sums", "volumes", "tumour growth rate")
_ROUTE_FIELDS = {
    "diameter sums": ("sum_diameters_baseline_mm", "sum_diameters_current_mm"),
    "volumes": ("volume_baseline_ml", "volume_current_ml"),
    "tumour growth rate": ("tgr_percent_per_month",),
}
_INTERVAL_FIELDS = ("interval_months", "interval_days")


def _one_route_and_its_interval() -> Rule:
    """Exactly one of three routes, each complete; an interval (months or days, not both) for the
    two-scan routes and none for a growth rate, which is already per month."""

    def check(values):
        # Fast path for the common, valid call: two diameter sums and one interval.
        if (values["tgr_percent_per_month"] is None and values["volume_baseline_ml"] is None
                and values["volume_current_ml"] is None and values["sum_diameters_baseline_mm"] is not None
                and values["sum_diameters_current_mm"] is not None
                and (values["interval_months"] is None) != (values["interval_days"] is None)):
            return None
        given = {route: [name for name in names if values[name] is not None]
                 for route, names in _ROUTE_FIELDS.items()}
        started = [route for route, names in given.items() if names]
        if len(started) != 1:
            routes = "; ".join(f"{route} ({' and '.join(_ROUTE_FIELDS[route])})" for route in _ROUTE_FIELDS)
            if not started:
                return InputError("sum_diameters_baseline_mm", None, "exactly one route: " + routes,
                                  "give one way in: two diameter sums, two volumes, or a tumour growth "
                                  "rate; got none of them")
            field = given[started[-1]][0]
            return InputError(field, values[field], "exactly one route: " + routes,
                              f"give only one way in; got {' and '.join(started)} "
                              f"({', '.join(n for r in started for n in given[r])})")
        route = started[0]
        missing = [name for name in _ROUTE_FIELDS[route] if values[name] is None]
        if missing:
            present = given[route][0]
            return InputError(missing[0], None, f"a value when {present} is given",
                              f"{missing[0]} is required with {present}: the {route} route needs both "
                              "scans")
        intervals = [name for name in _INTERVAL_FIELDS if values[name] is not None]
        if route == "tumour growth rate":
            if intervals:
                return InputError(intervals[0], values[intervals[0]], "empty with a tumour growth rate",
                                  f"{intervals[0]} was given with tgr_percent_per_month: a growth rate is "
                                  "already per month, so no interval is used; leave it empty")
            return None
        if len(intervals) != 1:
            if not intervals:
                return InputError("interval_months", None, "interval_months or interval_days",
                                  "give the interval between the scans, as interval_months or "
                                  "interval_days; got neither")
            return InputError("interval_days", values["interval_days"], "only one of interval_months "
                              "and interval_days",
                              f"give the interval once, in months or in days; got interval_months="
                              f"{values['interval_months']:g} and interval_days={values['interval_days']:g}")
        return None

    return Rule(tuple(name for names in _ROUTE_FIELDS.values() for name in names) + _INTERVAL_FIELDS,
                "exactly one of: two diameter sums, two volumes, or a tumour growth rate; the two-scan "
                "routes need one interval (months or days), the growth rate none", check)


@calculator(
    id="doubling_time",
    title="Tumour volume doubling time",
    summary="Time for the tumour volume to double, from two sums of RECIST target-lesion diameters or "
            "two measured volumes and the interval between the scans, or from a tumour growth rate, "
            "with the specific growth rate.",
    fields=(
        number("sum_diameters_baseline_mm", "Sum of diameters, first scan", "mm",
               SUM_OF_DIAMETERS_MINIMUM_MM, SUM_OF_DIAMETERS_MAXIMUM_MM, required=False, step=0.1,
               help="Route 1: sum of the diameters of the RECIST target lesions on the earlier scan.",
               source=("mehrara2007",)),
        number("sum_diameters_current_mm", "Sum of diameters, second scan", "mm",
               SUM_OF_DIAMETERS_MINIMUM_MM, SUM_OF_DIAMETERS_MAXIMUM_MM, required=False, step=0.1,
               help="Route 1: sum of the diameters of the same target lesions on the later scan.",
               source=("mehrara2007",)),
        number("volume_baseline_ml", "Tumour volume, first scan", "mL", VOLUME_MINIMUM_ML,
               VOLUME_MAXIMUM_ML, required=False, step=0.1,
               help="Route 2: measured (segmented) tumour volume on the earlier scan, in mL (cm³).",
               source=("mehrara2007",)),
        number("volume_current_ml", "Tumour volume, second scan", "mL", VOLUME_MINIMUM_ML,
               VOLUME_MAXIMUM_ML, required=False, step=0.1,
               help="Route 2: volume of the same lesions on the later scan, measured the same way.",
               source=("mehrara2007",)),
        number("tgr_percent_per_month", "Tumour growth rate", "%/month", TGR_MINIMUM_PERCENT_PER_MONTH,
               TGR_MAXIMUM_PERCENT_PER_MONTH, required=False, exclusive_minimum=True, step=0.1,
               help="Route 3: a tumour growth rate already computed (% volume change per month); no "
                    "interval is needed.",
               source=("ferte2014tgr", "mehrara2007")),
        number("interval_months", "Interval between the scans", "months", INTERVAL_MINIMUM_MONTHS,
               INTERVAL_MAXIMUM_MONTHS, required=False, step=0.1,
               help=f"For routes 1 and 2: the interval in months, or give it in days instead "
                    f"(one month = {DAYS_PER_MONTH} days).",
               source=("mehrara2007",)),
        number("interval_days", "Interval between the scans", "days", INTERVAL_MINIMUM_DAYS,
               INTERVAL_MAXIMUM_DAYS, required=False, step=1,
               help=f"For routes 1 and 2: the interval in days, converted at {DAYS_PER_MONTH} days per "
                    "month; give this or the months, not both.",
               source=("mehrara2007",)),
    ),
    rules=(_one_route_and_its_interval(),),
    categories=DOUBLING_TIME_CATEGORIES,
    unit="months",
    citations=_DOUBLING_CITATIONS,
    when_to_use="To express the growth between two scans, or a tumour growth rate, as a doubling time, "
                "for example when discussing watch-and-wait in a slowly growing NET.",
    pearls=(
        "A tumour that is stable or shrinking has no doubling time: the result is 'no growth', "
        "never a negative or infinite time.",
        "The specific growth rate (ln 2 / doubling time) is defined for every change, including "
        "shrinkage, and is the better figure to average or compare (Mehrara 2007).",
        "Diameters stand for spheres: the volume changes as the cube of the diameter sum, so a "
        f"{100.0 * (2.0 ** (1.0 / DIAMETER_TO_VOLUME_EXPONENT) - 1.0):.0f} % larger diameter sum "
        "is a doubled volume. Measured volumes are used as they are.",
        f"Days are converted at {DAYS_PER_MONTH} days per month (365.25 / 12); the result is in months.",
        "Measurement error dominates when the interval is short compared with the doubling time.",
    ),
)
def doubling_time(*, sum_diameters_baseline_mm: float | None = None,
                  sum_diameters_current_mm: float | None = None,
                  volume_baseline_ml: float | None = None, volume_current_ml: float | None = None,
                  tgr_percent_per_month: float | None = None, interval_months: float | None = None,
                  interval_days: float | None = None) -> Result:
    """DT = t ln 2 / ln(V2/V1), from one of three routes (the form's rule admits exactly one).

    * Diameter sums (sphere): ln(V2/V1) = 3 ln(D2/D1).
    * Volumes: ln(V2/V1) directly.
    * Tumour growth rate (TGR, % volume change per month, Ferte 2014): ln(V2/V1) per month is
      ln(1 + TGR/100), so DT = ln 2 / ln(1 + TGR/100) months and no interval is used.

    An interval in days is converted at ``DAYS_PER_MONTH`` (365.25 / 12) days per month.
    Mehrara 2007: DT is undefined when the volumes are equal and negative when the tumour shrinks;
    the specific growth rate SGR = ln(V2/V1)/t = ln 2/DT is defined for any change.  Here no growth
    gives value None and category "no growth"; the SGR (per month) is always in the details.
    """
    citations = _DOUBLING_CITATIONS
    if tgr_percent_per_month is not None:
        route = "tumour growth rate"
        specific_growth_rate = math.log1p(tgr_percent_per_month / 100.0)
        log_volume_ratio, months_between = None, None
        citations = _DOUBLING_FROM_TGR_CITATIONS
    else:
        if sum_diameters_baseline_mm is not None:
            route = "diameter sums"
            log_volume_ratio = _log_volume_ratio(sum_diameters_baseline_mm, sum_diameters_current_mm)
        else:
            route = "volumes"
            log_volume_ratio = math.log(volume_current_ml / volume_baseline_ml)
        months_between = interval_months if interval_months is not None else interval_days / DAYS_PER_MONTH
        specific_growth_rate = log_volume_ratio / months_between
    details = {"route": route, "specific_growth_rate_per_month": specific_growth_rate,
               "volume_ratio": None if log_volume_ratio is None else math.exp(log_volume_ratio),
               "interval_months": months_between}
    if specific_growth_rate <= 0.0:
        what = {"diameter sums": "the diameter sum is equal or smaller",
                "volumes": "the volume is equal or smaller",
                "tumour growth rate": "the growth rate is zero or negative"}[route]
        return make_result(
            "doubling_time", value=None, unit="months", category="no growth",
            interpretation=f"No growth ({what}): there is no doubling time.",
            citations=citations, details=details)
    months = _LN2 / specific_growth_rate
    source = ("at the growth rate given" if route == "tumour growth rate"
              else "at the growth rate seen between these scans")
    return make_result(
        "doubling_time", value=months, unit="months", category="growing",
        interpretation=f"The tumour volume doubles about every {format_value(months, 'months')} months {source}.",
        citations=citations, details=details)


# ---------------------------------------------------------------------------
# RECIST 1.1
# ---------------------------------------------------------------------------

# RECIST 1.1 (Eisenhauer 2009): PR is a decrease of at least 30 % of the sum versus baseline.
RECIST_PARTIAL_RESPONSE_DECREASE_PERCENT = 30.0
# PD is an increase of at least 20 % versus the smallest sum on study (baseline included)
# AND an absolute increase of at least 5 mm. Both conditions; "or" is a misreading.
RECIST_PROGRESSION_INCREASE_PERCENT = 20.0
RECIST_PROGRESSION_INCREASE_MM = 5.0
# Measurable non-nodal lesion: longest diameter >= 10 mm on CT, so the baseline sum is >= 10 mm.
RECIST_MEASURABLE_LESION_MINIMUM_MM = 10.0
# A node with a short axis < 10 mm is normal: target nodes below it meet CR.
RECIST_NORMAL_NODE_SHORT_AXIS_BELOW_MM = 10.0
# At most 5 target lesions in all (2 per organ).
RECIST_MAXIMUM_TARGET_LESIONS = 5
# At CR only target nodes, each < 10 mm, can still add to the sum.
RECIST_COMPLETE_RESPONSE_SUM_BELOW_MM = (RECIST_MAXIMUM_TARGET_LESIONS
                                         * RECIST_NORMAL_NODE_SHORT_AXIS_BELOW_MM)
# Confirmation of CR/PR at least 4 weeks later when response is a primary endpoint of a
# non-randomised trial.
RECIST_CONFIRMATION_WEEKS = 4

RECIST_CATEGORIES = ("CR", "PR", "SD", "PD")

NON_TARGET_STATUSES = {
    "none_at_baseline": "No non-target lesions at baseline",
    "complete_response": "CR: all non-target lesions gone (nodes < 10 mm), tumour markers normal",
    "non_cr_non_pd": "Non-CR/non-PD: one or more non-target lesions persist",
    "not_evaluated": "Not (all) evaluated",
    "progression": "Unequivocal progression of non-target lesions",
}

_RECIST_CITATIONS = ("eisenhauer2009recist",)
_RECIST_FAQ = ("eisenhauer2009recist", "eortcrecistfaq")
_RECIST_NODES = ("eisenhauer2009recist", "schwartz2009recistnodes", "eortcrecistfaq")

_TARGET_MEANING = {
    "CR": "complete response of the target lesions",
    "PR": "partial response of the target lesions",
    "SD": "stable target lesions",
    "PD": "progression of the target lesions",
}


def _disappearance_matches_sum() -> Rule:
    def check(values):
        current = values["current_sum_mm"]
        disappeared = values["target_lesions_disappeared"]
        if current is None or disappeared is None:
            return None
        if not disappeared and current == 0:
            return InputError(
                "target_lesions_disappeared", disappeared,
                "true when the current sum is 0 mm",
                "target_lesions_disappeared is false but current_sum_mm is 0: with every target "
                "lesion at 0 mm all have disappeared. Set it to true, or correct the sum.")
        if disappeared and current >= RECIST_COMPLETE_RESPONSE_SUM_BELOW_MM:
            return InputError(
                "target_lesions_disappeared", disappeared,
                f"false when the current sum is {RECIST_COMPLETE_RESPONSE_SUM_BELOW_MM:g} mm or more",
                f"target_lesions_disappeared is true but current_sum_mm is {current:g}: at complete "
                f"response only target nodes below {RECIST_NORMAL_NODE_SHORT_AXIS_BELOW_MM:g} mm "
                f"remain, so the sum of at most {RECIST_MAXIMUM_TARGET_LESIONS} lesions is below "
                f"{RECIST_COMPLETE_RESPONSE_SUM_BELOW_MM:g} mm.")
        return None

    return Rule(("target_lesions_disappeared", "current_sum_mm"),
                "all target lesions gone means a current sum of only sub-10-mm nodes "
                f"(0 to below {RECIST_COMPLETE_RESPONSE_SUM_BELOW_MM:g} mm); a sum of 0 means all gone",
                check)


def _meets_progression(current: float, nadir: float) -> tuple[bool, float | None, float]:
    """RECIST 1.1 PD of the target sum: >= 20 % above the nadir and >= 5 mm above it."""
    increase_mm = round(current - nadir, COMPARISON_DECIMALS)
    if nadir > 0.0:
        percent = round(increase_mm * 100.0 / nadir, COMPARISON_DECIMALS)
        relative = percent >= RECIST_PROGRESSION_INCREASE_PERCENT
    else:
        # Nadir 0 mm (everything had gone): any regrowth is an infinite relative increase,
        # so the 5 mm rule alone decides.
        percent = None
        relative = increase_mm > 0.0
    return relative and increase_mm >= RECIST_PROGRESSION_INCREASE_MM, percent, increase_mm


@calculator(
    id="recist_response",
    title="RECIST 1.1 response",
    summary="Time-point response by RECIST 1.1 (CR, PR, SD, PD) from the sums of target-lesion "
            "diameters at baseline, at the nadir and now, the non-target lesions and new lesions.",
    fields=(
        number("baseline_sum_mm", "Baseline sum of diameters", "mm",
               RECIST_MEASURABLE_LESION_MINIMUM_MM, SUM_OF_DIAMETERS_MAXIMUM_MM, step=0.1,
               help="Sum at baseline of the target lesions (up to 5, at most 2 per organ): longest "
                    "diameter of non-nodal lesions, short axis of nodes. At least one measurable "
                    f"lesion ({RECIST_MEASURABLE_LESION_MINIMUM_MM:g} mm or more) is needed.",
               source=_RECIST_CITATIONS),
        number("nadir_sum_mm", "Smallest sum so far (nadir)", "mm", 0, SUM_OF_DIAMETERS_MAXIMUM_MM,
               step=0.1,
               help="Smallest sum of the same target lesions at baseline or any earlier assessment "
                    "(baseline counts if it is the smallest). Cannot exceed the baseline sum.",
               source=_RECIST_CITATIONS),
        number("current_sum_mm", "Current sum of diameters", "mm", 0, SUM_OF_DIAMETERS_MAXIMUM_MM,
               step=0.1,
               help="Sum of the same target lesions now. A lesion gone counts 0 mm, one too small "
                    "to measure 5 mm; nodes keep their actual short axis even below 10 mm.",
               source=_RECIST_NODES),
        boolean("target_lesions_disappeared", "All target lesions gone",
                help="True when every non-nodal target lesion has disappeared and every target "
                     f"node is below {RECIST_NORMAL_NODE_SHORT_AXIS_BELOW_MM:g} mm short axis "
                     "(the sum can then still be above 0 because of the nodes).",
                source=_RECIST_NODES),
        boolean("new_lesions", "New lesions",
                help="True if an unequivocal new malignant lesion has appeared.",
                source=_RECIST_CITATIONS),
        choice("non_target_status", "Non-target lesions", NON_TARGET_STATUSES,
               help="Status of the non-target lesions, assessed as a whole. Progression must be "
                    "unequivocal and reflect the overall tumour burden.",
               source=_RECIST_CITATIONS),
    ),
    rules=(
        not_greater("nadir_sum_mm", "baseline_sum_mm",
                    "the nadir is the smallest sum on study, baseline included"),
        _disappearance_matches_sum(),
    ),
    categories=RECIST_CATEGORIES,
    citations=_RECIST_NODES,
    when_to_use="Any follow-up CT or MRI of a NET with measurable disease at baseline, measured "
                "with the same target lesions as at baseline.",
    pearls=(
        f"PR is measured against baseline (a decrease of {RECIST_PARTIAL_RESPONSE_DECREASE_PERCENT:g} "
        f"% or more); PD against the nadir (an increase of {RECIST_PROGRESSION_INCREASE_PERCENT:g} % "
        f"or more and of at least {RECIST_PROGRESSION_INCREASE_MM:g} mm). PD wins over PR.",
        "A sum can still be well below baseline and be PD, if it has risen enough from the nadir.",
        f"Target nodes below {RECIST_NORMAL_NODE_SHORT_AXIS_BELOW_MM:g} mm are normal: CR does not "
        "need a sum of zero.",
        "Any unequivocal new lesion, or unequivocal progression of non-target disease, is PD "
        "whatever the target lesions do.",
        f"When response is a primary endpoint of a non-randomised trial, CR and PR need confirmation "
        f"at least {RECIST_CONFIRMATION_WEEKS} weeks later.",
        "Slowly growing NETs often stay 'SD' for a long time while growing: tumour growth rate "
        "adds what RECIST misses.",
    ),
)
def recist_response(*, baseline_sum_mm: float, nadir_sum_mm: float, current_sum_mm: float,
                    target_lesions_disappeared: bool, new_lesions: bool,
                    non_target_status: str) -> Result:
    """RECIST 1.1 time-point response (Eisenhauer 2009, table 4: patients with target disease).

    Target lesions: PD if the sum is >= 20 % and >= 5 mm above the nadir; otherwise CR if all
    target lesions have gone (target nodes < 10 mm); otherwise PR if the sum is >= 30 % below
    baseline; otherwise SD.  Percentages and the millimetre increase are rounded to 10 decimal
    places before comparison, so 50 -> 35 mm is PR and 50 -> 60 mm is PD.

    Conventions declared here:

    * The nadir is the smallest sum at any assessment before this one, baseline included; a
      current sum below it simply becomes the new nadir.  A nadir of 0 mm makes the 5 mm rule
      decide alone (any regrowth is an infinite relative increase).
    * When all target lesions are reported gone, the target response is CR even if the sum of
      the remaining sub-10-mm nodes rose by 20 % and 5 mm: nodes below 10 mm are normal (Schwartz
      2009: the node rules exist to prevent false progression from minimal changes in size), and
      a node has only "reappeared" once it reaches 10 mm (EORTC RECIST FAQ).  A warning says so.
    * A stable time point after a nadir at least 30 % below baseline carries a warning: once a
      PR is confirmed the best overall response stays PR until PD (EORTC RECIST FAQ).
    * Overall response: new lesions or non-target PD -> PD; target PD -> PD; target CR with
      non-target CR or none at baseline -> CR; target CR with non-target non-CR/non-PD or not
      evaluated -> PR; target PR -> PR; target SD -> SD.
    * Contradictions refused: a nadir above baseline; target lesions "not gone" with a sum of
      0 mm; target lesions "gone" with a sum of 50 mm or more (5 lesions, each a node < 10 mm).
      The EORTC FAQ counts all nodes as one organ (at most 2 target nodes, so < 20 mm), but the
      looser bound from the 5-lesion limit is used so as not to refuse other local practice.
    """
    change_from_baseline = round((current_sum_mm - baseline_sum_mm) * 100.0 / baseline_sum_mm,
                                 COMPARISON_DECIMALS)
    progression, change_from_nadir, increase_mm = _meets_progression(current_sum_mm, nadir_sum_mm)
    warnings: list[str] = []
    citations = _RECIST_CITATIONS

    if target_lesions_disappeared:
        target = "CR"
        if progression:
            warnings.append(
                "The sum of the remaining target nodes rose by at least "
                f"{RECIST_PROGRESSION_INCREASE_PERCENT:g} % and {RECIST_PROGRESSION_INCREASE_MM:g} mm "
                f"from the nadir, but every node is below {RECIST_NORMAL_NODE_SHORT_AXIS_BELOW_MM:g} mm "
                "and so normal: counted as CR. A node has reappeared only once it reaches "
                f"{RECIST_NORMAL_NODE_SHORT_AXIS_BELOW_MM:g} mm; re-image if in doubt.")
            citations = _RECIST_NODES
    elif progression:
        target = "PD"
    elif change_from_baseline <= -RECIST_PARTIAL_RESPONSE_DECREASE_PERCENT:
        target = "PR"
    else:
        target = "SD"

    reasons = []
    if new_lesions:
        reasons.append("new lesions")
    if non_target_status == "progression":
        reasons.append("non-target progression")
    if target == "PD":
        reasons.append("target-lesion progression")

    if reasons:
        overall = "PD"
    elif target == "CR":
        if non_target_status == "complete_response" or non_target_status == "none_at_baseline":
            overall = "CR"
        else:
            overall = "PR"
            warnings.append(
                "Target lesions have gone but non-target lesions "
                + ("persist" if non_target_status == "non_cr_non_pd" else "were not evaluated")
                + ": the overall response is PR, not CR.")
    else:
        overall = target

    if overall == "SD" and round((nadir_sum_mm - baseline_sum_mm) * 100.0 / baseline_sum_mm,
                                 COMPARISON_DECIMALS) <= -RECIST_PARTIAL_RESPONSE_DECREASE_PERCENT:
        warnings.append(
            "The nadir was at least "
            f"{RECIST_PARTIAL_RESPONSE_DECREASE_PERCENT:g} % below baseline: if that partial response "
            "was confirmed, the best overall response remains PR while PD criteria are not met.")
        citations = _RECIST_FAQ

    if overall == "PD":
        interpretation = "Progressive disease by RECIST 1.1 (" + ", ".join(reasons) + ")."
    elif overall == "CR":
        interpretation = "Complete response by RECIST 1.1: all target and non-target disease has gone."
    elif overall == "PR":
        interpretation = (f"Partial response by RECIST 1.1 ({_TARGET_MEANING[target]}; sum "
                          f"{change_from_baseline:+.1f} % from baseline).")
    else:
        interpretation = (f"Stable disease by RECIST 1.1 (sum {change_from_baseline:+.1f} % from "
                          f"baseline, {increase_mm:+.1f} mm from the nadir).")

    return make_result(
        "recist_response", category=overall, interpretation=interpretation,
        warnings=warnings, citations=citations,
        details={"target_response": target,
                 "percent_change_from_baseline": change_from_baseline,
                 "percent_change_from_nadir": change_from_nadir,
                 "increase_from_nadir_mm": increase_mm,
                 "new_nadir": current_sum_mm < nadir_sum_mm,
                 "progression_reasons": tuple(reasons)})
