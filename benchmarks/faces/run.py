"""Face-match benchmark: real photos, generated pages and scenes; and the duplicate lookup.

    nice .venv/bin/python -m benchmarks.faces.run                 # everything
    nice .venv/bin/python -m benchmarks.faces.run --skip-lookup   # pairs and frauds only
    nice .venv/bin/python -m benchmarks.faces.run --faces 100000  # lookup size

Pairs: every ordered pair of the real photographs (scripts/face_photos.py installs them; plus
scikit-image's astronaut and matplotlib's Grace Hopper), the first on a generated data page,
the second held by a person in a generated holding photo, each in several variations (size,
rotation, light). Same person: different photos of one person, and one photo against itself
transformed. Different people: every cross pair. Frauds: someone else holding the customer's
page, the page alone on a table, a print of the portrait held up, nobody. Seconds are per
application as the task runs it (the page's number known from its MRZ read, the photo's MRZ
read here).

The lookup part stores N encrypted faces in a scratch PostgreSQL/SQLite test database and
times a new application's duplicate lookup (identity/duplicates.py) as the task runs it.
"""

import argparse
import itertools
import json
import os
import statistics
import sys
import time

# A worker process has one core: one thread each (BLAS, OpenMP) for the face match and for the
# MRZ read it is timed against, as in benchmarks/mrz. Otherwise numpy's BLAS gives the MRZ
# read's glyph scoring (and the ONNX reader's image handling) a second core on a quiet
# machine, and the comparison says more about the load than about either engine.
for _variable in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "OMP_THREAD_LIMIT"):
    os.environ.setdefault(_variable, "1")

import django  # noqa: E402 - after the thread limits above
import numpy as np  # noqa: E402

VARIATIONS = [
    {"face_width": 260},
    {"face_width": 200, "rotation": 10, "light": 0.75},
    {"face_width": 320, "rotation": -8, "light": 1.2},
    {"face_width": 170, "rotation": 4, "light": 0.9},
]
PHOTOS = ["obama.jpg", "obama2.jpg", "obama3.jpg", "biden.jpg", "astronaut", "grace_hopper"]
PERSON = {"obama.jpg": "obama", "obama2.jpg": "obama", "obama3.jpg": "obama"}


def person_of(photo: str) -> str:
    return PERSON.get(photo, photo)


def percentile(values, share):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def _span(scores) -> list[float] | None:
    """[lowest, highest], or None when --pairs left no pair of that kind."""
    scores = list(scores)
    return [round(min(scores), 3), round(max(scores), 3)] if scores else None


def face_pairs(limit: int | None) -> dict:
    from benchmarks.faces import scenes
    from identity import faces
    from identity.document_numbers import read_document_number
    from verification.mrz import read_mrz

    same, different, seconds, mrz_seconds = [], [], [], []
    cpu_seconds, mrz_cpu_seconds = [], []
    documents = {"same": 0, "same_total": 0}
    frauds = {"someone_else_holding_page": [], "page_alone": [], "print_held_up": [], "nobody": []}
    wrong_page = []
    pages = {photo: scenes.data_page(photo, f"bench-{photo}") for photo in PHOTOS}
    pairs = list(itertools.product(PHOTOS, PHOTOS))
    if limit:
        pairs = pairs[:limit]
    for page_photo, holder in pairs:
        page, truth = pages[page_photo]
        page_png = scenes.png(page)
        for index, variation in enumerate(VARIATIONS):
            seed = f"{page_photo}-{holder}-{index}"
            photo = scenes.jpeg(scenes.holding_photo(holder, page, seed, **variation))
            started = time.process_time()
            result = faces.compare_images(
                page_png, photo, read_document_number=read_document_number,
                page_number=truth["number"],
            )  # fmt: skip
            cpu_seconds.append(time.process_time() - started)
            seconds.append(result.seconds)
            # Paired: the MRZ task's read of the same page, in the same conditions. CPU time
            # beside the clock: it moves far less with the other processes on the machine.
            started = time.process_time()
            mrz_seconds.append(read_mrz(page_png).seconds)
            mrz_cpu_seconds.append(time.process_time() - started)
            score = result.score if result.score is not None else 0.0
            if person_of(page_photo) == person_of(holder):
                same.append((score, result.verdict, page_photo, holder, index))
            else:
                different.append((score, result.verdict, page_photo, holder, index))
                frauds["someone_else_holding_page"].append(result.verdict)
            documents["same_total"] += 1
            documents["same"] += result.document_in_hand == "same"
    for page_photo in PHOTOS:
        page, truth = pages[page_photo]
        page_png = scenes.png(page)
        other_photo = next(p for p in PHOTOS if person_of(p) != person_of(page_photo))
        for index in range(2):
            seed = f"fraud-{page_photo}-{index}"
            cases = {
                "page_alone": scenes.page_on_table(page, seed),
                "print_held_up": scenes.holding_photo(
                    None, page, seed, picture=page_photo, rotation=3 * index
                ),
                "nobody": scenes.holding_photo(None, None, seed),
            }
            for name, image in cases.items():
                result = faces.compare_images(
                    page_png, scenes.jpeg(image), read_document_number=read_document_number,
                    page_number=truth["number"],
                )  # fmt: skip
                frauds[name].append(result.verdict)
            # The right person holding somebody else's page.
            same_person = next(
                (p for p in PHOTOS if p != page_photo and person_of(p) == person_of(page_photo)),
                page_photo,
            )
            image = scenes.holding_photo(same_person, pages[other_photo][0], seed)
            result = faces.compare_images(
                page_png, scenes.jpeg(image), read_document_number=read_document_number,
                page_number=truth["number"],
            )  # fmt: skip
            wrong_page.append(result.document_in_hand)

    threshold = faces.MATCH_THRESHOLD
    false_matches = [d for d in different if d[0] >= threshold]
    true_matches = [s for s in same if s[0] >= threshold]
    return {
        "threshold": threshold,
        "photos": len(PHOTOS),
        "distinct_people": len({person_of(photo) for photo in PHOTOS}),
        "same_pairs": len(same),
        "different_pairs": len(different),
        "true_match_rate": len(true_matches) / len(same) if same else None,
        "false_non_match_rate": 1 - len(true_matches) / len(same) if same else None,
        "false_match_rate": len(false_matches) / len(different) if different else None,
        "same_scores": _span(s[0] for s in same),
        "different_scores": _span(d[0] for d in different),
        "missed_same": [s for s in same if s[0] < threshold],
        "fraud_matches": {k: sum(v == "match" for v in vs) for k, vs in frauds.items()},
        "fraud_cases": {k: len(vs) for k, vs in frauds.items()},
        "document_same_rate": documents["same"] / documents["same_total"],
        "wrong_page_detected": sum(d == "different" for d in wrong_page),
        "wrong_page_cases": len(wrong_page),
        "seconds_median": statistics.median(seconds),
        "seconds_p95": percentile(seconds, 0.95),
        "applications": len(seconds),
        "mrz_read_seconds_median": statistics.median(mrz_seconds),
        "mrz_read_seconds_p95": percentile(mrz_seconds, 0.95),
        "cpu_seconds_median": statistics.median(cpu_seconds),
        "mrz_read_cpu_seconds_median": statistics.median(mrz_cpu_seconds),
        "seconds_ratio_median": statistics.median(
            a / b for a, b in zip(seconds, mrz_seconds, strict=True)
        ),
    }


