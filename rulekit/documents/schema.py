"""Validation and JSON Schema of the documents, with pydantic (imported here, lazily, only when
a document is validated or a schema generated: building documents never needs it)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from typing_extensions import is_typeddict

from rulekit import documents
from rulekit.documents import DOCUMENTS

if TYPE_CHECKING:
    from pydantic import TypeAdapter

SCHEMA_DIR = Path(__file__).resolve().parent.parent.parent / "docs" / "schema"


@cache
def _closed() -> None:
    """Every document type has exactly its declared keys: pydantic reads `extra` from each
    TypedDict's __pydantic_config__ (set here, so the types themselves stay pydantic-free)."""
    for value in vars(documents).values():
        if is_typeddict(value):
            value.__pydantic_config__ = {"extra": "forbid"}


@cache
def adapter(name: str) -> TypeAdapter[Any]:
    """The pydantic TypeAdapter of the document called `name` (a key of DOCUMENTS)."""
    from pydantic import TypeAdapter

    _closed()
    return TypeAdapter(DOCUMENTS[name])


def validate(name: str, document: Mapping[str, Any]) -> None:
    """Raise pydantic.ValidationError unless `document` is a valid `name` document. Keys the
    type does not declare are errors too (a document has exactly its declared keys)."""
    adapter(name).validate_python(document, strict=True)


def schema(name: str) -> dict[str, Any]:
    """The JSON Schema of the document called `name`."""
    out: dict[str, Any] = {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
    }
    out.update(adapter(name).json_schema())
    return out


def schema_texts() -> dict[str, str]:
    """File name → text of every schema file, as docs/schema/ should hold them."""
    return {
        f"{name}.schema.json": json.dumps(schema(name), ensure_ascii=False, indent=2) + "\n"
        for name in DOCUMENTS
    }


def write_schemas(directory: Path = SCHEMA_DIR) -> list[Path]:
    """Write every schema file into `directory`; returns the paths written."""
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for file_name, text in schema_texts().items():
        path = directory / file_name
        path.write_text(text, encoding="utf-8")
        written.append(path)
    return written
