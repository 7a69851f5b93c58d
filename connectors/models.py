"""The base of every registry answer model: Python names in code, the registry's on the wire."""

from __future__ import annotations

from typing import TypeVar

import httpx
from pydantic import BaseModel, ConfigDict, ValidationError
from pydantic.alias_generators import to_camel

from connectors.errors import MalformedResponse
from connectors.http import json_body


class RegistryModel(BaseModel):
    """Fields are snake_case in Python and the registry's camelCase names in JSON
    (``teknisk_navn`` is ``tekniskNavn``). Unknown fields are ignored: registries
    add fields without notice."""

    model_config = ConfigDict(
        alias_generator=to_camel, populate_by_name=True, extra="ignore", frozen=True
    )


ModelT = TypeVar("ModelT", bound=RegistryModel)


def parse_model(registry: str, response: httpx.Response, model: type[ModelT]) -> ModelT:
    """Validate a successful answer; MalformedResponse names the failing fields, not values."""
    body = json_body(registry, response)
    try:
        return model.model_validate(body)
    except ValidationError as error:
        fields = sorted(
            {".".join(str(part) for part in e["loc"]) or "body" for e in error.errors()}
        )
        raise MalformedResponse(
            registry, f"the answer lacks or misshapes these fields: {', '.join(fields[:5])}"
        ) from None
