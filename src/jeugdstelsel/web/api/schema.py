"""OpenAPI post-processing: document the ``API-Version`` header and problem+json errors."""

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
        "code": {"type": "string"},
        "invalidParams": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    "name": {"type": "string"},
                    "code": {"type": "string"},
                    "reason": {"type": "string"},
                },
            },
        },
    },
    "required": ["title", "status"],
}


def add_api_version_header(result, generator, request, public):
    components = result.setdefault("components", {})
    components.setdefault("headers", {})["API-Version"] = {
        "description": "De volledige versie van de API.",
        "schema": {"type": "string", "example": settings.API_VERSION},
    }
    components.setdefault("schemas", {})["Problem"] = PROBLEM_SCHEMA
    problem_ref = {"$ref": "#/components/schemas/Problem"}
    for path_item in result.get("paths", {}).values():
        for operation in path_item.values():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            for response in operation["responses"].values():
                response.setdefault("headers", {})["API-Version"] = {
                    "$ref": "#/components/headers/API-Version"
                }
            operation["responses"].setdefault(
                "default",
                {
                    "description": "Fout",
                    "headers": {"API-Version": {"$ref": "#/components/headers/API-Version"}},
                    "content": {"application/problem+json": {"schema": problem_ref}},
                },
            )
    return result