def duplicate_lookup(count: int, lookups: int = 50) -> dict:
    """Stores `count` faces in a scratch test database and times the lookup of new faces."""
    from django.db import connection

    from identity import duplicates
    from identity.models import FaceDuplicate, FaceEmbedding, FaceMatch
    from tests.factories import DocumentFactory, UserFactory, VerificationFactory
    from verification.models import Verification

    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        rng = np.random.default_rng(7)
        applications = [VerificationFactory(user=UserFactory()) for _ in range(200)]
        side = int(np.ceil(np.sqrt(count / 2)))
        portraits = [DocumentFactory(verification=applications[0]) for _ in range(side)]
        holdings = [
            DocumentFactory(verification=applications[0], kind="holding_photo") for _ in range(side)
        ]
        started = time.perf_counter()
        matches = FaceMatch.objects.bulk_create(
            FaceMatch(
                verification=applications[i % len(applications)],
                portrait_document=p,
                holding_document=h,
                state=FaceMatch.State.DONE,
            )
            for i, (p, h) in enumerate(itertools.islice(itertools.product(portraits, holdings),
                                                        (count + 1) // 2))
        )  # fmt: skip
        vectors = rng.normal(0, 1, (len(matches) * 2, 128)).astype(np.float32)
        vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
        rows = []
        for index, match in enumerate(matches):
            for offset, kind in enumerate(("person", "portrait")):
                rows.append(
                    FaceEmbedding(
                        face_match=match,
                        verification_id=match.verification_id,
                        kind=kind,
                        vector=duplicates.encode(vectors[2 * index + offset]),
                    )
                )
        FaceEmbedding.objects.bulk_create(rows[:count], batch_size=2000)
        stored_seconds = time.perf_counter() - started

        index = duplicates.FaceIndex()
        started = time.perf_counter()
        index.refresh()
        load_seconds = time.perf_counter() - started
        duplicates._index = index

        newcomer = VerificationFactory(user=UserFactory())
        timings, matrix_timings, found = [], [], 0
        for probe in range(lookups):
            target = vectors[rng.integers(0, count)]
            # A new photo of a stored face: distance about 0.35 from it.
            noise = rng.normal(0, 1, 128).astype(np.float32)
            noise *= 0.35 / np.linalg.norm(noise)
            match = FaceMatch(verification=newcomer, pk=matches[probe].pk)
            started = time.perf_counter()
            index.nearest(target + noise)
            matrix_timings.append(time.perf_counter() - started)
            started = time.perf_counter()
            hits = duplicates.find_duplicates(match, "person", target + noise)
            timings.append(time.perf_counter() - started)
            found += bool(hits)
        FaceDuplicate.objects.all().delete()
        return {
            "faces": FaceEmbedding.objects.count(),
            "applications": Verification.objects.count(),
            "store_seconds": round(stored_seconds, 1),
            "index_load_seconds": round(load_seconds, 2),
            "lookup_ms_median": round(statistics.median(timings) * 1000, 1),
            "lookup_ms_p95": round(percentile(timings, 0.95) * 1000, 1),
            "matrix_product_ms_median": round(statistics.median(matrix_timings) * 1000, 1),
            "planted_duplicates_found": f"{found}/{lookups}",
            "index_megabytes": round(index.matrix.nbytes / 1e6, 1),
            "database": connection.vendor,
        }
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--faces", type=int, default=100_000)
    parser.add_argument("--skip-lookup", action="store_true")
    parser.add_argument("--skip-pairs", action="store_true")
    parser.add_argument("--pairs", type=int, default=None, help="only the first N photo pairs")
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kyc_portal.settings")
    sys.path.insert(0, os.getcwd())
    django.setup()
    report = {}
    if not args.skip_pairs:
        report["pairs"] = face_pairs(args.pairs)
    if not args.skip_lookup:
        report["lookup"] = duplicate_lookup(args.faces)
    print(json.dumps(report, indent=1, default=str))


if __name__ == "__main__":
    main()
