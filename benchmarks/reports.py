"""Benchmark: tumour-board reports with `netlib report --batch` against papermill + nbconvert on the command line.

    python benchmarks/reports.py [--count 50] [--workers N] [--cold-runs 3] [--pdfs 10] [--pdf-rounds 1]
                                 [--keep DIR] [--check]

Four figures, wall time of command-line runs in fresh processes (the PDF figure also in one process):

* baseline: for each of COUNT synthetic patients, `papermill template.ipynb out.ipynb -f params.yaml` followed by
  `jupyter nbconvert --to html --no-input out.ipynb`, one after another (a new kernel for every patient);
* batch: one `netlib report --batch FOLDER -o OUT` for the same patients (spawned workers, one reused kernel each);
* cold single report: `netlib report patient.yaml -o report.html` (new process, new kernel), COLD_RUNS times;
* PDFs: `netlib report --batch` of PDFS patients with `--pdf` minus the same batch without it, per PDF
  (each worker starts its browser and prints its reports on one reused page), the median of PDF_ROUNDS
  such pairs run in turn (on a shared machine one pair can be off by a few tenths of a second per PDF);
  and, warm, one PdfPrinter printing PDFS reports one after another (the cost of a PDF once the browser
  is up).

Targets (issues 4 and 14): batch at least 10x faster than the baseline with the full template (sections as
cells, figures); a cold single report under 5 s; a PDF at most 0.15 s on top of its HTML.
The patients are netlib.examples.PATIENT_EXAMPLES, repeated with distinct ids: synthetic, no patient data;
every patient carries the serial scans of examples/progressive-midgut.yaml, so every report draws a growth
chart.
This is a script, not a test; `--check` makes it exit 1 when a target is missed.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

from netlib.examples import PATIENT_EXAMPLES
from netlib.report import TEMPLATE_PATH, remote_asset_references

SPEEDUP_TARGET = 10.0
COLD_SINGLE_TARGET_SECONDS = 5.0
PDF_TARGET_SECONDS = 0.15  # per PDF, on top of the HTML (issue 14)
SCANS = [{"date": "2025-03-03", "sum_diameters_mm": 38}, {"date": "2025-06-02", "sum_diameters_mm": 41},
         {"date": "2025-09-01", "sum_diameters_mm": 47.5}, {"date": "2025-12-01", "sum_diameters_mm": 55}]
BIN = Path(sys.executable).parent  # the venv's console scripts: netlib, papermill, jupyter


def command(name: str) -> str:
    found = BIN / name
    if found.exists():
        return str(found)
    which = shutil.which(name)
    if which is None:
        raise SystemExit(f"benchmark: {name} not found next to {sys.executable} or on PATH")
    return which


def timed(args: list[str], cwd: Path) -> float:
    started = time.perf_counter()
    done = subprocess.run(args, cwd=cwd, capture_output=True, text=True)
    elapsed = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"benchmark: {' '.join(args)} failed ({done.returncode}):\n{done.stderr[-2000:]}")
    return elapsed


def write_patients(folder: Path, count: int) -> list[Path]:
    """COUNT patient files cycling through the synthetic examples, each with its own patient_id."""
    folder.mkdir(parents=True)
    names = sorted(PATIENT_EXAMPLES)
    files = []
    for number in range(count):
        name = names[number % len(names)]
        file = folder / f"patient-{number + 1:03d}.yaml"
        file.write_text(yaml.safe_dump({"patient_id": f"bench-{number + 1:03d}-{name}", **PATIENT_EXAMPLES[name],
                                        "measurements": SCANS}, sort_keys=False), encoding="utf-8")
        files.append(file)
    return files


def run_baseline(files: list[Path], work: Path) -> float:
    """papermill CLI then jupyter nbconvert CLI, one patient after another."""
    papermill, jupyter = command("papermill"), command("jupyter")
    out = work / "baseline"
    out.mkdir()
    started = time.perf_counter()
    for number, file in enumerate(files, 1):
        values = yaml.safe_load(file.read_text(encoding="utf-8"))
        patient_id = values.pop("patient_id")
        measurements = values.pop("measurements")
        parameters = out / f"{file.stem}.params.yaml"
        parameters.write_text(yaml.safe_dump({"patient": values, "patient_id": patient_id,
                                              "provenance": {"patient_id": patient_id},
                                              "measurements": measurements}), encoding="utf-8")
        executed = out / f"{file.stem}.ipynb"
        timed([papermill, "--no-progress-bar", str(TEMPLATE_PATH), str(executed), "-f", str(parameters)], cwd=out)
        timed([jupyter, "nbconvert", "--to", "html", "--no-input", str(executed)], cwd=out)
        print(f"\r  baseline {number}/{len(files)}", end="", file=sys.stderr, flush=True)
    print(file=sys.stderr)
    elapsed = time.perf_counter() - started
    pages = sorted(out.glob("*.html"))
    assert len(pages) == len(files), f"baseline wrote {len(pages)} of {len(files)} reports"
    remote = sum(len(remote_asset_references(p.read_text(encoding="utf-8"))) for p in pages)
    print(f"  baseline pages carry {remote / len(pages):.0f} remote asset references each (CDN scripts)")
    return elapsed


def run_batch(folder: Path, work: Path, workers: int | None, count: int, *, pdf: bool = False,
              name: str = "batch") -> float:
    out = work / name
    args = [command("netlib"), "report", "--batch", str(folder), "-o", str(out), "--no-progress"]
    if pdf:
        args.append("--pdf")
    if workers:
        args += ["--workers", str(workers)]
    elapsed = timed(args, cwd=work)
    pages = [p for p in out.glob("*.html") if p.name != "index.html"]
    assert len(pages) == count, f"netlib report wrote {len(pages)} of {count} reports"
    assert not any(remote_asset_references(p.read_text(encoding="utf-8")) for p in pages)
    if pdf:
        assert len(list(out.glob("*.pdf"))) == count, "not every PDF was written"
    return elapsed


def run_warm_pdfs(folder: Path) -> float:
    """Seconds per PDF for one warm PdfPrinter (browser already started, one reused page)."""
    from netlib.report import PdfPrinter

    pages = [p.read_text(encoding="utf-8") for p in sorted(folder.glob("*.html")) if p.name != "index.html"]
    with PdfPrinter() as printer:
        printer.pdf(pages[0], "warm-up")
        started = time.perf_counter()
        for page in pages:
            printer.pdf(page, "bench")
        return (time.perf_counter() - started) / len(pages)


def run_cold(file: Path, work: Path, runs: int) -> list[float]:
    times = []
    for run in range(runs):
        target = work / f"cold-{run}.html"
        times.append(timed([command("netlib"), "report", str(file), "-o", str(target)], cwd=work))
    return times


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--count", type=int, default=50, help="patients in the batch and the baseline (50)")
    parser.add_argument("--workers", type=int, default=None, help="netlib report --workers (default: CPUs)")
    parser.add_argument("--cold-runs", type=int, default=3, help="cold single-report runs (3)")
    parser.add_argument("--pdfs", type=int, default=10, help="patients for the PDF figure (10; 0 skips it)")
    parser.add_argument("--pdf-rounds", type=int, default=1,
                        help="pairs of batches (HTML, HTML + PDF) for the PDF figure, median taken (1)")
    parser.add_argument("--keep", metavar="DIR", help="keep the outputs in DIR (must not exist)")
    parser.add_argument("--check", action="store_true", help="exit 1 when a target is missed")
    args = parser.parse_args()

    work = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="netlib-bench-"))
    if args.keep:
        work.mkdir(parents=True)
    try:
        files = write_patients(work / "patients", args.count)
        print(f"netlib report benchmark: {args.count} patients, {os.cpu_count()} CPUs, "
              f"load average {os.getloadavg()[0]:.1f}")
        cold = run_cold(files[0], work, args.cold_runs)
        batch = run_batch(work / "patients", work, args.workers, args.count)
        pdf_each = warm_each = None
        if args.pdfs:
            few = work / "few"
            few.mkdir()
            for file in files[:args.pdfs]:
                shutil.copy(file, few / file.name)
            differences = []
            for round_number in range(args.pdf_rounds):
                html_only = run_batch(few, work, args.workers, args.pdfs, name=f"few-html-{round_number}")
                with_pdf = run_batch(few, work, args.workers, args.pdfs, pdf=True, name=f"few-pdf-{round_number}")
                differences.append((with_pdf - html_only) / args.pdfs)
                print(f"  {args.pdfs} reports: HTML {html_only:.1f} s, HTML + PDF {with_pdf:.1f} s "
                      f"(load average {os.getloadavg()[0]:.1f})")
            pdf_each = statistics.median(differences)
            warm_each = run_warm_pdfs(work / "few-html-0")
        print(f"  batch done in {batch:.1f} s; running the baseline ({args.count} x papermill + nbconvert) ...")
        baseline = run_baseline(files, work)
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)

    ratio = baseline / batch
    cold_median = statistics.median(cold)
    print()
    print(f"baseline  papermill CLI + jupyter nbconvert CLI, sequential: {baseline:7.1f} s "
          f"({baseline / args.count:.2f} s per report)")
    print(f"netlib    netlib report --batch (spawned workers, reused kernels): {batch:7.1f} s "
          f"({batch / args.count:.2f} s per report)")
    print(f"speed-up  {ratio:.1f}x (target at least {SPEEDUP_TARGET:.0f}x): "
          f"{'met' if ratio >= SPEEDUP_TARGET else 'MISSED'}")
    print(f"cold      netlib report one patient -> HTML: {', '.join(f'{t:.2f}' for t in cold)} s; "
          f"median {cold_median:.2f} s (target under {COLD_SINGLE_TARGET_SECONDS:.0f} s): "
          f"{'met' if max(cold) < COLD_SINGLE_TARGET_SECONDS else 'MISSED'}")
    if pdf_each is not None:
        rounds = f" (median of {args.pdf_rounds} rounds)" if args.pdf_rounds > 1 else ""
        print(f"pdf       {args.pdfs} PDFs on top of HTML, batch CLI (browser start included): {pdf_each:.3f} s "
              f"per PDF{rounds}; warm printer, one reused page: {warm_each:.3f} s per PDF (target at most "
              f"{PDF_TARGET_SECONDS:.2f} s): {'met' if pdf_each <= PDF_TARGET_SECONDS else 'MISSED'}")
    print(f"load average after the run: {os.getloadavg()[0]:.1f}")
    missed = (ratio < SPEEDUP_TARGET or max(cold) >= COLD_SINGLE_TARGET_SECONDS
              or (pdf_each is not None and pdf_each > PDF_TARGET_SECONDS))
    return 1 if args.check and missed else 0


if __name__ == "__main__":
    raise SystemExit(main())
