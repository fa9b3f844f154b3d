"""Every operation needs `Authorization: Bearer <key>`, except pure introspection (so that GraphiQL and
code generators can read the schema)."""

from __future__ import annotations

from collections.abc import AsyncIterator

from graphql import ExecutionResult, FieldNode
from graphql.utilities import get_operation_ast
from strawberry.extensions import SchemaExtension

from api.context import RequestContext, Unauthenticated


class RequireApiKey(SchemaExtension):
    async def on_execute(self) -> AsyncIterator[None]:
        execution = self.execution_context
        ctx: RequestContext = execution.context
        if not _introspection_only(execution.graphql_document, execution.operation_name):
            try:
                await ctx.authenticate()
            except Unauthenticated as error:
                execution.result = ExecutionResult(data=None, errors=[error])
                ctx.response.status_code = 401
        yield


def _introspection_only(document: object, operation_name: str | None) -> bool:
    operation = get_operation_ast(document, operation_name) if document is not None else None  # type: ignore[arg-type]
    if operation is None:
        return False
    return all(
        isinstance(selection, FieldNode) and selection.name.value.startswith("__")
        for selection in operation.selection_set.selections
    )
