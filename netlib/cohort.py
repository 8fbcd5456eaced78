"""Evaluate many patients from a CSV file: one output row each, never stopping at a bad row."""

from __future__ import annotations

import csv
import os
import sys
import tempfile
import time
from pathlib import Path

from .inputs import InputError
from .pathway import PATIENT_FORM, recommend

ID_COLUMN = "patient_id"
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


def evaluate_row(row: dict[str, str]) -> dict[str, str]:
    patient_id = row.pop(ID_COLUMN, "") or ""
    out = dict.fromkeys(OUTPUT_COLUMNS, "")
    out["patient_id"] = patient_id
    # csv.DictReader files cells beyond the header under the key None: a shifted row (an unquoted
    # comma, say) must fail loudly rather than lose its last values.
    extra = row.pop(None, None)
    values = {k: v for k, v in row.items() if v not in (None, "")}
    try:
        if extra:
            raise InputError("row", extra, "no more cells than the header has columns",
                             f"row has {len(extra)} more cell(s) than the header has columns "
                             f"(extra: {', '.join(map(repr, extra))})")
        result = recommend(values)
    except InputError as error:
        out.update(status="error", error_field=error.field, error=str(error))
        return out
    out["status"] = "ok"
    out["pathway"] = result.pathway
    for number, rec in enumerate(result.recommendations[:3], 1):
        out[f"option_{number}"] = rec.option
        out[f"tier_{number}"] = rec.tier
    out["rule_ids"] = " ".join(result.fired_rule_ids)
    out["excluded"] = " ".join(e.option for e in result.excluded)
    out["missing"] = "; ".join(m.item for m in result.missing)
    return out


def read_rows(path: Path) -> list[dict]:
    """The rows of a patient CSV: a header of patient fields (plus an optional patient_id), one patient a
    row.  An unknown column or a file that is not UTF-8 CSV refuses the whole file (InputError); a row with
    more cells than the header keeps its extra cells under the key None for the caller to report."""
    try:
        with path.open(newline="", encoding="utf-8-sig") as handle:
            reader = csv.DictReader(handle)
            unknown = [c for c in reader.fieldnames or () if c != ID_COLUMN and c not in PATIENT_FORM.by_name]
            if unknown:
                raise InputError(unknown[0], unknown[0], "patient fields: " + ", ".join(PATIENT_FORM.by_name),
                                 f"column {unknown[0]!r} is not a patient field")
            return list(reader)
    except (UnicodeDecodeError, csv.Error) as error:
        raise InputError("csv", str(path), "a UTF-8 CSV file",
                         f"{path} cannot be read as a UTF-8 CSV file: {error}") from None


def run_cohort(input_path: str, output_path: str, *, force: bool = False, progress: bool = True) -> dict:
    source = Path(input_path)
    target = Path(output_path)
    if not source.is_file():
        raise InputError("csv", input_path, "an existing CSV file", f"input file {input_path!r} not found")
    if target.exists() and not force:
        raise InputError("output", output_path, "a new file (or --force)",
                         f"{output_path} exists; refusing to overwrite it without --force")
    rows = read_rows(source)
    bar = Progress(len(rows), progress)
    errors = 0
    target.parent.mkdir(parents=True, exist_ok=True)
    descriptor, temporary = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".part", dir=target.parent)
    try:
        with os.fdopen(descriptor, "w", newline="", encoding="utf-8") as handle:
            writer = csv.DictWriter(handle, fieldnames=OUTPUT_COLUMNS)
            writer.writeheader()
            for number, row in enumerate(rows, 1):
                if not row.get(ID_COLUMN):
                    row[ID_COLUMN] = str(number)
                out = evaluate_row(row)
                errors += out["status"] == "error"
                writer.writerow(out)
                if number % 256 == 0 or number == len(rows):
                    bar.update(number)
        os.replace(temporary, target)  # complete files only
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return {"rows": len(rows), "errors": errors}
