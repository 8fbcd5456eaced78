"""`netlib cohort` end to end: time per row and peak memory (RSS) of the command on a generated CSV.

Targets: peak RSS < 100 MB for 1,000,000 rows (the command streams: read a row, evaluate it, write it),
and time per row within 10 % of the code before streaming.

Measured on the development machine (2 shared cores, CPython 3.11.7, other jobs running, so the wall
times vary widely; CPU time per row is the figure compared), same generated CSV:
  100,000 rows, before (every row held in a list for the progress bar):  208.7 µs/row CPU, peak RSS 404 MB
  100,000 rows, after (streaming, progress from characters read):        205.5 µs/row CPU, peak RSS 24 MB
  1,000,000 rows, after:                                                 213.2 µs/row CPU, peak RSS 24 MB
(before, 1,000,000 rows would hold about 4 GB: the issue measured 2.2 KB a row on a smaller CSV).

Run from the repository root:  python3 benchmarks/cohort.py  [--rows N] [--compare OTHER_CHECKOUT]
``--compare`` runs the same CSV through another checkout of the repository (for example the commit before
the streaming cohort) and prints both.  The CSV is generated into a temporary folder and removed
afterwards.  Synthetic patients only.
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

from netlib.pathway import PATIENT_FORM  # noqa: E402
from netlib.synthetic import random_patient  # noqa: E402

PEAK_RSS_TARGET_MB = 100
SLOWER_AT_MOST = 0.10  # per-row time within 10 % of the code before streaming
DEFAULT_ROWS = 1_000_000
SEED = 20261127

# Measured on this machine before the streaming cohort (commit ae0dc94, 100,000 rows, --no-progress);
# run with --compare on a checkout of that commit to measure it again beside this one.
BASELINE = {"rows": 100_000, "cpu_microseconds_per_row": 208.7, "peak_rss_mb": 404.0}


def write_cohort_csv(path: Path, rows: int, rng: random.Random) -> None:
    """Every patient field as a column; about 1 % of rows carry an input error.  A few hundred distinct
    patients are repeated, so that a million rows are written in seconds."""
    columns = ["patient_id"] + [f.name for f in PATIENT_FORM.fields]
    pool = []
    for _ in range(500):
        patient = random_patient(rng)
        if rng.random() < 0.01:
            patient["ki67_percent"] = "12O"  # a typing error: letter O for zero
        pool.append([("yes" if v else "no") if isinstance(v, bool) else ("" if v is None else v)
                     for v in (patient.get(c) for c in columns[1:])])
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(columns)
        for number in range(1, rows + 1):
            writer.writerow([f"P{number:07d}", *pool[number % len(pool)]])


def run_cohort(checkout: Path, source: Path, target: Path) -> tuple[float, float, float, int]:
    """(wall seconds, CPU seconds, peak RSS in MB, exit status) of `python -m netlib.cli cohort` from
    ``checkout``.  CPU time (user + system) is the figure compared: on a shared machine the wall time
    also counts the other jobs."""
    env = dict(os.environ, PYTHONPATH=str(checkout))
    target.unlink(missing_ok=True)
    start = time.perf_counter()
    process = subprocess.Popen([sys.executable, "-m", "netlib.cli", "cohort", str(source), "-o", str(target),
                                "--no-progress"], cwd=checkout, env=env, stdout=subprocess.DEVNULL,
                               stderr=subprocess.PIPE)
    stderr = process.stderr.read()
    _pid, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - start
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode not in (0, 1) or not target.is_file():
        raise SystemExit(f"netlib cohort failed ({process.returncode}): {stderr.decode(errors='replace').strip()}")
    cpu = usage.ru_utime + usage.ru_stime
    return seconds, cpu, usage.ru_maxrss / 1024, process.returncode  # ru_maxrss is in KiB on Linux


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=DEFAULT_ROWS, help="rows in the generated cohort CSV")
    parser.add_argument("--compare", type=Path, default=None, help="another checkout to run on the same CSV")
    args = parser.parse_args(argv)
    rng = random.Random(SEED)
    ok = True
    with tempfile.TemporaryDirectory(prefix="netlib-bench-") as folder:
        source, target = Path(folder) / "cohort.csv", Path(folder) / "out.csv"
        write_cohort_csv(source, args.rows, rng)
        size_mb = source.stat().st_size / 1e6
        print(f"netlib cohort, {args.rows:,} rows ({size_mb:,.0f} MB CSV), {sys.implementation.name} "
              f"{sys.version.split()[0]}:")
        runs = [("this checkout", ROOT)] + ([("compared", args.compare.resolve())] if args.compare else [])
        figures = {}
        for label, checkout in runs:
            seconds, cpu, rss, status = run_cohort(checkout, source, target)
            figures[label] = cpu / args.rows * 1e6
            print(f"  {label:<14} wall {seconds:7.2f} s  CPU {cpu:7.2f} s  {figures[label]:6.1f} µs/row (CPU)  "
                  f"peak RSS {rss:6.1f} MB  exit status {status}  ({checkout})")
            if label == "this checkout" and args.rows >= DEFAULT_ROWS:
                ok &= rss < PEAK_RSS_TARGET_MB
        if args.compare:
            ratio = figures["this checkout"] / figures["compared"] - 1
            print(f"  per-row CPU time {ratio:+.1%} against the compared checkout (target within "
                  f"{SLOWER_AT_MOST:.0%})")
            ok &= ratio <= SLOWER_AT_MOST
        if not args.compare:
            ratio = figures["this checkout"] / BASELINE["cpu_microseconds_per_row"] - 1
            print(f"  before streaming (recorded above, {BASELINE['rows']:,} rows): "
                  f"{BASELINE['cpu_microseconds_per_row']} µs/row (CPU), peak RSS {BASELINE['peak_rss_mb']} MB; "
                  f"this run {ratio:+.1%} per row")
    print(f"  target: peak RSS < {PEAK_RSS_TARGET_MB} MB at {DEFAULT_ROWS:,} rows")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
