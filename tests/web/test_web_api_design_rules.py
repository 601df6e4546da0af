"""The API against the core rules of the Dutch API Design Rules (Logius, ADR 2.x).

Each test is one rule, named by its ADR id (https://gitdocumentatie.logius.nl/publicatie/api/adr/).
They read the description as the server serves it (real settings, Django's test client) and,
where a rule is about behaviour, send the requests that show it. No npm package carries the
official Spectral ruleset (it is published on developer.overheid.nl only, which the build may
not fetch), so the rules of that ruleset that apply are encoded here.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys

import pytest
from rest_framework.authtoken.models import Token

BASE = "/api/v1"
METHODS = {"get", "post", "put", "patch", "delete"}
SEMVER = re.compile(r"(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(-[0-9A-Za-z.-]+)?")
KEBAB = re.compile(r"[a-z][a-z0-9]*(-[a-z0-9]+)*")


@pytest.fixture
def described(client, db):
    response = client.get(f"{BASE}/openapi.json")
    assert response.status_code == 200
    return response, response.json()


def operations(doc):
    for path, item in doc["paths"].items():
        for method, operation in item.items():
            if method in METHODS:
                yield path, method, operation


def segments(path: str) -> list[str]:
    return [s for s in path.split("/") if s]


def is_param(segment: str) -> bool:
    return segment.startswith("{") and segment.endswith("}")


def resource_paths(doc):
    return [p for p in doc["paths"] if p != "/openapi.json"]


@pytest.fixture
def token_client(client, users, workspace):
    token, _ = Token.objects.get_or_create(user=users["adviseur"])
    client.defaults["HTTP_AUTHORIZATION"] = f"Token {token.key}"
    return client


# -- documentation ------------------------------------------------------------------------
def test_core_doc_openapi(described):
    """/core/doc-openapi: an OpenAPI 3 description, as JSON, with title, version, text."""
    response, doc = described
    assert response["Content-Type"].split(";")[0] == "application/json"
    assert re.fullmatch(r"3\.\d+\.\d+", doc["openapi"])
    assert doc["info"]["title"] and doc["info"]["description"] and doc["info"]["version"]
    for path, method, operation in operations(doc):
        assert operation.get("summary") or operation.get("description"), (method, path)


def test_core_publish_openapi(client, described):
    """/core/publish-openapi: at <base URL>/openapi.json, public, readable by browser tools."""
    response, doc = described
    assert "Authorization" not in response.wsgi_request.headers  # no key was needed
    assert response["Access-Control-Allow-Origin"] == "*"
    assert doc["servers"][0]["url"] + "/openapi.json" == f"{BASE}/openapi.json"
    assert doc["paths"]["/openapi.json"]["get"]["security"] == [{}]
    # only the description is cross-origin, not the data
    assert "Access-Control-Allow-Origin" not in client.get(f"{BASE}/reeksen")


def test_core_doc_openapi_contact(described):
    """/core/doc-openapi-contact: who to contact (name and address; an e-mail address where
    the installation sets JEUGDSTELSEL_API_CONTACT_EMAIL)."""
    contact = described[1]["info"]["contact"]
    assert contact["name"] and contact["url"].startswith("https://")


def test_core_doc_openapi_contact_email_from_the_installation():
    code = ("import django; django.setup(); from django.conf import settings; "
            "print(settings.SPECTACULAR_SETTINGS['CONTACT'].get('email', ''))")
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "jeugdstelsel.web.settings",
           "JEUGDSTELSEL_API_CONTACT_EMAIL": "jeugd@gemeente.example"}
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True,
                         check=True).stdout
    assert out.strip() == "jeugd@gemeente.example"


# -- versions -----------------------------------------------------------------------------
def test_core_uri_version(described):
    """/core/uri-version: the base URL has the major version, and only the major version."""
    doc = described[1]
    major = doc["info"]["version"].split(".")[0]
    assert [s["url"] for s in doc["servers"]] == [f"/api/v{major}"]
    for path in doc["paths"]:
        assert not re.search(r"/v\d", path), path  # no second version in the paths


def test_core_semver(described):
    """/core/semver: the version is semantic (major.minor.patch), the same in the header."""
    response, doc = described
    assert SEMVER.fullmatch(doc["info"]["version"])
    assert response["API-Version"] == doc["info"]["version"]


def test_core_version_header(described, token_client):
    """/core/version-header: every response has API-Version, documented on every response."""
    doc = described[1]
    assert doc["components"]["headers"]["API-Version"]["schema"]["type"] == "string"
    for path, method, operation in operations(doc):
        for status, response in operation["responses"].items():
            assert "API-Version" in response.get("headers", {}), (method, path, status)
    version = doc["info"]["version"]
    for method, path, expected in (
        ("get", "/doelen", 200),
        ("get", "/doelen/999999", 404),
        ("post", "/doelen", 400),
        ("delete", "/reeksen", 405),
        ("get", "/bestaat-niet", 404),
    ):
        response = getattr(token_client, method)(f"{BASE}{path}", content_type="application/json")
        assert response.status_code == expected, (method, path, response.content)
        assert response["API-Version"] == version, (method, path)


# -- paths and methods ----------------------------------------------------------------------
def test_core_no_trailing_slash(described, token_client):
    """/core/no-trailing-slash: no path ends in a slash; with one it does not exist."""
    doc = described[1]
    assert all(not p.endswith("/") for p in doc["paths"])
    assert token_client.get(f"{BASE}/doelen").status_code == 200
    assert token_client.get(f"{BASE}/doelen/").status_code == 404


def test_core_http_methods(described):
    """/core/http-methods: only the standard methods, each for its purpose: POST creates in a
    collection (or starts a task under an item), PUT/PATCH/DELETE act on one item."""
    doc = described[1]
    for path, item in doc["paths"].items():
        assert set(item) - {"parameters"} <= METHODS, path
        last = segments(path)[-1]
        for method in item:
            if method in ("put", "patch", "delete"):
                assert is_param(last), (method, path)
            if method == "post":
                assert not is_param(last), (method, path)


def test_core_http_safety(described):
    """/core/http-safety: GET and DELETE take no request body."""
    for path, method, operation in operations(described[1]):
        if method in ("get", "delete"):
            assert "requestBody" not in operation, (method, path)


def test_core_naming_resources(described):
    """/core/naming-resources: resources are nouns in lower-case kebab-case, in Dutch plural
    (collections end in -en or -s: gemeenten, doelen, scenarios, reeksen)."""
    for path in resource_paths(described[1]):
        for segment in segments(path):
            if not is_param(segment):
                assert KEBAB.fullmatch(segment), path
                assert segment.endswith(("en", "s")), path


def test_core_naming_collections(described):
    """/core/naming-collections: a collection, optionally one of its items by identifier, and
    at most one nested collection under an item (/core/nested-child)."""
    for path in resource_paths(described[1]):
        parts = segments(path)
        assert 1 <= len(parts) <= 4, path
        for i, segment in enumerate(parts):
            assert is_param(segment) == (i % 2 == 1), path  # collection, {id}, collection, {id}


def test_core_hide_implementation(described):
    """/core/hide-implementation: no file extensions or technology in the resource paths."""
    for path in resource_paths(described[1]):
        assert "." not in path and not re.search(r"(php|cgi|django|drf|rest)", path), path


# -- bodies and errors ----------------------------------------------------------------------
def test_request_bodies_are_json_only(described, token_client):
    """Request bodies are advertised and accepted as application/json only (others: 415)."""
    for path, method, operation in operations(described[1]):
        if "requestBody" in operation:
            assert set(operation["requestBody"]["content"]) == {"application/json"}, (method,
                                                                                       path)
    response = token_client.post(f"{BASE}/vraagstukken", data="titel=x",
                                 content_type="application/x-www-form-urlencoded")
    assert response.status_code == 415
    assert response["Content-Type"] == "application/problem+json"


def test_core_problem_details(described, token_client):
    """/core/problem-details (ADR 2.1 /core/error-handling/problem-details): every error is
    documented and served as application/problem+json (RFC 9457) with title and status."""
    doc = described[1]
    problem = doc["components"]["schemas"]["Problem"]
    assert {"title", "status", "detail"} <= set(problem["required"])
    for path, method, operation in operations(doc):
        responses = operation["responses"]
        assert "default" in responses, (method, path)
        for status, response in responses.items():
            if status == "default" or status[0] in "45":
                assert list(response["content"]) == ["application/problem+json"], (method,
                                                                                   path)
                assert response["content"]["application/problem+json"]["schema"] == {
                    "$ref": "#/components/schemas/Problem"
                }
    for path, expected in (("/doelen/999999", 404), ("/doelen?page=x", 400),
                           ("/bestaat-niet", 404)):
        response = token_client.get(f"{BASE}{path}")
        assert response.status_code == expected, path
        assert response["Content-Type"] == "application/problem+json", path
        body = response.json()
        assert body["status"] == expected and body["title"] and body["detail"], path


def test_core_transport_tls():
    """/core/transport/tls: a production installation (DJANGO_SECURE=1) sends every request to
    HTTPS and asks browsers to keep to it (HSTS, a year); the server URL is relative, so the
    description points at the HTTPS address it was read from."""
    code = ("import django, json; django.setup(); from django.conf import settings as s; "
            "print(json.dumps([s.SECURE_SSL_REDIRECT, s.SECURE_HSTS_SECONDS, "
            "s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, "
            "s.SPECTACULAR_SETTINGS['SERVERS'][0]['url']]))")
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "jeugdstelsel.web.settings",
           "DJANGO_SECURE": "1", "DJANGO_DEBUG": "0"}
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True,
                         check=True).stdout
    redirect, hsts, session_secure, csrf_secure, server = json.loads(out)
    assert redirect is True and hsts >= 31_536_000 and session_secure and csrf_secure
    assert server.startswith("/")
