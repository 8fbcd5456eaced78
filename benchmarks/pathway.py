"""Speed of the decision algorithm: recommend() patients per second on one core, and the wall time of
`netlib cohort` end to end on a generated 100,000-row CSV.

Targets: recommend() >= 20,000 patients/s; `netlib cohort` on 100,000 rows < 15 s.

Run from the repository root:  python3 benchmarks/pathway.py  [--rows N] [--patients N]
The CSV is generated into a temporary folder and removed afterwards.  Synthetic patients only.
"""

from __future__ import annotations

import argparse
import csv
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from netlib.examples import PATIENT_EXAMPLES  # noqa: E402
from netlib.inputs import InputError  # noqa: E402
from netlib.pathway import PATIENT_FORM, recommend  # noqa: E402

RECOMMEND_TARGET_PER_SECOND = 20_000
COHORT_TARGET_SECONDS = 15.0
COHORT_ROWS = 100_000
SEED = 20261127

# Clinically plausible ranges for the benchmark mix (inside the declared ranges, so that most
# synthetic patients reach the low-grade tables rather than the G3 redirect).
TYPICAL_RANGES = {
    "ki67_percent": (0.0, 25.0), "mitoses_per_2mm2": (0.0, 25.0), "sum_diameters_baseline_mm": (10.0, 300.0),
    "sum_diameters_current_mm": (10.0, 300.0), "interval_months": (1.0, 24.0), "age_years": (30.0, 90.0),
    "weight_kg": (40.0, 120.0), "creatinine_mg_dl": (0.5, 2.5), "creatinine_umol_l": (45.0, 220.0),
    "haemoglobin_g_dl": (7.0, 16.0), "wbc_10e9_l": (1.5, 12.0), "platelets_10e9_l": (50.0, 400.0),
    "bilirubin_x_uln": (0.2, 4.0), "albumin_g_dl": (2.5, 5.0),
}
GROWTH_FIELDS = ("sum_diameters_baseline_mm", "sum_diameters_current_mm", "interval_months")


def _value(rng: random.Random, field):
    if field.kind == "choice":
        return rng.choice(field.choices)
    if field.kind == "boolean":
        return rng.random() < 0.5
    if field.kind == "integer":
        step = int(field.step or 1)
        return rng.randrange(int(field.minimum), int(field.maximum) + 1, step)
    low, high = TYPICAL_RANGES.get(field.name, (field.minimum, field.maximum))
    return round(rng.uniform(low, high), 1)


def random_patient(rng: random.Random, given: float = 0.6) -> dict:
    """A synthetic patient that satisfies PATIENT_FORM's declarations and rules."""
    patient = {f.name: _value(rng, f) for f in PATIENT_FORM.fields if rng.random() < given}
    if rng.random() < 0.9:
        patient.pop("stated_grade", None)  # rarely stated beside the numbers it must agree with
    if "krenning_score" in patient and patient.get("sstr_imaging") in (None, "not_done"):
        patient["sstr_imaging"] = rng.choice(("planar", "spect", "pet"))
    if "creatinine_mg_dl" in patient and "creatinine_umol_l" in patient:
        del patient[rng.choice(("creatinine_mg_dl", "creatinine_umol_l"))]
    if any(name in patient for name in GROWTH_FIELDS):
        for name in GROWTH_FIELDS:
            patient.setdefault(name, _value(rng, PATIENT_FORM.by_name[name]))
    if patient.get("recist_response") == "PD":
        patient["disease_status"] = "progressive"
    elif patient.get("recist_response") and patient.get("disease_status") == "progressive":
        patient["disease_status"] = "stable"
    if patient.get("refractory_syndrome_diarrhoea") is True and patient.get("carcinoid_syndrome") is False:
        patient["carcinoid_syndrome"] = True
    return patient


def bench_recommend(patients: list[dict], repeat: int = 3) -> float:
    """Best of ``repeat`` passes over the patients: patients per second (input errors included)."""
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        for patient in patients:
            try:
                recommend(patient)
            except InputError:
                pass
        best = min(best, time.perf_counter() - start)
    return len(patients) / best


def write_cohort_csv(path: Path, rows: int, rng: random.Random) -> int:
    """A cohort CSV with every patient field as a column; about 1 % of rows carry an input error."""
    columns = ["patient_id"] + [f.name for f in PATIENT_FORM.fields]
    bad = 0
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=columns)
        writer.writeheader()
        for number in range(1, rows + 1):
            patient = random_patient(rng)
            if rng.random() < 0.01:
                patient["ki67_percent"] = "12O"  # a typing error: letter O for zero
                bad += 1
            row = {"patient_id": f"P{number:06d}"}
            for name, value in patient.items():
                row[name] = ("yes" if value else "no") if isinstance(value, bool) else value
            writer.writerow(row)
    return bad


def bench_cohort(rows: int, rng: random.Random) -> tuple[float, int, int]:
    with tempfile.TemporaryDirectory(prefix="netlib-bench-") as folder:
        source, target = Path(folder) / "cohort.csv", Path(folder) / "out.csv"
        write_cohort_csv(source, rows, rng)
        env = dict(os.environ, PYTHONPATH=str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""))
        start = time.perf_counter()
        completed = subprocess.run([sys.executable, "-m", "netlib.cli", "cohort", str(source), "-o", str(target),
                                    "--no-progress"], cwd=ROOT, env=env, capture_output=True, text=True)
        seconds = time.perf_counter() - start
        if completed.returncode not in (0, 1) or not target.is_file():
            raise SystemExit(f"netlib cohort failed ({completed.returncode}): {completed.stderr.strip()}")
        with target.open(newline="", encoding="utf-8") as handle:
            written = sum(1 for _ in csv.DictReader(handle))
        return seconds, written, completed.returncode


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--patients", type=int, default=10_000, help="random patients for recommend()")
    parser.add_argument("--rows", type=int, default=COHORT_ROWS, help="rows in the generated cohort CSV")
    args = parser.parse_args(argv)
    rng = random.Random(SEED)

    examples = list(PATIENT_EXAMPLES.values()) * 2_500
    mixed = [random_patient(rng) for _ in range(args.patients)]
    print(f"recommend(), one core ({sys.implementation.name} {sys.version.split()[0]}):")
    ok = True
    for label, patients in (("book examples", examples), ("random valid patients", mixed)):
        rate = bench_recommend(patients)
        ok &= rate >= RECOMMEND_TARGET_PER_SECOND
        print(f"  {label:<22} {rate:>10,.0f} patients/s  (target >= {RECOMMEND_TARGET_PER_SECOND:,})")

    seconds, written, status = bench_cohort(args.rows, rng)
    ok &= seconds < COHORT_TARGET_SECONDS or args.rows != COHORT_ROWS
    print(f"netlib cohort, {args.rows:,} rows end to end: {seconds:.2f} s "
          f"({args.rows / seconds:,.0f} rows/s; {written:,} rows written; exit status {status}; "
          f"target < {COHORT_TARGET_SECONDS:g} s for {COHORT_ROWS:,})")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
