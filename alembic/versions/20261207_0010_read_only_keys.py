"""API keys that only read: `api_keys.read_only`, false for every key made so far.

A read-only key runs queries and subscriptions and is refused any mutation (FORBIDDEN); a simulation run's
sandbox gets one for the seller to watch the season with, while the season's own key stays unseen.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-07 17:25:00

"""

from collections.abc import Sequence

import sqlalchemy as sa

from alembic import op

# revision identifiers, used by Alembic.
revision: str = "0010"
down_revision: str | Sequence[str] | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("api_keys", sa.Column("read_only", sa.Boolean(), server_default=sa.false(), nullable=False))


def downgrade() -> None:
    op.drop_column("api_keys", "read_only")
