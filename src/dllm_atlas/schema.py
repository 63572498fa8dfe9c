"""JSON Schema of entry files, derived from the pydantic models and the taxonomy.

``dllm-atlas schema -o schema/entry.schema.json`` regenerates the committed copy; a test keeps it in
sync. Entry files point editors at it with a first-line comment::

    # yaml-language-server: $schema=../../schema/entry.schema.json

What editors and ``check-jsonschema`` get from it, beyond pydantic's own schema:

* ``kind`` is checked first (an enum) and selects the kind's definition with ``if``/``then``, so a
  mistake is reported at its own field, not as "no ``oneOf`` branch matched" at ``kind``;
* ``topics`` is an enum of the taxonomy's slugs;
* every link is a ``uri`` with an ``http(s)://`` pattern.
"""

from __future__ import annotations

from typing import Any

from jinja2 import Environment
from pydantic import TypeAdapter

from .models import ENTRY_CLASSES, Entry, Links, Paper, Relations, Taxonomy

SCHEMA_ID = "https://dllm-atlas.github.io/schema/entry.schema.json"


URL_PATTERN = "^https?://"


def entry_schema(taxonomy: Taxonomy | None = None) -> dict[str, Any]:
    """The schema of an entry file; with the taxonomy, ``topics`` lists its slugs."""
    generated = TypeAdapter(Entry).json_schema()
    definitions: dict[str, Any] = generated["$defs"]
    for name in Links.model_fields:
        definitions["Links"]["properties"][name]["anyOf"][0].update(format="uri", pattern=URL_PATTERN)
    if taxonomy is not None:
        slugs = sorted(taxonomy.topics())
        for kind_class in ENTRY_CLASSES.values():
            definitions[kind_class.__name__]["properties"]["topics"]["items"]["enum"] = slugs
    kinds = list(ENTRY_CLASSES)
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": SCHEMA_ID,
        "title": "dllm-atlas catalog entry",
        "type": "object",
        "required": ["kind"],
        "properties": {"kind": {"enum": kinds, "description": "The kind of resource; it selects the fields below."}},
        "allOf": [
            {
                "if": {"properties": {"kind": {"const": kind}}, "required": ["kind"]},
                "then": {"$ref": f"#/$defs/{ENTRY_CLASSES[kind].__name__}"},
            }
            for kind in kinds
        ],
        "$defs": definitions,
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
