"""Evaluations per second for every calculator, validation included, on one core.

Each calculator is called through its public, validating entry point with the synthetic example from
netlib.examples.CALCULATOR_EXAMPLES.  Target: >= 100,000 evaluations per second each.

The timings are taken in ROUNDS passes over all calculators and each calculator's best is kept: on a shared
machine a slow spell of a second or two would otherwise fall on one calculator's every repeat.

Run from the repository root:  python3 benchmarks/calculators.py  [--seconds S]
"""

from __future__ import annotations

import argparse
import sys
import timeit
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import netlib.calculators  # noqa: E402
from netlib.examples import CALCULATOR_EXAMPLES  # noqa: E402

TARGET_PER_SECOND = 100_000
ROUNDS = 3


def evaluations_per_second(function, values: dict, seconds: float) -> float:
    """Best of five timed runs, each about ``seconds / 5`` long (at least one autorange run, about 0.2 s)."""
    timer = timeit.Timer(lambda: function(**values))
    number, _elapsed = timer.autorange()  # calls per run taking at least 0.2 s
    number = max(number, int(number * seconds / 5 / 0.2))
    best = min(timer.repeat(repeat=5, number=number))
    return number / best


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=1.0, help="approximate timing per calculator")
    args = parser.parse_args(argv)

    calculators = netlib.calculators.all_calculators()
    missing = [c.id for c in calculators if c.id not in CALCULATOR_EXAMPLES]
    if missing:
        raise SystemExit(f"no example input for: {', '.join(missing)}")
    width = max(len(c.id) for c in calculators)
    print(f"evaluations per second, validation included ({sys.implementation.name} "
          f"{sys.version.split()[0]}, one core; target >= {TARGET_PER_SECOND:,}):")
    best = dict.fromkeys((c.id for c in calculators), 0.0)
    for _round in range(ROUNDS):
        for calculator in calculators:
            rate = evaluations_per_second(calculator, CALCULATOR_EXAMPLES[calculator.id], args.seconds / ROUNDS)
            best[calculator.id] = max(best[calculator.id], rate)
    slow = []
    for calculator in calculators:
        rate = best[calculator.id]
        flag = "" if rate >= TARGET_PER_SECOND else "  BELOW TARGET"
        if flag:
            slow.append(calculator.id)
        print(f"  {calculator.id:<{width}}  {rate:>12,.0f}/s{flag}")
    if slow:
        print(f"below target: {', '.join(slow)}")
    return 1 if slow else 0


if __name__ == "__main__":
    raise SystemExit(main())
