"""GraphiQL works for a seller: a real browser opens /graphql on a real server and runs the first examples.

Needs Debian's Chromium at /usr/bin/chromium (`apt-get install chromium`; CI installs it in .ci/run). The
browser is driven with Playwright's sync API in a worker thread, since the tests run in an asyncio loop.
"""

from __future__ import annotations

import asyncio
import json
import os
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
import uvicorn
from playwright.sync_api import ConsoleMessage, Error, Page, Request, sync_playwright

from api.app import GraphiQLSetup, create_app
from api.context import Services
from api.demo import seed_demo
from api.graphiql import config as graphiql_config
from domain.db.engine import make_engine
from domain.shared.clock import SystemClock

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
TIMEOUT_MS = 15_000

# The response pane is a CodeMirror 5 editor, which keeps only the lines in view in the DOM: read its value.
RESPONSE_TEXT = """() => {
  const editor = document.querySelector('.graphiql-response .result-window .CodeMirror');
  return editor && editor.CodeMirror ? editor.CodeMirror.getValue() : '';
}"""

# GraphiQL 3.9 runs the operation the query editor's `operationName` names, which it updates 100 ms (a
# debounce) after the editor's text changes, switching tabs included: a click within that time sends the
# previous tab's operation name with this tab's document, which the server refuses (400, unknown operation).
SELECTED_OPERATION = """() => {
  const editor = document.querySelector('.graphiql-query-editor .CodeMirror');
  return editor && editor.CodeMirror ? editor.CodeMirror.operationName : null;
}"""


def require_chromium() -> None:
    if CHROMIUM.exists():
        return
    if os.environ.get("CI"):
        pytest.fail(f"{CHROMIUM} is missing. CI must install Debian's chromium: see .ci/run")
    pytest.skip(f"{CHROMIUM} is missing: `apt-get install chromium` to run the GraphiQL browser test")


@contextmanager
def serving(database_url: str, setup: GraphiQLSetup) -> Iterator[str]:
    """Serve the app with uvicorn in a thread on a free local port; yield its base URL."""
    app = create_app(Services(make_engine(database_url), SystemClock()), setup)
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", access_log=False))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, name="uvicorn", daemon=True)
    thread.start()
    try:
        deadline = time.monotonic() + 10
        while not server.started:
            if not thread.is_alive() or time.monotonic() > deadline:
                pytest.fail("uvicorn did not start")
            time.sleep(0.02)
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()


def response_json(page: Page, containing: str) -> dict[str, Any]:
    """The response pane's JSON, once its text contains `containing`."""
    page.wait_for_function(f"s => ({RESPONSE_TEXT})().includes(s)", arg=containing, timeout=TIMEOUT_MS)
    result: dict[str, Any] = json.loads(page.evaluate(RESPONSE_TEXT))
    return result


def run_operation(page: Page, name: str) -> Request:
    """Press the execute button once the query editor has `name` selected; return the request it sent."""
    page.wait_for_function(f"name => ({SELECTED_OPERATION})() === name", arg=name, timeout=TIMEOUT_MS)

    def is_it(request: Request) -> bool:
        if request.method != "POST" or not request.url.endswith("/graphql"):
            return False
        body = request.post_data_json
        return isinstance(body, dict) and body.get("operationName") == name

    with page.expect_request(is_it) as sent:
        page.locator("button.graphiql-execute-button").click()
    response = sent.value.response()
    assert response is not None and response.status == 200, response and response.text()
    return sent.value


def run_browser(base_url: str, key: str, screenshot: Path) -> None:
    problems: list[str] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 900})
            page.set_default_timeout(TIMEOUT_MS)

            def on_console(message: ConsoleMessage) -> None:
                if message.type == "error":
                    problems.append(f"console error: {message.text} ({message.location})")

            def on_page_error(error: Error) -> None:
                problems.append(f"page error: {error}")

            page.on("console", on_console)
            page.on("pageerror", on_page_error)

            page.goto(f"{base_url}/graphql")
            assert page.title() == "Tradelane GraphiQL"

            # Tab 1, Catalog: runs with the demo key from the Headers pane.
            request = run_operation(page, "Catalog")
            assert request.all_headers().get("authorization") == f"Bearer {key}"
            catalog = response_json(page, "TEE-CTN-BLK-M")
            assert "errors" not in catalog, catalog["errors"]
            data = catalog["data"]
            assert data["workspace"]["name"].startswith("Demo Export Co.")  # the seller's sandbox workspace
            assert data["workspace"]["kind"] == "SANDBOX"
            assert len(data["channels"]["edges"]) == 4
            skus = {edge["node"]["product"]["sku"] for edge in data["listings"]["edges"]}
            assert "TEE-CTN-BLK-M" in skus

            # Tab 2, Place order: its variables are the demo channel and listing.
            tabs = page.locator("li.graphiql-tab")
            assert tabs.count() == len(graphiql_config(key, None)["tabs"])
            tabs.nth(1).locator("button.graphiql-tab-button").click()
            request = run_operation(page, "PlaceOrder")
            assert request.all_headers().get("authorization") == f"Bearer {key}"
            placed = response_json(page, '"status": "PLACED"')
            assert "errors" not in placed, placed["errors"]
            assert placed["data"]["orderPlace"]["userErrors"] == []
            order = placed["data"]["orderPlace"]["order"]
            assert order["status"] == "PLACED"
            assert order["total"] == {"amount": "44.97", "currency": "USD"}

            # The preparation tabs: each runs against the demo's seed data and answers without errors.
            expected = {
                "Markets": '"IOSS"',
                "Research": '"marketAnalysis"',
                "Compliance": '"READY"',
                "Stock": '"Shenzhen DC"',
                "Fx": '"CNY"',
            }
            answers = {}
            for index in range(tabs.count()):
                tab = tabs.nth(index)
                name = tab.inner_text().strip()
                if name not in expected:
                    continue
                tab.locator("button.graphiql-tab-button").click()
                run_operation(page, name)
                answers[name] = response_json(page, expected[name])
                assert "errors" not in answers[name], answers[name]["errors"]
            assert set(answers) == set(expected)
            rules = answers["Markets"]["data"]["market"]["rulesAsOf"]
            assert rules["asOf"] == "2026-07-01" and rules["currency"] == "EUR"
            research = answers["Research"]["data"]["marketAnalysis"]
            assert {row["market"] for row in research} == {"US", "DE", "GB", "JP"}
            assert research[0]["rank"] == 1 and research[0]["compliance"] == "READY"
            stock = answers["Stock"]["data"]["stock"]["edges"]
            assert stock[0]["node"]["onHand"] == 190 and stock[0]["node"]["rejected"] == 10

            page.screenshot(path=str(screenshot))
        finally:
            browser.close()
    assert problems == []


async def test_graphiql_runs_the_examples_for_the_demo_seller(database_url: str, tmp_path: Path) -> None:
    require_chromium()
    engine = make_engine(database_url)
    try:
        key, ids = await seed_demo(engine, SystemClock())
    finally:
        await engine.dispose()

    screenshot = tmp_path / "graphiql.png"
    with serving(database_url, GraphiQLSetup(api_key=key, demo=ids)) as base_url:
        await asyncio.to_thread(run_browser, base_url, key, screenshot)
    assert screenshot.stat().st_size > 0
