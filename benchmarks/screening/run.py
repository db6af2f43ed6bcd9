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
    collisions, collisions_hit, collision_wrong = 0, 0, []
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
        if query["variant"] == "name_collision":
            # A namesake listed without a birth date (or with this one): a hit on it is right,
            # a hit on anyone else is a false hit.
            collisions += 1
            collisions_hit += any(i in query["may_hit"] for i in ids)
            wrong = [m for m in hits if m.person.entity_id not in query["may_hit"]]
            if wrong:
                collision_wrong.append((query["name"], wrong[0].person.caption, wrong[0].score))
        elif query["expect"] is None:
            clean_total += 1
            if ids:
                best = hits[0]
                why = (best.explanation["birth_date"], best.explanation["algorithm"])
                clean_hits.append((query["name"], best.person.caption, best.score, *why))
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
        "false_hits": len(clean_hits),
        "false_hits_per_1000_clean": 1000 * len(clean_hits) / clean_total if clean_total else None,
        "name_collisions": collisions,
        "name_collisions_hit": collisions_hit,
        "name_collisions_with_another_hit": len(collision_wrong),
        "false_hit_examples": clean_hits[:20],
        "missed_examples": misses[:20],
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
