"""The command line, and the embedded PostgreSQL a new user gets without DATABASE_URL."""

from __future__ import annotations

import ast
import secrets
import shutil
import subprocess
import sys
from pathlib import Path

import psycopg
import pytest
from click.testing import CliRunner
from sqlalchemy.engine import make_url

from api.cli import main
from domain.accounts.keys import digest

ROOT = Path(__file__).resolve().parent.parent


def _sync(url: str) -> str:
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


def test_seller_create_prints_a_key_once_and_stores_only_its_digest(database_url: str) -> None:
    result = CliRunner().invoke(
        main, ["seller", "create", "--name", "Acme Export"], env={"DATABASE_URL": database_url}
    )
    assert result.exit_code == 0, result.output
    key = result.output.strip().splitlines()[-1]
    assert key.startswith("tl_sand_") and len(key) > 40
    with psycopg.connect(_sync(database_url)) as conn:
        stored = conn.execute("SELECT key_hash FROM api_keys WHERE key_hash = %s", (digest(key),)).fetchall()
        leaked = conn.execute(
            "SELECT count(*) FROM api_keys WHERE key_hash = %s OR prefix = %s", (key, key)
        ).fetchone()
    assert len(stored) == 1
    assert leaked == (0,)


def test_seller_create_refuses_an_empty_name(database_url: str) -> None:
    result = CliRunner().invoke(
        main, ["seller", "create", "--name", "  "], env={"DATABASE_URL": database_url}
    )
    assert result.exit_code != 0
    assert "needs a name" in result.output


def test_a_database_url_that_is_not_postgresql_is_refused() -> None:
    result = CliRunner().invoke(main, ["db", "upgrade"], env={"DATABASE_URL": "sqlite:///tradelane.db"})
    assert result.exit_code != 0
    assert "must name a PostgreSQL server" in result.output


def test_the_models_and_the_migrations_agree(database_url: str) -> None:
    result = CliRunner().invoke(main, ["db", "check"], env={"DATABASE_URL": database_url})
    assert result.exit_code == 0, result.output
    assert "Models and migrations agree" in result.output


def test_without_database_url_an_embedded_postgresql_is_started_and_reused() -> None:
    # Under the project's own data folder: the server runs as an unprivileged user, which cannot enter
    # pytest's private temporary folders.
    data = ROOT / ".tradelane" / f"embedded-test-{secrets.token_hex(4)}"
    # Each step in a child process, as `make run` would be: the server stops when that process exits.
    start = (
        "from api.cli import upgrade; from domain.db.engine import resolve_database; "
        f"db = resolve_database({{'TRADELANE_DATA_DIR': {str(data)!r}}}); upgrade(db.url); "
    )
    inspect = (
        "import psycopg; from sqlalchemy.engine import make_url; "
        "url = make_url(db.url).set(drivername='postgresql').render_as_string(hide_password=False); "
        "conn = psycopg.connect(url); "
        "print(sorted(r[0] for r in conn.execute(\"SELECT tablename FROM pg_tables WHERE schemaname = 'public'\"))); "
        "print(conn.execute('SHOW server_version').fetchone()[0]); conn.close()"
    )
    try:
        first = _python(start + "print(db.embedded)")
        assert first.splitlines()[-1] == "True"
        assert (data / "PG_VERSION").read_text().strip() == "18"
        tables, version = _python(start + inspect).splitlines()[-2:]
        assert {"orders", "payments", "alembic_version"} <= set(ast.literal_eval(tables))
        assert version.startswith("18.")
    finally:
        shutil.rmtree(data, ignore_errors=True)


def _python(code: str) -> str:
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=False
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


@pytest.mark.parametrize("command", [["schema", "check"]])
def test_the_committed_schema_check_passes(command: list[str]) -> None:
    result = CliRunner().invoke(main, command)
    assert result.exit_code == 0, result.output


def test_fx_import_reads_a_file_into_the_keys_workspace(database_url: str, tmp_path: Path) -> None:
    made = CliRunner().invoke(
        main, ["seller", "create", "--name", "FX Co"], env={"DATABASE_URL": database_url}
    )
    key = made.output.strip().splitlines()[-1]
    good = tmp_path / "rates.csv"
    good.write_text("date,base,quote,rate\n2026-11-01,USD,CNY,7.10\n2026-11-02,USD,CNY,7.11\n")
    result = CliRunner().invoke(
        main, ["fx", "import", str(good), "--key", key], env={"DATABASE_URL": database_url}
    )
    assert result.exit_code == 0, result.output
    assert "Imported 2 rates" in result.output
    bad = tmp_path / "bad.csv"
    bad.write_text("date,base,quote,rate\n2026-11-03,USD,USD,1\n")
    refused = CliRunner().invoke(
        main, ["fx", "import", str(bad), "--key", key], env={"DATABASE_URL": database_url}
    )
    assert refused.exit_code != 0
    assert "Line 2" in refused.output and "Nothing was imported" in refused.output
    wrong = CliRunner().invoke(
        main, ["fx", "import", str(good), "--key", "nope"], env={"DATABASE_URL": database_url}
    )
    assert wrong.exit_code != 0 and "not valid" in wrong.output
