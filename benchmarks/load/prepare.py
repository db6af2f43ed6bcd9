"""The benchmark's data, made and checked inside Django (run by run.py in a subprocess).

python -m benchmarks.load.prepare setup --customers 50 --uploaders 330   # prints JSON
python -m benchmarks.load.prepare verify --since ISO-TIME                # prints JSON
"""

import argparse
import datetime
import json
import os
import sys
from importlib import import_module

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kyc_portal.settings")

import django  # noqa: E402

django.setup()

from allauth.account.models import EmailAddress  # noqa: E402
from django.conf import settings  # noqa: E402
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY  # noqa: E402
from django.db import transaction  # noqa: E402
from django.utils import timezone  # noqa: E402

from accounts.models import User  # noqa: E402
from kyc_portal.crypto import lookup_hash  # noqa: E402
from verification.models import Document, OcrResult, Status, StatusChange, Verification  # noqa: E402


def _session_for(user) -> str:
    store = import_module(settings.SESSION_ENGINE).SessionStore()
    store[SESSION_KEY] = str(user.pk)
    store[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[0]
    store[HASH_SESSION_KEY] = user.get_session_auth_hash()
    store.save()
    return store.session_key


def _user(label: str, n: int):
    user = User(email=f"load-{label}-{n}@example.com")
    user.set_unusable_password()
    user.save()
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    return user


@transaction.atomic
def setup(customers: int, uploaders: int) -> dict:
    """Browsing customers with an application under review; uploaders at wizard step 2."""
    today = datetime.date.today()
    browsing, uploading = [], []
    for n in range(customers):
        user = _user("browse", n)
        verification = Verification.objects.create(
            user=user,
            status=Status.UNDER_REVIEW,
            account_type="individual",
            nationality="GB",
            document_type="passport",
            surname="LOAD",
            given_names="TEST",
            sex="F",
            date_of_birth=datetime.date(1990, 1, 1),
            document_number=f"L{n:08d}",
            document_number_hash=lookup_hash(f"L{n:08d}"),
            expiry_date=today + datetime.timedelta(days=2000),
            submitted_at=timezone.now(),
        )
        StatusChange.objects.create(verification=verification, old="draft", new="provided")
        StatusChange.objects.create(verification=verification, old="provided", new="under_review")
        browsing.append(_session_for(user))
    for n in range(uploaders):
        user = _user("upload", n)
        Verification.objects.create(
            user=user, account_type="individual", nationality="GB", document_type="passport"
        )
        uploading.append(_session_for(user))
    return {"browsing": browsing, "uploading": uploading}


def verify() -> dict:
    """Uploads that reached the database and the storage, and how far OCR got."""
    documents = Document.objects.filter(verification__user__email__startswith="load-upload-")
    stored = sum(1 for d in documents.only("file") if d.file and d.file.storage.exists(d.file.name))
    states = {
        state: OcrResult.objects.filter(document__in=documents, state=state).count()
        for state in OcrResult.State.values
    }
    return {"documents": documents.count(), "stored_files": stored, "ocr": states}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("action", choices=["setup", "verify"])
    parser.add_argument("--customers", type=int, default=50)
    parser.add_argument("--uploaders", type=int, default=330)
    args = parser.parse_args()
    result = setup(args.customers, args.uploaders) if args.action == "setup" else verify()
    json.dump(result, sys.stdout)


if __name__ == "__main__":
    main()
