"""Documents in an S3-compatible bucket (moto's server on loopback): private and encrypted."""

import urllib.error
import urllib.request

import boto3
import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import storages

from kyc_portal.storage import EncryptedS3Storage, NoPublicURL
from tests.factories import DocumentFactory, png_bytes

pytestmark = pytest.mark.django_db


@pytest.fixture
def bucket(s3_server, settings, monkeypatch):
    """A fresh private bucket, and the project's S3 settings pointing at it."""
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "test-access")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "test-secret")
    client = boto3.client("s3", endpoint_url=s3_server, region_name="us-east-1")
    name = f"kyc-documents-{id(settings)}"
    client.create_bucket(Bucket=name, ACL="private")
    storage = {
        "BACKEND": "kyc_portal.storage.EncryptedS3Storage",
        "OPTIONS": {
            "bucket_name": name,
            "endpoint_url": s3_server,
            "region_name": "us-east-1",
            "default_acl": "private",
            "querystring_auth": True,
            "querystring_expire": 60,
            "file_overwrite": False,
        },
    }
    settings.STORAGES = {**settings.STORAGES, "default": storage, "documents": storage}
    yield client, name
    for item in client.list_objects_v2(Bucket=name).get("Contents", []):
        client.delete_object(Bucket=name, Key=item["Key"])
    client.delete_bucket(Bucket=name)


def test_settings_use_the_encrypted_s3_storage_when_a_bucket_is_named():
    import subprocess
    import sys

    code = (
        "import django;django.setup();from django.conf import settings as s;"
        "o=s.STORAGES['documents'];print(o['BACKEND'],o['OPTIONS']['default_acl'],"
        "o['OPTIONS']['querystring_expire'])"
    )
    env = {
        "PATH": "/usr/bin:/bin",
        "DJANGO_SETTINGS_MODULE": "kyc_portal.settings",
        "AWS_STORAGE_BUCKET_NAME": "kyc-documents",
        "DEBUG": "true",
    }
    import os

    env["KYC_VAR_DIR"] = os.environ.get("KYC_VAR_DIR", "") or os.path.join(
        os.path.dirname(__file__), "..", "..", "var"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    ).stdout.split()
    assert out == ["kyc_portal.storage.EncryptedS3Storage", "private", "60"]


def test_document_round_trips_through_the_bucket_encrypted(bucket):
    client, name = bucket
    image = png_bytes(640, 480)
    document = DocumentFactory(file=ContentFile(image, name="passport.png"))
    assert isinstance(storages["documents"], EncryptedS3Storage)

    stored = client.get_object(Bucket=name, Key=document.file.name)["Body"].read()
    assert image not in stored and stored.startswith(b"gAAAAA")

    document.refresh_from_db()
    with document.file.open("rb") as opened:
        assert opened.read() == image
    assert document.file.size == len(image)


def test_objects_are_private_and_have_no_url(bucket, s3_server):
    client, name = bucket
    document = DocumentFactory()
    acl = client.get_object_acl(Bucket=name, Key=document.file.name)
    grantees = [grant["Grantee"] for grant in acl["Grants"]]
    assert all(grantee.get("Type") == "CanonicalUser" for grantee in grantees)
    assert not any("AllUsers" in grantee.get("URI", "") for grantee in grantees)
    with pytest.raises(NoPublicURL):
        document.file.url  # noqa: B018
    # Even a signed URL, if one leaked, hands out only ciphertext.
    signed = client.generate_presigned_url(
        "get_object", Params={"Bucket": name, "Key": document.file.name}, ExpiresIn=60
    )
    with urllib.request.urlopen(signed, timeout=5) as response:  # noqa: S310
        assert response.read().startswith(b"gAAAAA")


def test_retention_and_rotation_work_on_the_bucket(
    bucket, settings, django_capture_on_commit_callbacks
):
    import datetime
    import io

    from cryptography.fernet import Fernet
    from django.core.management import call_command
    from django.utils import timezone

    from privacy import retention

    client, name = bucket
    image = png_bytes(300, 300)
    kept = DocumentFactory(file=ContentFile(image, name="k.png"))
    expired = DocumentFactory(
        verification__status="passed",
        verification__decided_at=timezone.now() - datetime.timedelta(days=400),
    )
    before = client.get_object(Bucket=name, Key=kept.file.name)["Body"].read()

    settings.FIELD_ENCRYPTION_KEYS = [
        Fernet.generate_key().decode(),
        *settings.FIELD_ENCRYPTION_KEYS,
    ]
    call_command("rotate_encryption_keys", stdout=io.StringIO())
    after = client.get_object(Bucket=name, Key=kept.file.name)["Body"].read()
    assert after != before
    settings.FIELD_ENCRYPTION_KEYS = settings.FIELD_ENCRYPTION_KEYS[:1]
    kept.refresh_from_db()
    assert kept.file.open("rb").read() == image

    expired_key = expired.file.name
    with django_capture_on_commit_callbacks(execute=True):
        assert retention.purge_expired_document_images() == 1
    keys = [item["Key"] for item in client.list_objects_v2(Bucket=name).get("Contents", [])]
    assert expired_key not in keys and kept.file.name in keys


def test_health_check_reaches_the_bucket(bucket, client):
    response = client.get("/healthz")
    assert response.json()["checks"]["storage"] == "ok"
