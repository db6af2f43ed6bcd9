"""Benchmark our MRZ reader against PassportEye's default read_mrz on generated images.

    .venv/bin/python -m benchmarks.mrz.run --data /tmp/mrz-bench --count 100 --seed 7

Generates the images first when --data has no manifest.json. Reports, per
level and engine: full-record accuracy, per-field accuracy, valid reads,
valid-but-wrong reads, median and p95 seconds per image.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import time
import warnings
from pathlib import Path

# Two worker processes on two cores: one thread each (BLAS, OpenMP, Tesseract) for both
# engines, otherwise the thread pools fight over the cores and every timing suffers.
for _variable in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "OMP_THREAD_LIMIT"):
    os.environ.setdefault(_variable, "1")

import numpy as np  # noqa: E402 - after the thread limits above

from benchmarks.mrz.generate import LEVELS, generate_dataset  # noqa: E402

FIELDS = (
    "mrz_type",
    "document_type",
    "country",
    "number",
    "date_of_birth",
    "expiration_date",
    "nationality",
    "sex",
    "surname",
    "names",
)
ENGINES = ("ours", "passporteye")


def _words(text) -> str:
    return " ".join(str(text or "").replace("<", " ").split())


def _ours(path: str) -> tuple[dict, float]:
    from verification.mrz.read import read_mrz

    started = time.perf_counter()
    reading = read_mrz(path)
    return reading.to_dict(), time.perf_counter() - started


def _passporteye(path: str) -> tuple[dict, float]:
    """PassportEye's default pipeline, fields mapped to our to_dict() keys."""
    from passporteye import read_mrz as passporteye_read_mrz

    from verification.mrz import resolve_birth_date, resolve_expiry_date

    started = time.perf_counter()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            mrz = passporteye_read_mrz(path)
    except Exception:  # noqa: BLE001 - count a crash as a failed read
        mrz = None
    seconds = time.perf_counter() - started
    if mrz is None:
        return {"mrz_type": None, "valid": False}, seconds
    data = mrz.to_dict()
    birth = resolve_birth_date(data.get("date_of_birth", ""))
    expiry = resolve_expiry_date(data.get("expiration_date", ""))
    sex = data.get("sex", "")
    return {
        "mrz_type": data.get("mrz_type"),
        "document_type": str(data.get("type", "")).strip("<"),
        "country": str(data.get("country", "")).strip("<"),
        "number": str(data.get("number", "")).strip("<"),
        "date_of_birth": birth.isoformat() if birth else None,
        "expiration_date": expiry.isoformat() if expiry else None,
        "nationality": str(data.get("nationality", "")).strip("<"),
        "sex": "X" if sex in ("<", "") else sex,
        "surname": data.get("surname", ""),
        "names": data.get("names", ""),
        "valid": bool(mrz.valid),
    }, seconds


def _run_one(job: tuple[str, str]) -> tuple[dict, float]:
    engine, path = job
    return _ours(path) if engine == "ours" else _passporteye(path)


def field_correct(name: str, result: dict, truth: dict) -> bool:
    """Whether one field of a reading equals the ground truth (names compared word by word)."""
    if name in ("surname", "names"):
        return _words(result.get(name)) == _words(truth[name])
    return result.get(name) == truth[name]


def summarise(rows: list[dict], results: list[tuple[dict, float]]) -> dict:
    """Accuracy, per-field accuracy, valid, valid-but-wrong and timings of one engine/level."""
    per_field = {name: 0 for name in FIELDS}
    full = valid = valid_wrong = 0
    for truth, (result, _) in zip(rows, results, strict=True):
        correct = {name: field_correct(name, result, truth) for name in FIELDS}
        for name, ok in correct.items():
            per_field[name] += ok
        full += all(correct.values())
        valid += bool(result.get("valid"))
        valid_wrong += bool(result.get("valid")) and not all(correct.values())
    seconds = np.array([s for _, s in results])
    count = len(rows)
    return {
        "images": count,
        "full_record_accuracy": full / count,
        "valid": valid,
        "valid_but_wrong": valid_wrong,
        "median_seconds": float(np.median(seconds)),
        "p95_seconds": float(np.percentile(seconds, 95)),
        "field_accuracy": {name: per_field[name] / count for name in FIELDS},
    }


def run_benchmark(data_dir: Path, engines=ENGINES, processes: int = 2) -> dict:
    """Run each engine over data_dir/manifest.json; returns summaries by level and engine."""
    manifest = json.loads((data_dir / "manifest.json").read_text())
    report: dict = {}
    with multiprocessing.Pool(processes) as pool:
        for engine in engines:
            jobs = [(engine, str(data_dir / row["file"])) for row in manifest]
            results = pool.map(_run_one, jobs, chunksize=1)
            for level in LEVELS:
                picked = [
                    (row, res)
                    for row, res in zip(manifest, results, strict=True)
                    if row["level"] == level
                ]
                if picked:
                    rows, level_results = zip(*picked, strict=True)
                    report.setdefault(level, {})[engine] = summarise(
                        list(rows), list(level_results)
                    )
            if engine == "ours":
                failures = [
                    {
                        "file": row["file"],
                        "got": res[0].get("raw_text"),
                        "valid": res[0].get("valid"),
                    }
                    for row, res in zip(manifest, results, strict=True)
                    if not all(field_correct(name, res[0], row) for name in FIELDS)
                ]
                report.setdefault("_failures_ours", failures)
    return report


def format_table(report: dict) -> str:
    """Markdown table of the headline figures."""
    lines = [
        "| level | engine | images | full-record accuracy | valid | valid but wrong "
        "| median s | p95 s |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for level in LEVELS:
        for engine, summary in report.get(level, {}).items():
            lines.append(
                f"| {level} | {engine} | {summary['images']} "
                f"| {summary['full_record_accuracy']:.1%} "
                f"| {summary['valid']} | {summary['valid_but_wrong']} "
                f"| {summary['median_seconds']:.2f} | {summary['p95_seconds']:.2f} |"
            )
    lines += [
        "",
        "| level | engine | " + " | ".join(FIELDS) + " |",
        "|---|---|" + "---|" * len(FIELDS),
    ]
    for level in LEVELS:
        for engine, summary in report.get(level, {}).items():
            accuracies = " | ".join(f"{summary['field_accuracy'][name]:.0%}" for name in FIELDS)
            lines.append(f"| {level} | {engine} | {accuracies} |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", required=True, help="image directory (generated if empty)")
    parser.add_argument("--count", type=int, default=100, help="images per level when generating")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--engines", default=",".join(ENGINES))
    parser.add_argument("--processes", type=int, default=2)
    parser.add_argument("--json", help="also write the full report to this file")
    args = parser.parse_args()
    data_dir = Path(args.data)
    if not (data_dir / "manifest.json").exists():
        generate_dataset(data_dir, args.count, args.seed)
    report = run_benchmark(data_dir, tuple(args.engines.split(",")), min(args.processes, 2))
    if args.json:
        Path(args.json).write_text(json.dumps(report, indent=1))
    print(format_table(report))


if __name__ == "__main__":
    main()
