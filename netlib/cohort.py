"""Evaluate many patients from a CSV file: one output row each, never stopping at a bad row, in constant memory."""

from __future__ import annotations

import csv
import sys
import time
from typing import Any, Mapping

from .files import PATIENT_ID, PatientCsv, atomic_output, check_output, error_line, exit_on_sigterm, neutralise_row
from .inputs import InputError
from .pathway import PATIENT_FORM, recommend

ID_COLUMN = PATIENT_ID
OUTPUT_COLUMNS = ("patient_id", "status", "pathway", "option_1", "tier_1", "option_2", "tier_2", "option_3",
                  "tier_3", "rule_ids", "excluded", "missing", "error_field", "error")


class Progress:
    """A plain progress bar on stderr, redrawn at most ten times a second."""

    def __init__(self, total: int, enabled: bool, stream=None):
        # The stream is looked up when the bar is made, not at import, so redirected stderr is honoured.
        self.total, self.enabled, self.stream = total, enabled, stream if stream is not None else sys.stderr
        self.last = 0.0

    def update(self, done: int) -> None:
        if not self.enabled:
            return
        now = time.monotonic()
        if done != self.total and now - self.last < 0.1:
            return
        self.last = now
        width = 30
        filled = int(width * done / self.total) if self.total else width
        self.stream.write(f"\r[{'#' * filled}{'.' * (width - filled)}] {done}/{self.total}")
        if done == self.total:
            self.stream.write("\n")
        self.stream.flush()


class BytesProgress(Progress):
    """Progress through a file by characters read (the rows are never counted ahead), with the rows done."""

    def update(self, done: int, rows: int = 0) -> None:  # type: ignore[override]
        if not self.enabled:
            return
        now = time.monotonic()
        finished = done >= self.total
        if not finished and now - self.last < 0.1:
            return
        self.last = now
        width = 30
        fraction = min(1.0, done / self.total) if self.total else 1.0
        filled = int(width * fraction)
        self.stream.write(f"\r[{'#' * filled}{'.' * (width - filled)}] {fraction:4.0%} {rows:,} rows")
        if finished:
            self.stream.write("\n")
        self.stream.flush()


def evaluate_row(row: Mapping[str, Any]) -> dict[str, str]:
    """One output row for one input row (column -> cell); the input row is never changed.

    An empty cell is a value not given.  A row read by csv.DictReader with more cells than the header
    (the extra cells under the key None) is an error row, not a silently shortened one.
    """
    values = {k: v for k, v in row.items() if k != ID_COLUMN and k is not None and v not in (None, "")}
    # csv.DictReader files cells beyond the header under the key None: a shifted row (an unquoted
    # comma, say) must fail loudly rather than lose its last values.
    extra = row.get(None)
    if extra:
        error = InputError("row", extra, "no more cells than the header has columns",
                           f"row has {len(extra)} more cell(s) than the header has columns "
                           f"(extra: {', '.join(map(repr, extra))})")
        out = _error_row("", error.field, error_line(error))
    else:
        out = _evaluate(values)
    out["patient_id"] = row.get(ID_COLUMN) or ""
    return out


def _evaluate(values: Mapping[str, Any]) -> dict[str, str]:
    """The output row (patient_id left empty) for a patient's given values: no identifier, no empty cell."""
    try:
        result = recommend(values)
    except InputError as error:
        return _error_row("", error.field, error_line(error))
    out = dict.fromkeys(OUTPUT_COLUMNS, "")
    out["status"] = "ok"
    out["pathway"] = result.pathway
    for number, rec in enumerate(result.recommendations[:3], 1):
        out[f"option_{number}"] = rec.option
        out[f"tier_{number}"] = rec.tier
    out["rule_ids"] = " ".join(result.fired_rule_ids)
    out["excluded"] = " ".join(e.option for e in result.excluded)
    out["missing"] = "; ".join(m.item for m in result.missing)
    return out


def _error_row(patient_id: str, field: str, message: str) -> dict[str, str]:
    out = dict.fromkeys(OUTPUT_COLUMNS, "")
    out.update(patient_id=patient_id, status="error", error_field=field, error=message)
    return out


def run_cohort(input_path: str, output_path: str, *, force: bool = False, progress: bool = True) -> dict:
    """Evaluate every row of ``input_path`` and write one row each to ``output_path``; returns the counts.

    Streams: one row is read, evaluated and written before the next is read, so memory does not grow
    with the cohort.  The output is written to a temporary file beside it and renamed when complete;
    any exception, Ctrl-C or SIGTERM removes the temporary file.  A bad row is an error row, not a stop;
    a file that cannot be read as CSV (an unterminated quote) refuses the whole file and writes nothing.
    Every cell is neutralised for spreadsheets.  Raises InputError/UsageError (exit 2) for bad input or
    usage, OSError (exit 74) when a file cannot be read or written.
    """
    target = check_output(output_path, force=force, inputs=[input_path])
    rows = errors = 0
    with exit_on_sigterm(), PatientCsv(input_path, PATIENT_FORM.by_name) as reader:
        bar = BytesProgress(reader.size, progress)
        with atomic_output(target) as handle:
            write = csv.writer(handle).writerow
            write(OUTPUT_COLUMNS)
            for row in reader:
                values = row.values
                patient_id = values.pop(ID_COLUMN, None) or str(row.number)
                if row.problem is not None:
                    out = _error_row(patient_id, "row", row.problem)
                else:  # the reader gives the given cells only, and the identifier was taken out above
                    out = _evaluate(values)
                    out["patient_id"] = patient_id
                errors += out["status"] == "error"
                write(neutralise_row(out.values()))
                rows = row.number
                if rows % 256 == 0:
                    bar.update(reader.characters_read, rows)
        bar.update(reader.size, rows)
    return {"rows": rows, "errors": errors}
