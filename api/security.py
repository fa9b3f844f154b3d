"""Every operation needs `Authorization: Bearer <key>`, except pure introspection (so that GraphiQL and
code generators can read the schema); a read-only key runs no mutation."""

from __future__ import annotations

from collections.abc import AsyncIterator

from graphql import ExecutionResult, FieldNode, GraphQLError
from graphql.utilities import get_operation_ast
from strawberry.extensions import SchemaExtension
from strawberry.types.graphql import OperationType

from api.context import RequestContext, Unauthenticated

READ_ONLY = (
    "This API key only reads: it runs queries and subscriptions, not mutations. Send the mutation with a "
    "key of the workspace that may write."
)


class RequireApiKey(SchemaExtension):
    async def on_execute(self) -> AsyncIterator[None]:
        execution = self.execution_context
        ctx: RequestContext = execution.context
        if not _introspection_only(execution.graphql_document, execution.operation_name):
            try:
                principal = await ctx.authenticate()
            except Unauthenticated as error:
                execution.result = ExecutionResult(data=None, errors=[error])
                ctx.response.status_code = 401
            else:
                if principal.read_only and execution.operation_type is OperationType.MUTATION:
                    forbidden = GraphQLError(READ_ONLY, extensions={"code": "FORBIDDEN"})
                    execution.result = ExecutionResult(data=None, errors=[forbidden])
                    ctx.response.status_code = 403
        yield


def _introspection_only(document: object, operation_name: str | None) -> bool:
    operation = get_operation_ast(document, operation_name) if document is not None else None  # type: ignore[arg-type]
    if operation is None:
        return False
    return all(
        isinstance(selection, FieldNode) and selection.name.value.startswith("__")
        for selection in operation.selection_set.selections
    )
