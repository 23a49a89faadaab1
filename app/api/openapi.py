"""The OpenAPI document: schemas no route declares (bodies routes read themselves, problem details), and
validation errors documented as the problem bodies they are."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from pydantic import BaseModel

from app.api.problems import Problem, problem_responses

__all__ = ["document_models", "schema_ref"]


def schema_ref(name: str) -> dict[str, str]:
    """A reference to a schema `document_models` adds to the OpenAPI components."""
    return {"$ref": f"#/components/schemas/{name}"}


def document_models(api: FastAPI, **models: type[BaseModel]) -> None:
    """Add schemas that no route declares as a parameter (bodies a route reads itself, problem details) to
    the OpenAPI components once, under the names given, so each is one named type in generated clients
    rather than many copies."""
    build = api.openapi

    def openapi() -> dict[str, Any]:
        if api.openapi_schema is None:
            schemas = build().setdefault("components", {}).setdefault("schemas", {})
            documented: dict[str, type[BaseModel]] = {"Problem": Problem, **models}
            for name, model in documented.items():
                schema = model.model_json_schema(ref_template="#/components/schemas/{model}")
                schemas[name] = {**schema, "title": name}  # generated clients name the type by its title
            _problem_422s(api.openapi_schema or {})
        return api.openapi_schema  # type: ignore[return-value]

    api.openapi = openapi  # type: ignore[method-assign]


def _problem_422s(document: dict[str, Any]) -> None:
    """FastAPI documents its validation errors as `HTTPValidationError` JSON; this API answers them with a
    problem body (app.api.problems), so say that instead."""
    for item in document.get("paths", {}).values():
        for operation in item.values():
            response = operation.get("responses", {}).get("422") if isinstance(operation, dict) else None
            if response is not None:
                response.update(problem_responses(422)[422])
    schemas = document.get("components", {}).get("schemas", {})
    for name in ("HTTPValidationError", "ValidationError"):
        schemas.pop(name, None)
