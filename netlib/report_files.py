"""What a report run reads and writes: patients (one file, a cohort CSV or a folder of files), safe file
names, and files written whole or not at all.

Patient files are read through :mod:`netlib.files` (as every command reads them) and validated with
:func:`netlib.pathway.recommend` before any kernel starts.
"""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .files import (PATIENT_FILE_SUFFIXES, PatientCsv, UsageError, error_line, load_patient_file,
                    os_error_line, take_patient_id)
from .inputs import InputError
from .report_view import top_recommendation

# ---------------------------------------------------------------------------------------------
# Files
# ---------------------------------------------------------------------------------------------

# Every temporary file netlib writes beside an output is named .netlib-<name>.<random>.part, so that a
# batch can recognise (and remove) the ones a killed run left behind.
TEMP_PREFIX = ".netlib-"
TEMP_SUFFIX = ".part"


def write_atomic(target: Path, data: bytes, *, force: bool = False) -> None:
    """Write ``data`` to a temporary file beside ``target`` and rename it into place when complete.

    Refuses to replace an existing file unless ``force``.  On any error (or Ctrl-C) the temporary file is
    removed, so ``target`` is either absent, the old file, or the complete new one.  Only a SIGKILL can
    leave the temporary file; the next batch into that folder removes it (:func:`remove_temporaries`).
    """
    if not force and target.exists():
        raise FileExistsError(f"{target} exists; refusing to overwrite it without --force")
    target.parent.mkdir(parents=True, exist_ok=True)
    descriptor, temporary = tempfile.mkstemp(prefix=f"{TEMP_PREFIX}{target.name}.", suffix=TEMP_SUFFIX,
                                             dir=target.parent)
    try:
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(temporary, 0o644)  # mkstemp creates 0600; reports are ordinary files
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def remove_temporaries(folder: Path) -> list[str]:
    """Remove the temporary files of :func:`write_atomic` in ``folder``; returns their names.

    Call it only while holding the folder's batch lock (:class:`netlib.report_batch.OutputFolderLock`) and
    with no worker running: then every such file is left over from a run that was killed.
    """
    removed = []
    for path in folder.glob(f"{TEMP_PREFIX}*{TEMP_SUFFIX}"):
        try:
            path.unlink()
        except FileNotFoundError:
            continue
        removed.append(path.name)
    return removed


# ---------------------------------------------------------------------------------------------
# Reading patients
# ---------------------------------------------------------------------------------------------

@dataclass
class Patient:
    """One patient of a report run: the given values, or why they cannot be used."""

    patient_id: str
    source: str
    values: dict[str, Any] = field(default_factory=dict)
    error: str | None = None
    error_field: str | None = None
    top: str = ""
    pathway: str = ""
    measurements: Any = None  # the file's ``measurements`` entry, taken out of the clinical values
    scans: tuple = ()  # ... validated by check() / validate()

    def __post_init__(self) -> None:
        from .measurements import FIELD

        if isinstance(self.values, dict) and FIELD in self.values:
            self.measurements = self.values.pop(FIELD)

    def validate(self):
        """recommend() on the clinical values and read_measurements() on the scans; raises InputError."""
        from .measurements import read_measurements
        from .pathway import recommend

        result = recommend(self.values)
        self.scans = read_measurements(self.measurements)
        return result

    def check(self) -> None:
        """Validate with recommend(): sets ``error`` instead of raising (batch) -- the kernel never sees it."""
        if self.error:
            return
        try:
            result = self.validate()
        except InputError as error:
            self.error, self.error_field = str(error), error.field
            return
        self.top, self.pathway = top_recommendation(result), result.pathway

    def scan_list(self) -> list[dict[str, Any]]:
        """The validated scans as plain data (for the kernel's ``measurements`` parameter)."""
        return [{"date": scan.when.isoformat(), "sum_diameters_mm": scan.sum_diameters_mm} for scan in self.scans]


def _split_id(values: dict[str, Any], default: str) -> str:
    return take_patient_id(values, default) or default


def read_patient_file(path: str | Path) -> Patient:
    """One patient from YAML or JSON (netlib.files.load_patient_file: UsageError for an unreadable file,
    InputError for a bad patient_id, OSError when the file cannot be read)."""
    values = load_patient_file(path)
    return Patient(_split_id(values, Path(path).stem), str(path), values)


def read_csv_patients(path: Path) -> list[Patient]:
    """Rows of a cohort CSV, read as ``netlib cohort`` reads them (netlib.files.PatientCsv).

    Column names are patient fields plus an optional patient_id (default: the row number); an empty cell
    is a value not given; an unknown column or an unterminated quote refuses the whole file (InputError,
    exit 2); a row with fewer or more cells than the header is that patient's error.
    """
    from .pathway import PATIENT_FORM

    patients = []
    with PatientCsv(path, PATIENT_FORM.by_name) as rows:
        for row in rows:
            values = row.values
            patient = Patient(_split_id(values, str(row.number)), f"{Path(path).name} row {row.number}", values)
            if row.problem is not None:
                patient.error, patient.error_field = row.problem, "row"
            patients.append(patient)
    return patients


def read_batch(source: str | Path) -> list[Patient]:
    """A CSV file (one patient a row) or a folder (every *.yaml, *.yml and *.json file, sorted).

    In a folder, a file that cannot be read (not UTF-8, not YAML, too large, unreadable) is that
    patient's error; the others go on.
    """
    path = Path(source)
    if path.is_dir():
        files = sorted(p for p in path.iterdir() if p.suffix.lower() in PATIENT_FILE_SUFFIXES and p.is_file())
        if not files:
            raise UsageError(f"netlib report: no *.yaml, *.yml or *.json patient files in {source}")
        patients = []
        for file in files:
            try:
                patients.append(read_patient_file(file))
            except (UsageError, InputError) as error:
                message = error_line(error) if isinstance(error, InputError) else str(error)
                patients.append(Patient(file.stem, str(file), error=message, error_field="file"))
            except OSError as error:
                patients.append(Patient(file.stem, str(file), error=f"cannot read: {os_error_line(error)}",
                                        error_field="file"))
        return patients
    if path.is_file() and path.suffix.lower() == ".csv":
        patients = read_csv_patients(path)
        if not patients:
            raise UsageError(f"netlib report: {source} has no patient rows")
        return patients
    raise UsageError(f"netlib report: --batch needs a .csv file or a folder of patient files; got {source!r}")


def file_stem(patient_id: str, taken: set[str]) -> str:
    """A safe, unique file name stem for a patient id (ASCII letters, digits, '-', '_', '.')."""
    stem = "".join(c if c.isascii() and (c.isalnum() or c in "-_.") else "_" for c in patient_id)
    stem = "_".join(part for part in stem.split("_") if part).strip("._")[:80] or "patient"
    candidate, number = stem, 2
    while candidate.lower() in taken:
        candidate, number = f"{stem}-{number}", number + 1
    taken.add(candidate.lower())
    return candidate
