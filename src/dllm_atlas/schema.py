"""JSON Schema of entry files, derived from the pydantic models.

``dllm-atlas schema -o schema/entry.schema.json`` regenerates the committed copy; a test keeps it in
sync. Entry files point editors at it with a first-line comment::

    # yaml-language-server: $schema=../../schema/entry.schema.json
"""

from __future__ import annotations

from typing import Any

from jinja2 import Environment
from pydantic import TypeAdapter

from .models import ENTRY_CLASSES, Entry, Links, Paper, Relations, Taxonomy

SCHEMA_ID = "https://dllm-atlas.github.io/schema/entry.schema.json"


def entry_schema() -> dict[str, Any]:
    schema = TypeAdapter(Entry).json_schema()
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": SCHEMA_ID,
        "title": "dllm-atlas catalog entry",
        **schema,
    }


def issue_form(taxonomy: Taxonomy, env: Environment) -> str:
    """The "Suggest a resource" GitHub issue form, its fields and help taken from the models.

    ``dllm-atlas schema --issue-form .github/ISSUE_TEMPLATE/suggest-resource.yml`` regenerates it; a
    test keeps the committed copy in sync, so the form cannot drift from the schema or taxonomy.
    """
    fields = Paper.model_fields
    links = Links.model_fields
    relations = Relations.model_fields
    return env.get_template("issue_form.yml.j2").render(
        kinds=list(ENTRY_CLASSES),
        describe=lambda name: fields[name].description or "",
        links=[(name, info.description or "") for name, info in links.items()],
        relations=[(name, info.description or "") for name, info in relations.items()],
        topics=[(area, topic) for area in taxonomy.areas for topic in area.topics],
    )
