"""Alembic environment: migrations are the only way Tradelane's schema is made.

The URL comes from the caller (`tradelane db upgrade`, the tests) as the `sqlalchemy.url` option, or else
from DATABASE_URL / the embedded server, as the service itself finds it.
"""

from __future__ import annotations

from logging.config import fileConfig

import sqlalchemy as sa

from alembic import context
from domain.db.engine import resolve_database
from domain.db.models import metadata

config = context.config
if config.config_file_name is not None and config.attributes.get("configure_logging", True):
    fileConfig(config.config_file_name, disable_existing_loggers=False)

url = config.get_main_option("sqlalchemy.url") or resolve_database().url


def run_migrations() -> None:
    engine = sa.create_engine(url, poolclass=sa.pool.NullPool)
    with engine.connect() as connection:
        context.configure(connection=connection, target_metadata=metadata, compare_type=True)
        with context.begin_transaction():
            context.run_migrations()
    engine.dispose()


if context.is_offline_mode():
    raise SystemExit("Tradelane runs migrations online only: give it a database.")
run_migrations()
