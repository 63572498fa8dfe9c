"""JSON Schema of entry files, derived from the pydantic models.

``dllm-atlas schema -o schema/entry.schema.json`` regenerates the committed copy; a test keeps it in
sync. Entry files point editors at it with a first-line comment::

    # yaml-language-server: $schema=../../schema/entry.schema.json
"""

from __future__ import annotations

from typing import Any

from pydantic import TypeAdapter

from .models import Entry

SCHEMA_ID = "https://dllm-atlas.github.io/schema/entry.schema.json"


def entry_schema() -> dict[str, Any]:
    schema = TypeAdapter(Entry).json_schema()
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": SCHEMA_ID,
        "title": "dllm-atlas catalog entry",
        **schema,
    }
