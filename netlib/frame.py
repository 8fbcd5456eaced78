"""netlib on a pandas DataFrame: one output row per input row, errors as rows.

    import pandas as pd
    from netlib.frame import calc_frame, recommend_frame

    grades = calc_frame(df, "who_gep_grade")   # one calculator, its fields as columns
    options = recommend_frame(df)              # the decision algorithm, patient fields as columns

A cell that is NaN, None, ``pd.NA`` or a blank string means "not given", exactly like an
empty cell in ``netlib cohort``.  Every other cell goes through the field's declaration
(:meth:`netlib.inputs.Field.validate`), so ``"3,5"`` is refused with netlib's own message
rather than read as 35.  A row that netlib refuses becomes a row with ``status`` "error",
``error_field`` and ``error_message``; the other rows are unaffected.  Output rows keep the
input's order and index, and the input frame is never changed.

Both functions take and return a pandas DataFrame and look at nothing outside their
partition, so a Dask DataFrame runs them unchanged::

    ddf.map_partitions(recommend_frame)

pandas is an optional extra (``pip install netlib[frame]``): only this module imports it;
the clinical core stays standard library only.
"""

from __future__ import annotations

import math
from typing import Any, Iterator, Mapping

import pandas as pd

from . import cohort
from .inputs import Form, InputError
from .pathway import PATIENT_FORM, Recommendations, recommend
from .registry import Result, get

__all__ = ["calc_frame", "recommend_frame", "CALC_COLUMNS", "RECOMMEND_COLUMNS", "ID_COLUMN"]

ID_COLUMN = cohort.ID_COLUMN
# What `netlib cohort` writes for each patient (its own column list), with the error text under
# ``error_message`` as a DataFrame user expects; ``patient_id`` is kept only when the input has one.
RECOMMEND_COLUMNS = tuple("error_message" if c == "error" else c for c in cohort.OUTPUT_COLUMNS if c != ID_COLUMN)
CALC_COLUMNS = ("status", "value", "unit", "category", "headline", "interpretation", "warnings", "citations",
                "error_field", "error_message")
_OPTIONS_LISTED = 3  # option_1..option_3, as in `netlib cohort`

_NA = pd.NA
_NAT = pd.NaT


def calc_frame(df: pd.DataFrame, calculator_id: str) -> pd.DataFrame:
    """Evaluate calculator ``calculator_id`` on every row of ``df`` (columns = its field names).

    Returns one row per input row, same index: ``patient_id`` (when ``df`` has it), then
    :data:`CALC_COLUMNS`.  ``warnings`` and ``citations`` are joined with "; ".
    """
    calculator = get(calculator_id)
    evaluate = calculator.function

    def run(values: dict) -> dict:
        return _calc_row(evaluate(**values))

    return _apply(df, calculator.form, run, CALC_COLUMNS, "an input of calculator " + calculator.id)


def recommend_frame(df: pd.DataFrame) -> pd.DataFrame:
    """Run the decision algorithm (:func:`netlib.pathway.recommend`) on every row of ``df``.

    Columns are patient fields (``netlib.pathway.PATIENT_FORM``) plus an optional ``patient_id``.
    Returns one row per input row, same index: ``patient_id`` (when ``df`` has it), then
    :data:`RECOMMEND_COLUMNS`, the columns ``netlib cohort`` writes.
    """
    return _apply(df, PATIENT_FORM, lambda values: recommendation_row(recommend(values)), RECOMMEND_COLUMNS,
                  "a patient field")


def recommendation_row(result: Recommendations) -> dict[str, str]:
    """One patient's answer as the flat row ``netlib cohort`` writes (without patient_id and error)."""
    row = {"status": "ok", "pathway": result.pathway}
    recommendations = result.recommendations
    for number in range(1, _OPTIONS_LISTED + 1):
        if number <= len(recommendations):
            row[f"option_{number}"] = recommendations[number - 1].option
            row[f"tier_{number}"] = recommendations[number - 1].tier
        else:
            row[f"option_{number}"] = row[f"tier_{number}"] = ""
    row["rule_ids"] = " ".join(result.fired_rule_ids)
    row["excluded"] = " ".join(e.option for e in result.excluded)
    row["missing"] = "; ".join(m.item for m in result.missing)
    return row


