"""Conventions every client relies on: page limits, depth/alias/token limits, masked unexpected errors
with an incident ID, no schema hints in errors, descriptions everywhere, and the committed schema."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import pytest
from graphql import GraphQLEnumType, GraphQLInputObjectType, GraphQLInterfaceType, GraphQLObjectType

from api.schema import schema
from tests.conftest import Seller

ROOT = Path(__file__).resolve().parent.parent


async def _errors(
    seller: Seller, query: str, variables: dict[str, object] | None = None
) -> list[dict[str, object]]:
    body = (await seller.post(query, variables)).json()
    assert "errors" in body, body
    errors: list[dict[str, object]] = body["errors"]
    return errors


async def test_first_over_a_hundred_is_refused(seller: Seller) -> None:
    [error] = await _errors(seller, "{ orders(first: 101) { totalCount } }")
    assert error["extensions"] == {"code": "BAD_USER_INPUT"}
    assert "from 1 to 100" in str(error["message"])


async def test_a_cursor_that_is_not_ours_is_refused(seller: Seller) -> None:
    [error] = await _errors(seller, '{ products(after: "bogus") { totalCount } }')
    assert error["extensions"] == {"code": "BAD_USER_INPUT"}


async def test_a_malformed_global_id_is_a_typed_error(seller: Seller) -> None:
    [error] = await _errors(seller, '{ node(id: "%%%") { id } }')
    assert error["extensions"] == {"code": "INVALID_ID"}
    assert "not a Tradelane ID" in str(error["message"])


async def test_a_too_deep_query_is_refused_before_it_runs(seller: Seller, count_statements: Any) -> None:
    deep = "{ orders { edges { node { lines { listing { product { id } channel { id } } } } } } }"
    assert "errors" not in (await seller.post(deep)).json()
    nested = "id"
    for _ in range(6):  # Order -> payments -> order -> ... : twelve levels
        nested = f"payments {{ order {{ {nested} }} }}"
    deeper = "{ orders { edges { node { " + nested + " } } } }"
    with count_statements() as counter:
        [error] = await _errors(seller, deeper)
    assert "exceeds maximum operation depth" in str(error["message"])
    assert counter.count == 0


async def test_too_many_aliases_are_refused(seller: Seller) -> None:
    query = "{ " + " ".join(f"a{i}: workspace {{ now }}" for i in range(31)) + " }"
    [error] = await _errors(seller, query)
    assert "aliases found" in str(error["message"]).lower()


async def test_too_many_tokens_are_refused(seller: Seller) -> None:
    query = "{ workspace { " + " ".join(["now"] * 5001) + " } }"
    [error] = await _errors(seller, query)
    assert "more than 5000 tokens" in str(error["message"])


async def test_errors_give_no_hints_about_the_schema(seller: Seller) -> None:
    [error] = await _errors(seller, "{ order { id } }")
    assert "Did you mean" not in str(error["message"])


async def test_an_unexpected_error_is_masked_with_an_incident_id(
    seller: Seller, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    from api.accounts import queries

    async def broken(conn: object, workspace_id: object) -> object:
        raise RuntimeError("secret connection string postgres://admin:hunter2@db")

    monkeypatch.setattr(queries, "workspace_row", broken)
    with caplog.at_level(logging.ERROR, logger="tradelane.incidents"):
        response = await seller.post("{ workspace { now } }")
    [error] = response.json()["errors"]
    assert "hunter2" not in response.text
    assert error["extensions"]["code"] == "INTERNAL_ERROR"
    incident = error["extensions"]["incidentId"]
    assert incident in error["message"]
    assert any(incident in record.getMessage() and record.exc_info for record in caplog.records)


def test_every_type_field_and_argument_has_a_description() -> None:
    missing = []
    for name, type_ in schema._schema.type_map.items():
        if name.startswith("__") or name in {"String", "Int", "Boolean", "ID", "Float"}:
            continue
        if not type_.description:
            missing.append(name)
        if isinstance(type_, GraphQLObjectType | GraphQLInterfaceType | GraphQLInputObjectType):
            for field_name, field in type_.fields.items():
                if not field.description:
                    missing.append(f"{name}.{field_name}")
                for arg_name, arg in getattr(field, "args", {}).items():
                    if not arg.description:
                        missing.append(f"{name}.{field_name}({arg_name})")
        if isinstance(type_, GraphQLEnumType):
            continue
    assert missing == []


def test_the_committed_schema_is_what_the_server_serves() -> None:
    committed = (ROOT / "schema.graphql").read_text()
    assert committed == schema.as_str() + "\n", "run `make schema` and commit schema.graphql"


def test_mutations_are_named_object_first_and_have_their_own_payloads() -> None:
    mutation = schema._schema.mutation_type
    assert mutation is not None
    payloads = set()
    for name, field in mutation.fields.items():
        assert name[0].islower()
        payload = field.type.of_type if hasattr(field.type, "of_type") else field.type
        assert payload.name == name[0].upper() + name[1:] + "Payload", name
        assert "userErrors" in payload.fields
        payloads.add(payload.name)
    assert len(payloads) == len(mutation.fields)
    assert {"orderPlace", "orderConfirm", "productCreate", "sandboxClockAdvance"} <= set(mutation.fields)
