"""`tradelane simulate`: a season from the command line, in this process or against a server at a URL, with
its report written and its exit code saying whether every invariant held; and bad input refused with a
message and a non-zero exit, before any workspace is made."""

from __future__ import annotations

import json
import socket
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path
from typing import Any

import psycopg
import pytest
from click.testing import CliRunner
from sqlalchemy.engine import make_url

from api.cli import main
from tests.serving import serving

SMALL = ["--scenario", "smoke", "--orders", "12"]


def workspaces(database_url: str) -> int:
    conninfo = make_url(database_url).set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(conninfo) as conn:
        row = conn.execute("SELECT count(*) FROM workspaces").fetchone()
        assert row is not None
        return int(row[0])


def simulate(args: list[str], database_url: str) -> Any:
    return CliRunner().invoke(main, ["simulate", *args], env={"DATABASE_URL": database_url})


def test_an_unknown_scenario_is_refused_with_the_known_ones(database_url: str) -> None:
    before = workspaces(database_url)
    result = simulate(["--scenario", "summer-sale"], database_url)
    assert result.exit_code != 0
    assert "No scenario 'summer-sale'" in result.output
    assert "carrier-disruption, eu-duty-change, q4-peak, smoke" in result.output
    assert workspaces(database_url) == before


def test_a_malformed_scenario_names_its_line_and_field(database_url: str, tmp_path: Path) -> None:
    bad = tmp_path / "bad.toml"
    smoke = (Path(__file__).parent.parent / "simulator" / "scenarios" / "smoke.toml").read_text()
    lines = [
        "import_hold_rate = -0.2" if line.startswith("import_hold_rate") else line
        for line in smoke.splitlines()
    ]
    bad.write_text("\n".join(lines) + "\n")
    at = next(i for i, line in enumerate(lines, 1) if line.startswith("import_hold_rate"))
    before = workspaces(database_url)
    result = simulate(["--scenario", str(bad)], database_url)
    assert result.exit_code != 0
    assert f"line {at}" in result.output
    assert "customs.import_hold_rate" in result.output
    assert workspaces(database_url) == before


def test_an_unreachable_server_is_refused(database_url: str) -> None:
    with socket.socket() as sock:  # a port that was free a moment ago: nothing listens there
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    result = simulate([*SMALL, "--url", f"http://127.0.0.1:{port}", "--api-key", "tl_sand_x"], database_url)
    assert result.exit_code != 0
    assert "Could not reach the API" in result.output


@pytest.mark.parametrize(
    ("url", "said"),
    [
        ("http://127.0.0.1:99999", "names port 99999; a port is 1 to 65535"),
        ("http://[::1", "is not a URL"),
        ("localhost:8000", "is not an http:// or https:// URL with a host"),
    ],
)
def test_a_malformed_url_is_refused_with_a_message(database_url: str, url: str, said: str) -> None:
    before = workspaces(database_url)
    result = simulate([*SMALL, "--url", url, "--api-key", "tl_sand_x"], database_url)
    assert result.exit_code == 1 and isinstance(result.exception, SystemExit), result.exception
    assert said in result.output
    assert workspaces(database_url) == before


class _NotGraphQL(BaseHTTPRequestHandler):
    """A web server that is not Tradelane: JSON, but no GraphQL answer."""

    def do_POST(self) -> None:
        body = json.dumps({"detail": "Not Found"}).encode()
        self.send_response(404)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        return None


def test_a_server_answering_json_that_is_not_graphql_is_refused_with_a_message(database_url: str) -> None:
    server = HTTPServer(("127.0.0.1", 0), _NotGraphQL)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}"
        result = simulate([*SMALL, "--url", url, "--api-key", "tl_sand_x"], database_url)
    finally:
        server.shutdown()
        server.server_close()
    assert result.exit_code == 1 and isinstance(result.exception, SystemExit), result.exception
    assert "answered HTTP 404 with something that is not GraphQL JSON" in result.output


def test_a_wrong_key_is_refused_and_nothing_is_made(database_url: str) -> None:
    with serving(database_url) as url:
        before = workspaces(database_url)
        result = simulate([*SMALL, "--url", url, "--api-key", "tl_sand_not-a-key"], database_url)
    assert result.exit_code != 0
    assert "refused the key" in result.output
    assert workspaces(database_url) == before


def test_url_without_a_key_is_a_usage_error(database_url: str) -> None:
    result = simulate([*SMALL, "--url", "http://127.0.0.1:9"], database_url)
    assert result.exit_code == 2
    assert "--url needs --api-key" in result.output


def test_a_season_against_a_server_writes_its_report(database_url: str, tmp_path: Path) -> None:
    made = CliRunner().invoke(
        main, ["seller", "create", "--name", "QA Seasons", "--live"], env={"DATABASE_URL": database_url}
    )
    key = made.output.strip().splitlines()[-1]
    with serving(database_url) as url:
        result = simulate(
            [*SMALL, "--seed", "3", "--url", url, "--api-key", key, "--out", str(tmp_path)], database_url
        )
    assert result.exit_code == 0, result.output
    report = json.loads((tmp_path / "report.json").read_text())
    assert report["scenario"]["seed"] == 3
    assert all(check["holds"] for check in report["invariants"])
    assert (tmp_path / "report.html").read_text().count("<svg") == 7
    assert "Invariants" in result.output and "holds" in result.output


def test_replications_run_in_processes_with_independent_seeds(database_url: str, tmp_path: Path) -> None:
    result = simulate(
        [*SMALL, "--seed", "5", "--replications", "2", "--workers", "2", "--out", str(tmp_path)], database_url
    )
    assert result.exit_code == 0, result.output
    aggregate = json.loads((tmp_path / "report.json").read_text())
    assert aggregate["replications"] == 2
    seeds = aggregate["scenario"]["seeds"]
    assert len(set(seeds)) == 2 and 5 not in seeds
    orders = aggregate["kpis"]["orders"]
    assert orders["n"] == 2 and orders["ci95_low"] <= orders["mean"] <= orders["ci95_high"]


def test_a_broken_invariant_makes_the_exit_code_non_zero(
    database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import simulator.season as season
    from simulator.audit import audit as real_audit

    async def audit_seeing_one_order_too_many(client: Any, world: Any) -> Any:
        # The simulator claims one order more than it placed: the counts cannot agree with the API's.
        world.stats.orders += 1
        return await real_audit(client, world)

    monkeypatch.setattr(season, "audit", audit_seeing_one_order_too_many)
    result = simulate([*SMALL, "--out", str(tmp_path)], database_url)
    assert result.exit_code == 1, result.output
    assert "invariant(s) broken: the simulator's counts equal the API's" in result.output
    report = json.loads((tmp_path / "report.json").read_text())
    broken = [check for check in report["invariants"] if not check["holds"]]
    assert [check["name"] for check in broken] == ["the simulator's counts equal the API's"]
    assert "orders: API" in broken[0]["detail"]


def test_an_unreachable_database_is_refused_with_a_message() -> None:
    result = CliRunner().invoke(
        main, ["simulate", *SMALL], env={"DATABASE_URL": "postgresql://postgres@127.0.0.1:1/nowhere"}
    )
    assert result.exit_code == 1
    assert "Could not reach the database (DATABASE_URL)" in result.output
    assert "Traceback" not in result.output