def _calc_row(result: Result) -> dict[str, Any]:
    return {"status": "ok", "value": result.value, "unit": result.unit, "category": result.category,
            "headline": result.headline(), "interpretation": result.interpretation,
            "warnings": "; ".join(result.warnings), "citations": "; ".join(result.citations)}


def _apply(df: pd.DataFrame, form: Form, run, columns: tuple[str, ...], what: str) -> pd.DataFrame:
    if not isinstance(df, pd.DataFrame):
        raise TypeError(f"expected a pandas DataFrame, got {type(df).__name__}")
    names = [str(c) for c in df.columns]
    if len(set(names)) != len(names):
        duplicated = sorted({n for n in names if names.count(n) > 1})
        raise InputError(duplicated[0], duplicated[0], "each column once",
                         f"column {duplicated[0]!r} appears more than once")
    fields = [c for c in df.columns if str(c) != ID_COLUMN]
    unknown = [str(c) for c in fields if str(c) not in form.by_name]
    rows: list[dict] = []
    if unknown:
        # The same rule as `netlib cohort`: an unknown column is never silently ignored.  Every row
        # says so, in place, rather than the whole call failing.
        error = InputError(unknown[0], unknown[0], what,
                           f"column {unknown[0]!r} is not {what}; accepted columns: {', '.join(form.by_name)}")
        rows = [_error_row(error)] * len(df)
    else:
        for values in _records(df, fields):
            try:
                rows.append(run(values))
            except InputError as error:
                rows.append(_error_row(error))
    # Fixed dtypes, so that every partition of a Dask DataFrame agrees with the others.
    # Column by column (a DataFrame from a list of dicts is several times slower); None where a row has
    # no value, NaN in the numeric value column.
    out = pd.DataFrame({c: [row.get(c) for row in rows] for c in columns}, index=df.index) \
        .astype({c: _dtype(c) for c in columns})
    if ID_COLUMN in df.columns:
        out.insert(0, ID_COLUMN, df[ID_COLUMN].to_numpy(copy=True))
    return out


def _dtype(column: str) -> str:
    return "float64" if column == "value" else "object"


def _error_row(error: InputError) -> dict[str, str]:
    return {"status": "error", "error_field": error.field, "error_message": str(error)}


def _records(df: pd.DataFrame, fields: list) -> Iterator[dict]:
    """Each row as {field: value} with the cells that are given, as plain Python values."""
    names = [str(c) for c in fields]
    if not fields:
        yield from ({} for _ in range(len(df)))
        return
    columns = [_cells(df[c]) for c in fields]
    missing = _MISSING
    for cells in zip(*columns):
        yield {name: value for name, value in zip(names, cells) if value is not missing}


def _cells(column: pd.Series) -> list:
    """A column as plain Python values (numpy scalars become int, float, bool), ``_MISSING`` where not given."""
    values = column.tolist()
    kind = column.dtype.kind
    if kind in "iub":
        return values
    if kind == "f":
        missing = _MISSING
        return [missing if value != value else value for value in values]  # NaN is the only value != itself
    return [_given(value) for value in values]


_MISSING = object()


def _given(value: Any) -> Any:
    """The cell as netlib receives it, or ``_MISSING`` when it means "not given"."""
    if value is None or value is _NA or value is _NAT:
        return _MISSING
    cls = value.__class__
    if cls is float:
        return _MISSING if math.isnan(value) else value
    if cls is str:
        return value if value.strip() else _MISSING
    if cls is int or cls is bool:
        return value
    if hasattr(value, "item") and not isinstance(value, (str, bytes, Mapping)):
        # A numpy scalar left in an object column: netlib's validators take plain Python numbers.
        value = value.item()
        if isinstance(value, float) and math.isnan(value):
            return _MISSING
    return value
