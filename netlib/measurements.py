"""Serial tumour measurements: dated sums of target-lesion diameters from a patient file.

A patient file may carry, besides the patient fields, a list of scans::

    measurements:
      - {date: 2025-09-01, sum_diameters_mm: 42}
      - {date: 2025-12-02, sum_diameters_mm: 47.5}

Each entry is validated like any field: an ISO date (YYYY-MM-DD, a real calendar day, not in the
future) and a sum of diameters within the range that netlib.response declares; dates strictly
increasing.  Between consecutive scans the tumour growth rate is computed with the same calculator
the book documents (:func:`netlib.response.tumour_growth_rate`), so a chart and the TGR calculator
cannot disagree.  Errors name the entry (``measurements[2].date``), the value and what is accepted.

Standard library only.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Any, Sequence

from .inputs import InputError, _show
from .registry import Result
from .response import DAYS_PER_MONTH, INTERVAL_MAXIMUM_MONTHS, INTERVAL_MINIMUM_MONTHS, tumour_growth_rate

__all__ = ["FIELD", "MAXIMUM_SCANS", "Measurement", "read_measurements", "growth_between"]

FIELD = "measurements"
# A report charts the scans of one disease course; 60 is five years of monthly imaging, more than any
# follow-up schedule in the guidance, and keeps a hostile file from growing a chart without bound.
MAXIMUM_SCANS = 60
_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_ENTRY_KEYS = ("date", "sum_diameters_mm")


@dataclass(frozen=True, slots=True)
class Measurement:
    when: date
    sum_diameters_mm: float


def _date(value: Any, where: str, today: date) -> date:
    accepted = "a calendar date written YYYY-MM-DD, not in the future"
    if isinstance(value, date):
        day = value
    elif isinstance(value, str) and _ISO_DATE.fullmatch(value.strip()):
        try:
            day = date.fromisoformat(value.strip())
        except ValueError:
            raise InputError(where, value, accepted, f"{where} is not a calendar date: {_show(value)}") from None
    else:
        raise InputError(where, value, accepted)
    if day > today:
        raise InputError(where, value, accepted, f"{where} {day.isoformat()} is in the future")
    return day


# A scan's sum is read by the tumour growth rate calculator's own declaration of a diameter sum: the same
# range, and the same reading of numbers (typed as text too), as every other route into netlib.
_SUM_FIELD = tumour_growth_rate.calculator.form.by_name["sum_diameters_baseline_mm"]


def _sum(value: Any, where: str) -> float:
    try:
        return _SUM_FIELD.validate(value)
    except InputError as error:
        raise InputError(where, value, error.accepted) from None


def read_measurements(value: Any, *, today: date | None = None) -> tuple[Measurement, ...]:
    """Validate the ``measurements`` entry of a patient file; an empty or missing entry is ``()``."""
    if value is None:
        return ()
    if not isinstance(value, (list, tuple)):
        raise InputError(FIELD, value, "a list of scans, each with date and sum_diameters_mm")
    if len(value) > MAXIMUM_SCANS:
        raise InputError(FIELD, f"{len(value)} scans", f"at most {MAXIMUM_SCANS} scans")
    today = today or date.today()
    scans: list[Measurement] = []
    for index, entry in enumerate(value):
        where = f"{FIELD}[{index}]"
        if not isinstance(entry, dict):
            raise InputError(where, entry, "a mapping with date and sum_diameters_mm")
        unknown = [key for key in entry if key not in _ENTRY_KEYS]
        if unknown:
            raise InputError(f"{where}.{unknown[0]}", entry[unknown[0]], "only date and sum_diameters_mm",
                             f"{where}.{unknown[0]} is not a measurement item; accepted: date, sum_diameters_mm")
        for key in _ENTRY_KEYS:
            if entry.get(key) is None:
                raise InputError(f"{where}.{key}", None, "a value", f"{where}.{key} is required")
        scan = Measurement(_date(entry["date"], f"{where}.date", today),
                           _sum(entry["sum_diameters_mm"], f"{where}.sum_diameters_mm"))
        if scans and scan.when <= scans[-1].when:
            raise InputError(f"{where}.date", entry["date"], f"a date after {scans[-1].when.isoformat()}",
                             f"{where}.date {scan.when.isoformat()} is not after the previous scan "
                             f"({scans[-1].when.isoformat()}); list the scans in date order, one per date")
        scans.append(scan)
    return tuple(scans)


def growth_between(earlier: Measurement, later: Measurement) -> Result | None:
    """The tumour growth rate between two scans, or None when the interval is outside the range the
    TGR calculator accepts (shorter than a week or longer than ten years)."""
    months = (later.when - earlier.when).days / DAYS_PER_MONTH
    if not INTERVAL_MINIMUM_MONTHS <= months <= INTERVAL_MAXIMUM_MONTHS:
        return None
    return tumour_growth_rate(sum_diameters_baseline_mm=earlier.sum_diameters_mm,
                              sum_diameters_current_mm=later.sum_diameters_mm, interval_months=months)


def growth_series(scans: Sequence[Measurement]) -> list[Result | None]:
    """TGR for each consecutive pair of scans (one fewer than the scans)."""
    return [growth_between(a, b) for a, b in zip(scans, scans[1:])]
