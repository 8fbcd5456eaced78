"""Time the book build: a clean build and a no-change rebuild, and count the pages.

    .venv/bin/python benchmarks/book_build.py            # one clean build, one no-change rebuild
    .venv/bin/python benchmarks/book_build.py --repeat 3 # three no-change rebuilds

"Clean" removes _build and the execution cache (.jupyter_cache) first, so every notebook is
executed; "no-change" runs the same command again with nothing changed (Sphinx rebuilds
nothing and jupyter-cache executes nothing).  Both run scripts/build_book.py, i.e. the strict
build (`jupyter-book build . -W`) with the asset copy and the offline check.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))

import build_book  # noqa: E402  (scripts/ is not a package)


def timed_build(*flags: str) -> float:
    started = time.perf_counter()
    result = subprocess.run([sys.executable, str(ROOT / "scripts" / "build_book.py"), *flags], cwd=ROOT,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    elapsed = time.perf_counter() - started
    if result.returncode != 0:
        sys.stderr.write(result.stderr[-3000:])
        raise SystemExit(f"build failed ({' '.join(flags) or 'no flags'}): exit {result.returncode}")
    return elapsed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=1, help="number of no-change rebuilds to time")
    args = parser.parse_args(argv)

    clean = timed_build("--clean")
    rebuilds = [timed_build() for _ in range(max(1, args.repeat))]
    pages = build_book.content_pages()
    notebooks = [p for p in pages if p.parent.name == "notebooks"]
    size_mb = sum(f.stat().st_size for f in build_book.HTML.rglob("*") if f.is_file()) / 1e6

    print(f"machine:            {platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}")
    print(f"clean build:        {clean:6.1f} s  (no _build, no .jupyter_cache: every notebook executed)")
    print(f"no-change rebuild:  {statistics.median(rebuilds):6.1f} s  (median of {len(rebuilds)}: "
          + ", ".join(f"{r:.1f}" for r in rebuilds) + ")")
    print(f"pages:              {len(pages):6d}     ({len(notebooks)} executed notebooks, "
          f"{len(pages) - len(notebooks)} Markdown pages)")
    print(f"site size:          {size_mb:6.1f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
