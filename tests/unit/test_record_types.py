"""Each typed record class agrees with its JSON Schema: field names, required fields, types and enums."""

from __future__ import annotations

import json
import types
import typing
from typing import Any, Literal, NotRequired, get_args, get_origin, get_type_hints

import pytest
from typing_extensions import is_typeddict

from services import record_types
from services.records import RECORD_TYPES, SCHEMA_DIR, RecordType

_JSON_TYPES: dict[type, str] = {str: "string", int: "integer", float: "number", bool: "boolean"}


def _schema(rtype: RecordType[Any]) -> dict[str, Any]:
    return dict(json.loads((SCHEMA_DIR / f"{rtype.schema}.schema.json").read_text(encoding="utf-8")))


def _class(rtype: RecordType[Any]) -> Any:
    return getattr(record_types, rtype.name)


def _strip_not_required(hint: Any) -> Any:
    return get_args(hint)[0] if get_origin(hint) is NotRequired else hint


def _allowed(hint: Any) -> tuple[set[str], set[object] | None, Any]:
    """The JSON types a hint admits, its enum (None: any value) and its list item hint."""
    hint = _strip_not_required(hint)
    parts = get_args(hint) if get_origin(hint) in (typing.Union, types.UnionType) else (hint,)
    kinds: set[str] = set()
    enum: set[object] | None = set()
    item: Any = None
    for part in parts:
        if part is type(None):
            kinds.add("null")
            if enum is not None:
                enum.add(None)
        elif get_origin(part) is Literal:
            kinds.add("string")
            if enum is not None:
                enum.update(get_args(part))
        elif get_origin(part) is list:
            kinds.add("array")
            item = get_args(part)[0]
            enum = None
        elif get_origin(part) is dict or is_typeddict(part):
            kinds.add("object")
            enum = None
        else:
            kinds.add(_JSON_TYPES[part])
            enum = None
    return kinds, enum, item


def _schema_kinds(prop: dict[str, Any]) -> tuple[set[str] | None, set[object] | None]:
    kind = prop.get("type")
    kinds = {kind} if isinstance(kind, str) else set(kind) if kind else None
    enum = set(prop["enum"]) if "enum" in prop else None
    return kinds, enum


@pytest.mark.parametrize("rtype", RECORD_TYPES, ids=lambda rt: rt.name)
def test_fields_and_required_fields_match_the_schema(rtype: RecordType[Any]) -> None:
    """The class has the schema's properties, and its required keys are the schema's required ones."""
    schema, cls = _schema(rtype), _class(rtype)
    assert set(get_type_hints(cls)) == set(schema["properties"])
    assert set(cls.__required_keys__) == set(schema["required"])


@pytest.mark.parametrize("rtype", RECORD_TYPES, ids=lambda rt: rt.name)
def test_field_types_and_enums_match_the_schema(rtype: RecordType[Any]) -> None:
    """Each field admits the schema's JSON types, and a closed vocabulary is the schema's enum."""
    schema, cls = _schema(rtype), _class(rtype)
    hints = get_type_hints(cls, include_extras=True)
    for name, prop in schema["properties"].items():
        kinds, enum, item = _allowed(hints[name])
        want_kinds, want_enum = _schema_kinds(prop)
        if want_kinds is not None:
            if "number" in want_kinds:
                want_kinds = want_kinds | {"integer"}
                kinds = kinds | {"integer"}
            assert kinds == want_kinds, (rtype.name, name)
        if want_enum is not None:
            assert enum == want_enum, (rtype.name, name)
        if item is not None and "items" in prop:
            item_kinds, item_enum, _ = _allowed(item)
            want_item_kinds, want_item_enum = _schema_kinds(prop["items"])
            if want_item_kinds is not None:
                assert item_kinds == want_item_kinds, (rtype.name, name)
            if want_item_enum is not None:
                assert item_enum == want_item_enum, (rtype.name, name)


def test_the_record_type_constants_carry_their_classes() -> None:
    """Every record type names a class of services.record_types."""
    names = {rt.name for rt in RECORD_TYPES}
    classes = {n for n, v in vars(record_types).items() if isinstance(v, type) and is_typeddict(v)}
    assert names <= classes
    assert classes - names == {"DealView", "DealReport", "ExtractedEvent"}


def test_a_wrong_enum_would_be_caught() -> None:
    """The comparison sees a stage the schema does not know."""
    kinds, enum, _ = _allowed(Literal["interest", "rumour"] | None)
    assert kinds == {"string", "null"}
    assert enum != set(_schema(RECORD_TYPES[1])["properties"]["stage"]["enum"])
