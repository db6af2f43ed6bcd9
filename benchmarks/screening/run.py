"""Loads a generated list and screens the labelled queries: load time, peak memory, latency
per applicant, recall and false hits.

    DATABASE_URL=postgres://... nice python -m benchmarks.screening.run --dir /tmp/screening-bench

The load runs `manage.py load_watchlist` as its own process (its peak RSS is the load's);
screening runs here, through screening.search.screen, the function the task and the screen
command call, against every active list of that database.
"""

import argparse
import collections
import datetime
import json
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def load(list_path: Path, dataset: str) -> dict:
    started = time.monotonic()
    result = subprocess.run(
        [sys.executable, "manage.py", "load_watchlist", str(list_path), "--dataset", dataset,
         "--no-progress", "--allow-shrink"],
        cwd=ROOT, capture_output=True, text=True, check=False,
    )  # fmt: skip
    seconds = time.monotonic() - started
    if result.returncode != 0:
        raise SystemExit(result.stderr)
    peak_kib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return {"output": result.stdout.strip(), "seconds": seconds, "peak_rss_mib": peak_kib / 1024}


def percentile(values, share):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def screen_queries(queries_path: Path) -> dict:
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kyc_portal.settings")
    django.setup()
    from screening import matching, search

    matching.warm_up()
    search.screen(matching.Subject(("Warm Up",)))  # the first query opens the connection
    times, clean_hits, clean_total, misses = [], [], 0, []
    found, total = collections.Counter(), collections.Counter()
    for line in queries_path.read_text().splitlines():
        query = json.loads(line)
        subject = matching.Subject(
            (query["name"],),
            datetime.date.fromisoformat(query["birth_date"]),
            query["nationality"],
        )
        started = time.perf_counter()
        hits = search.screen(subject)
        times.append(time.perf_counter() - started)
        ids = [m.person.entity_id for m in hits]
        if query["expect"] is None:
            clean_total += 1
            if ids:
                best = hits[0]
                same_name = query["name"] in best.person.names
                clean_hits.append((query["name"], best.person.caption, best.score,
                                   best.explanation["birth_date"], same_name))  # fmt: skip
        else:
            total[query["variant"]] += 1
            found[query["variant"]] += query["expect"] in ids
            if query["expect"] not in ids:
                misses.append((query["variant"], query["name"], query["expect"]))
    true_total = sum(total.values())
    return {
        "queries": len(times),
        "p50_ms": 1000 * statistics.median(times),
        "p95_ms": 1000 * percentile(times, 0.95),
        "p99_ms": 1000 * percentile(times, 0.99),
        "recall": sum(found.values()) / true_total if true_total else None,
        "recall_by_variant": {k: f"{found[k]}/{total[k]}" for k in sorted(total)},
        "true_queries": true_total,
        "clean_queries": clean_total,
        "false_hits_per_1000_clean": 1000 * len(clean_hits) / clean_total if clean_total else None,
        # The applicant's exact name is listed, for someone with no birth date on the list:
        # nothing tells them apart, a person must look (these count as false hits above).
        "false_hits_same_name_no_listed_birth_date": sum(
            1 for hit in clean_hits if hit[4] and hit[3] == "unknown"
        ),
        "false_hits_other": sum(1 for hit in clean_hits if not (hit[4] and hit[3] == "unknown")),
        "false_hit_examples": [hit for hit in clean_hits if not hit[4]][:10],
        "missed_examples": misses[:15],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--dir", type=Path, required=True)
    parser.add_argument("--dataset", default="bench")
    parser.add_argument("--skip-load", action="store_true")
    args = parser.parse_args()
    report = {}
    if not args.skip_load:
        report["load"] = load(args.dir / "list.ftm.jsonl", args.dataset)
        print(json.dumps(report["load"], indent=2), flush=True)
    report["screening"] = screen_queries(args.dir / "queries.jsonl")
    print(json.dumps(report["screening"], indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
