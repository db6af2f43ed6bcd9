"""The OpenAPI 3 schema and the browsable docs, served without a CDN."""

import re

import pytest

pytestmark = pytest.mark.django_db


def test_schema_describes_every_endpoint(client):
    response = client.get("/api/schema/", HTTP_ACCEPT="application/json")

    assert response.status_code == 200
    schema = response.json()
    assert schema["openapi"].startswith("3.")
    assert {"/api/v1/applicants/{reference}", "/api/v1/applicants", "/api/v1/events"} <= set(
        schema["paths"]
    )
    # How to authenticate is part of the contract: an Api-Key in the Authorization header.
    assert schema["components"]["securitySchemes"]["ApiKey"]["name"] == "Authorization"
    operations = [op["operationId"] for path in schema["paths"].values() for op in path.values()]
    assert len(operations) == len(set(operations))


def test_docs_load_their_scripts_from_our_static_files(client):
    page = client.get("/api/docs/")

    assert page.status_code == 200
    sources = re.findall(r'(?:src|href)="([^"]+)"', page.content.decode())
    assert any("drf_spectacular_sidecar" in source for source in sources)
    assert not [s for s in sources if s.startswith(("http:", "https:", "//"))]


def test_docs_need_no_inline_script_or_style(client):
    # The portal's Content-Security-Policy allows neither; an inline one would be blocked.
    html = client.get("/api/docs/").content.decode()

    assert "<style" not in html
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html)
