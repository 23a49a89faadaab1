"""The one route that parses its query string itself: GET /claims, the busiest, served without FastAPI's
per-request extraction of a query model.

Why: FastAPI reads a query model field by field and inspects every field's annotation again on each
request (ClaimFilter has 22 fields). That about doubled the CPU a page of claims costs the server and
took the load test's throughput against the bare-FastAPI ceiling under its 0.35 target; measured both
ways in one run, in docs/PERFORMANCE.md ("GET /claims: FastAPI's parsing or the fast path").

What stays FastAPI's: the route is declared as usual, `params: Annotated[Model, Query()]`; a second,
never-matched copy of it is what OpenAPI documents (FastAPI's own parameters and schema); the served
copy takes the same model from a dependency that validates the query string with the model itself and
raises FastAPI's RequestValidationError (so errors are rendered as every other 422); the route's other
dependencies (the read key check) are solved by FastAPI as for any route. tests/api/test_fast_query.py
holds the two parsers to the same results.
"""

from __future__ import annotations

import functools
import inspect
import typing
from collections.abc import Awaitable, Callable, Iterable
from typing import Annotated, Any, TypeVar, get_args, get_origin

from fastapi import APIRouter, Depends, Request, params
from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel, ValidationError

__all__ = ["fast_query_route", "model_from_pairs", "query_parser"]

Endpoint = TypeVar("Endpoint", bound=Callable[..., Awaitable[Any]])


Model = TypeVar("Model", bound=BaseModel)


@functools.cache
def _list_fields(model: type[BaseModel]) -> frozenset[str]:
    return frozenset(
        name for name, field in model.model_fields.items() if get_origin(field.annotation) is list
    )


def model_from_pairs(model: type[Model], pairs: Iterable[tuple[str, str]]) -> Model:
    """Query-string pairs as `model`: repeated parameters as lists where the model takes a list (else the
    last one, as FastAPI takes it), validation errors as FastAPI's, located in `query`. The explorer's
    pages read their filters with it too."""
    lists = _list_fields(model)
    data: dict[str, Any] = {}
    for name, value in pairs:
        if name in lists:
            data.setdefault(name, []).append(value)
        else:
            data[name] = value
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        errors = exc.errors(include_url=False)
        raise RequestValidationError([{**e, "loc": ("query", *e["loc"])} for e in errors]) from None


def query_parser(model: type[Model]) -> Callable[[Request], Awaitable[Model]]:
    """A dependency: the request's query string as `model` (model_from_pairs)."""

    async def parse(request: Request) -> Model:
        return model_from_pairs(model, request.query_params.multi_items())

    return parse


def _query_model(annotation: Any) -> type[BaseModel] | None:
    """The model of an `Annotated[Model, Query()]` annotation."""
    if get_origin(annotation) is not Annotated:
        return None
    model, *extras = get_args(annotation)
    is_query = any(isinstance(extra, params.Query) for extra in extras)
    return model if is_query and isinstance(model, type) and issubclass(model, BaseModel) else None


def fast_query_route(router: APIRouter, path: str, **route: Any) -> Callable[[Endpoint], Endpoint]:
    """`@router.get(path, **route)` for an endpoint with one `Annotated[Model, Query()]` parameter, served
    with that parameter parsed by `query_parser(Model)`; OpenAPI documents the endpoint as declared."""

    def register(endpoint: Endpoint) -> Endpoint:
        hints = typing.get_type_hints(endpoint, include_extras=True)
        signature = inspect.signature(endpoint)
        served_parameters = []
        parsed = 0
        for parameter in signature.parameters.values():
            annotation = hints.get(parameter.name, parameter.annotation)
            model = _query_model(annotation)
            if model is not None:
                annotation = Annotated[model, Depends(query_parser(model))]
                parsed += 1
            served_parameters.append(parameter.replace(annotation=annotation))
        if parsed != 1:
            raise TypeError(f"{endpoint.__name__} needs exactly one Annotated[Model, Query()] parameter")

        @functools.wraps(endpoint)
        async def served(*args: Any, **kwargs: Any) -> Any:
            return await endpoint(*args, **kwargs)

        served.__signature__ = signature.replace(  # type: ignore[attr-defined]
            parameters=served_parameters, return_annotation=hints.get("return", signature.return_annotation)
        )
        # Routes are matched in order: the served copy first; the documented one is never reached.
        router.get(path, include_in_schema=False, **route)(served)
        router.get(path, **route)(endpoint)
        return endpoint

    return register
