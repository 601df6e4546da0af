"""OpenAPI post-processing: document the ``API-Version`` header and every problem+json error.

Each operation lists the errors it can answer (400 for bodies and query parameters, 401, 403,
404 for one resource, 406, 415 for bodies, 500) with the Problem schema, plus ``default``.
"""

from __future__ import annotations

from django.conf import settings

PROBLEM_SCHEMA = {
    "type": "object",
    "description": "Foutbericht volgens RFC 9457 (application/problem+json).",
    "properties": {
        "type": {"type": "string"},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "detail": {"type": "string"},
        "instance": {"type": "string"},
        "code": {
            "type": "string",
            "description": "Stabiele foutcode (bijv. hefboom_ongeldig, gebied_onbekend, "
            "not_found, intern); de tekst in detail kan veranderen.",
        },
        "invalidParams": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    "name": {"type": "string", "description": "Het veld, bijv. levers.0.dosis."},
                    "code": {
                        "type": "string",
                        "description": "Stabiele code van de fout in dit veld (bijv. required, "
                        "dosis_buiten_bereik); de tekst in reason kan veranderen.",
                    },
                    "reason": {"type": "string", "description": "Waarom, in het Nederlands."},
                },
                "required": ["name", "code", "reason"],
            },
        },
    },
    "required": ["title", "status", "detail", "code"],
}

ERRORS = {
    "400": "Ongeldige invoer (invalidParams noemt elk veld met de reden)",
    "401": "Niet ingelogd, of de API-sleutel is onbekend, verlopen of ingetrokken",
    "403": "Geen rechten voor deze handeling in deze gemeente",
    "404": "Bestaat niet (of niet voor u)",
    "406": "Antwoordformaat niet beschikbaar (alleen application/json)",
    "415": "Mediatype van de inhoud niet ondersteund (alleen application/json)",
    "500": "Serverfout (zonder interne details; de beheerder heeft het logboek)",
    "503": "Het rekenmodel is in deze installatie niet beschikbaar",
}
WRITES = {"post", "put", "patch"}


def add_api_version_header(result, generator, request, public):
    components = result.setdefault("components", {})
    components.setdefault("headers", {})["API-Version"] = {
        "description": "De volledige versie van de API.",
        "schema": {"type": "string", "example": settings.API_VERSION},
    }
    components.setdefault("schemas", {})["Problem"] = PROBLEM_SCHEMA
    problem_ref = {"$ref": "#/components/schemas/Problem"}
    version = {"API-Version": {"$ref": "#/components/headers/API-Version"}}

    def error(description: str) -> dict:
        return {
            "description": description,
            "headers": dict(version),
            "content": {"application/problem+json": {"schema": problem_ref}},
        }

    public_paths = ("/openapi.json", "/reeksen")  # relative to the server URL, /api/v1
    for path, path_item in result.get("paths", {}).items():
        for method, operation in path_item.items():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            responses = operation["responses"]
            wanted = {"401", "403", "406", "500"}
            if method in WRITES or operation.get("parameters"):
                wanted.add("400")
            if method in WRITES:
                wanted.add("415")
            if "{" in path or method in WRITES:
                wanted.add("404")
            if method == "post" and path.endswith("/doorrekeningen"):
                wanted.add("503")
            if path.startswith(public_paths):
                wanted -= {"401", "403"}
            for status in sorted(wanted):
                responses.setdefault(status, error(ERRORS[status]))
            responses.setdefault("default", error("Fout"))
            for response in responses.values():
                response.setdefault("headers", {}).update(version)
    return result
