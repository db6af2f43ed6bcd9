"""CPU time of one API status lookup inside one process, and where it goes.

Calls the portal's WSGI application directly (no HTTP server, no load generator), DEBUG off,
so what is measured is Django, DRF and the database and Redis clients of one request. Needs a
database made by run.py (it leaves its 100,000 applicants behind) or by
`benchmarks.api.prepare applicants`; a key of the benchmark's shop is made here.

    .venv/bin/python -m benchmarks.api.profile --requests 2000              # CPU ms per lookup
    .venv/bin/python -m benchmarks.api.profile --requests 500 --cprofile 30  # and the top 30
"""

import argparse
import cProfile
import io
import os
import pstats
import random
import sys
import time

from benchmarks.production import production_env


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--cprofile", type=int, default=0, help="print the top N functions")
    parser.add_argument(
        "--database-url", default="postgres://postgres@127.0.0.1:5432/kyc_api_bench"
    )
    parser.add_argument("--cache-url", default="redis://127.0.0.1:6379/9")
    args = parser.parse_args()

    os.environ.update(
        production_env(
            "api-profile",
            database_url=args.database_url,
            cache_url=args.cache_url,
            API_RATE_LIMIT="1000000/m/key",
        )
    )
    import django

    django.setup()
    from django.core.wsgi import get_wsgi_application
    from django.db import connection

    from api import services
    from api.models import ApiClient, ClientCustomer

    client = ApiClient.objects.filter(name="Benchmark shop").first()
    if client is None:
        sys.exit("No benchmark shop in this database: run benchmarks.api.run or prepare first.")
    _api_key, key = services.create_key(client, name="profile")
    references = list(
        ClientCustomer.objects.filter(client=client).values_list("reference", flat=True)[:20000]
    )
    rng = random.Random(5)
    application = get_wsgi_application()
    statuses = {}

    def lookup(reference):
        environ = {
            "REQUEST_METHOD": "GET",
            "PATH_INFO": f"/api/v1/applicants/{reference}",
            "QUERY_STRING": "",
            "SERVER_NAME": "127.0.0.1",
            "SERVER_PORT": "80",
            "HTTP_HOST": "127.0.0.1",
            "HTTP_AUTHORIZATION": f"Api-Key {key}",
            "HTTP_ACCEPT": "application/json",
            "wsgi.url_scheme": "http",
            "wsgi.input": io.BytesIO(),
            "wsgi.errors": sys.stderr,
        }

        def start_response(status, headers):
            statuses[status] = statuses.get(status, 0) + 1

        response = application(environ, start_response)
        b"".join(response)
        response.close()  # as the server does: request_finished, the connection's upkeep

    for reference in rng.sample(references, 50):  # warm up: imports, connection, URL resolver
        lookup(reference)
    counted = []

    def count(execute, sql, params, many, context):
        counted.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(count):
        for reference in rng.sample(references, 20):
            lookup(reference)
    sample = [rng.choice(references) for _ in range(args.requests)]
    statuses.clear()
    # Timed by CPU, not by the clock: waiting for PostgreSQL or for the machine is not counted.
    profiler = cProfile.Profile(time.process_time) if args.cprofile else None
    cpu, wall = time.process_time(), time.perf_counter()
    if profiler:
        profiler.enable()
    for reference in sample:
        lookup(reference)
    if profiler:
        profiler.disable()
    cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    print(
        f"{args.requests} lookups: {cpu * 1000 / args.requests:.2f} ms CPU and "
        f"{wall * 1000 / args.requests:.2f} ms wall each (this process only)"
        + (" under cProfile" if profiler else "")
    )
    print(f"statuses: {statuses}")
    print(f"queries: {len(counted) / 20:.2f} per lookup (not counting health checks); the last:")
    for sql in counted[-round(len(counted) / 20) :] if counted else []:
        print("  ", sql[:240])
    if profiler:
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(args.cprofile)
        pstats.Stats(profiler).sort_stats("tottime").print_stats(args.cprofile)


if __name__ == "__main__":
    main()
