"""The API benchmark's data, made inside Django (run by run.py in a subprocess).

python -m benchmarks.api.prepare applicants --count 100000     # prints JSON: key, references
python -m benchmarks.api.prepare events --count 300 --url URL  # prints JSON: secret, started
python -m benchmarks.api.prepare delivered --since ISO         # prints JSON: counts, last time
"""

import argparse
import datetime
import json
import os
import random

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kyc_portal.settings")

import django  # noqa: E402

django.setup()

from django.contrib.auth.hashers import make_password  # noqa: E402
from django.db import transaction  # noqa: E402
from django.db.models import Max  # noqa: E402
from django.utils import timezone  # noqa: E402

from accounts.models import User  # noqa: E402
from api import services  # noqa: E402
from api.models import ClientCustomer, WebhookDelivery  # noqa: E402
from verification.models import Status, StatusChange, Verification  # noqa: E402
from verification.status import change_status  # noqa: E402

UNUSABLE_PASSWORD = make_password(None)  # nobody signs in as these applicants
STATUSES = [Status.PROVIDED, Status.UNDER_REVIEW, Status.PASSED, Status.REJECTED, Status.DRAFT]


def applicants(count: int, batch: int = 5000) -> dict:
    """`count` customers of one shop, each with an application in a spread of statuses."""
    client, key = services.create_client("Benchmark shop")
    now = timezone.now()
    rng = random.Random(7)
    for start in range(0, count, batch):
        with transaction.atomic():
            users = User.objects.bulk_create(
                [
                    User(email=f"api-bench-{n}@example.com", password=UNUSABLE_PASSWORD)
                    for n in range(start, min(start + batch, count))
                ]
            )
            Verification.objects.bulk_create(
                [
                    Verification(
                        user=user,
                        status=(status := rng.choice(STATUSES)),
                        account_type="individual",
                        nationality="GB",
                        document_type="passport",
                        submitted_at=None if status == Status.DRAFT else now,
                        sla_due_at=now + datetime.timedelta(days=1),
                        decided_at=now if status in (Status.PASSED, Status.REJECTED) else None,
                        valid_until=(now + datetime.timedelta(days=700)).date()
                        if status == Status.PASSED
                        else None,
                    )
                    for user in users
                ]
            )
            ClientCustomer.objects.bulk_create(
                [
                    ClientCustomer(client=client, user=user, reference=f"R{user.pk}")
                    for user in users
                ]
            )
    references = list(
        ClientCustomer.objects.filter(client=client).values_list("reference", flat=True)
    )
    return {"key": key, "references": references}


def events(count: int, url: str) -> dict:
    """`count` applicants of a new shop move Provided -> Under review, each in its own
    transaction (one event and one delivery each), with an endpoint at `url`."""
    client, _key = services.create_client(f"Webhook benchmark {timezone.now():%H%M%S%f}")
    _endpoint, secret = services.add_endpoint(client, url)
    users = User.objects.bulk_create(
        [
            User(email=f"hook-{client.pk}-{n}@example.com", password=UNUSABLE_PASSWORD)
            for n in range(count)
        ]
    )
    ClientCustomer.objects.bulk_create(
        [ClientCustomer(client=client, user=u, reference=f"H{u.pk}") for u in users]
    )
    drafts = Verification.objects.bulk_create(
        [Verification(user=u, status=Status.PROVIDED, submitted_at=timezone.now()) for u in users]
    )
    StatusChange.objects.bulk_create(
        [StatusChange(verification=v, old=Status.DRAFT, new=Status.PROVIDED) for v in drafts]
    )
    started = timezone.now()
    for verification in drafts:
        change_status(verification.pk, Status.UNDER_REVIEW)
    return {"secret": secret, "client": client.pk, "started": started.isoformat()}


def delivered(client_id: int) -> dict:
    deliveries = WebhookDelivery.objects.filter(event__client_id=client_id)
    done = deliveries.filter(state=WebhookDelivery.State.DELIVERED)
    last = done.aggregate(last=Max("delivered_at"))["last"]
    return {
        "total": deliveries.count(),
        "delivered": done.count(),
        "last": last.isoformat() if last else None,
        "attempts": sum(deliveries.values_list("attempts", flat=True)),
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("what", choices=["applicants", "events", "delivered"])
    parser.add_argument("--count", type=int, default=100_000)
    parser.add_argument("--url", default="")
    parser.add_argument("--client", type=int, default=0)
    args = parser.parse_args()
    if args.what == "applicants":
        print(json.dumps(applicants(args.count)))
    elif args.what == "events":
        print(json.dumps(events(args.count, args.url)))
    else:
        print(json.dumps(delivered(args.client)))


if __name__ == "__main__":
    main()
