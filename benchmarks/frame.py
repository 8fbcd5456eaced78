"""Speed of netlib.frame: recommend_frame rows/s against the plain recommend() loop, and a Dask run.

* pandas: recommend_frame on a DataFrame of synthetic patients (default 100,000 rows) against
  ``recommend()`` called on the same patients as dicts, one core;
* Dask: the same DataFrame repeated to 1,000,000 rows, ``map_partitions(recommend_frame)`` on a
  local cluster (2 worker processes, one thread each): wall time and the peak memory (RSS) each
  worker reached.

Run from the repository root:  python3 benchmarks/frame.py  [--rows N] [--dask-rows N] [--workers N]
Synthetic patients only.  Figures are printed; they are not tests.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import pandas as pd  # noqa: E402

from netlib.frame import recommend_frame  # noqa: E402
from netlib.inputs import InputError  # noqa: E402
from netlib.pathway import recommend  # noqa: E402
from netlib.synthetic import random_patient  # noqa: E402

SEED = 20261128
ROWS = 100_000
DASK_ROWS = 1_000_000
WORKERS = 2


def patients(count: int) -> list[dict]:
    rng = random.Random(SEED)
    return [random_patient(rng) for _ in range(count)]


def plain_loop(rows: list[dict]) -> float:
    started = time.perf_counter()
    for row in rows:
        try:
            recommend(row)
        except InputError:
            pass
    return time.perf_counter() - started


def bench_pandas(rows: int) -> None:
    records = patients(rows)
    df = pd.DataFrame(records)
    loop = plain_loop(records)
    started = time.perf_counter()
    out = recommend_frame(df)
    frame = time.perf_counter() - started
    errors = int((out["status"] == "error").sum())
    print(f"recommend() loop on {rows:,} patients: {rows / loop:,.0f} rows/s ({loop:.1f} s)")
    print(f"recommend_frame on {rows:,} rows:     {rows / frame:,.0f} rows/s ({frame:.1f} s; "
          f"{errors:,} error rows; {frame / loop:.2f} x the loop's time)")


def _peak_rss() -> int:
    """This worker's peak resident memory in bytes (Linux ru_maxrss is in KiB)."""
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def synthetic_partition(number: int, rows: int) -> pd.DataFrame:
    """One partition of synthetic patients, drawn on the worker (no data travels in the task graph)."""
    rng = random.Random(SEED + number)
    return pd.DataFrame([random_patient(rng) for _ in range(rows)])


def bench_dask(rows: int, workers: int) -> None:
    import dask.dataframe as dd
    from distributed import Client, LocalCluster, wait

    partition_rows = 25_000
    sizes = [partition_rows] * (rows // partition_rows) + ([rows % partition_rows] if rows % partition_rows else [])
    with LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=":0",
                      memory_limit="2GiB") as cluster, Client(cluster) as client:
        client.wait_for_workers(workers)
        ddf = dd.from_map(synthetic_partition, range(len(sizes)), sizes)
        ddf = client.persist(ddf)  # the patients in the workers' memory first: time netlib alone
        wait(ddf)
        before = client.run(_peak_rss)
        started = time.perf_counter()
        result = client.persist(ddf.map_partitions(recommend_frame))
        wait(result)
        elapsed = time.perf_counter() - started
        errors, total = dd.compute((result["status"] == "error").sum(), result.shape[0])
        peaks = client.run(_peak_rss)
    print(f"Dask local cluster, {workers} worker processes x 1 thread, {total:,} rows in {len(sizes)} partitions: "
          f"{elapsed:.1f} s ({total / elapsed:,.0f} rows/s; {errors:,} error rows)")
    for worker, peak in sorted(peaks.items()):
        print(f"  worker {worker}: peak RSS {peak / 2**20:,.0f} MiB (holding its share of the patients "
              f"before the run: {before[worker] / 2**20:,.0f} MiB)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=ROWS)
    parser.add_argument("--dask-rows", type=int, default=DASK_ROWS)
    parser.add_argument("--workers", type=int, default=WORKERS)
    args = parser.parse_args()
    bench_pandas(args.rows)
    if args.dask_rows:
        bench_dask(args.dask_rows, args.workers)


if __name__ == "__main__":
    main()
