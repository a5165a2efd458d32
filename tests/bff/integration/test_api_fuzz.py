"""Schemathesis against the BFF's own OpenAPI document, with the real services behind it: for every
operation, generated requests (a bounded number), signed in as a customer and as an agent, with the
CSRF header. No answer may be a server error, or break the document (status, content type, schema).

The stack runs on an event loop of its own in a thread (uvicorn on a loopback port), because
Schemathesis' client is synchronous.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from bff.sessions import COOKIE_NAME
from tests.bff.helpers import CSRF, EMAILS, PASSWORD, running, serving
from tests.bff.integration.conftest import bff_settings, start_services

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
EXAMPLES_PER_OPERATION = 15
# Signing out would end the session the rest of the run uses (sign-out is covered elsewhere).
NOT_FUZZED = {"signOut"}


@dataclass(frozen=True, slots=True)
class Stack:
    base_url: str
    ids: dict[str, str]  # path parameter -> an id that exists (Ana's case, refund, order)


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    folder: Path = tmp_path_factory.mktemp("fuzz")
    ready = threading.Event()
    found: dict[str, Any] = {}

    async def serve() -> None:
        found["loop"] = asyncio.get_running_loop()
        found["stop"] = stop = asyncio.Event()
        async with (
            start_services(folder) as services,
            running(bff_settings(services, sign_in_limit_per_address=1000)) as app,
            serving(app) as base_url,
        ):
            found["base_url"] = base_url
            ready.set()
            await stop.wait()

    thread = threading.Thread(target=lambda: asyncio.run(serve()), name="fuzzed-stack", daemon=True)
    thread.start()
    assert ready.wait(30), "the stack did not start"
    base_url = found["base_url"]
    ana = signed_in(base_url, "ana")
    case = ana.post(
        f"{base_url}/api/cases",
        json={"orderId": "ord_1001", "category": "other", "subject": "Fuzz", "description": "Target"},
        headers=CSRF,
    ).json()["case"]
    refund = ana.post(
        f"{base_url}/api/cases/{case['id']}/refunds",
        json={"lines": [{"lineId": "ln_1", "quantity": 1}], "reason": "damaged"},
        headers=CSRF,
    ).json()["refund"]
    try:
        yield Stack(base_url, {"caseId": case["id"], "refundId": refund["id"], "orderId": "ord_1001"})
    finally:
        found["loop"].call_soon_threadsafe(found["stop"].set)
        thread.join(30)


def signed_in(base_url: str, who: str) -> requests.Session:
    session = requests.Session()
    response = session.post(
        f"{base_url}/api/session", json={"email": EMAILS[who], "password": PASSWORD}, headers=CSRF, timeout=10
    )
    assert response.status_code == 200, response.text
    # The session cookie is Secure: browsers send it to loopback over plain http, requests only over
    # https. A copy without the flag makes this session send it as a browser would.
    value = session.cookies[COOKIE_NAME]
    del session.cookies[COOKIE_NAME]
    session.cookies.set(COOKIE_NAME, value)
    return session


@pytest.mark.parametrize("who", ["ana", "sam"])
def test_no_generated_request_breaks_the_bff_or_its_document(stack: Stack, who: str) -> None:
    spec = requests.get(f"{stack.base_url}/api/openapi.json", timeout=10).json()
    schema = schemathesis.openapi.from_dict(spec)
    session = signed_in(stack.base_url, who)
    cookie = session.cookies[COOKIE_NAME]
    failures: dict[str, str] = {}

    for result in schema.get_all_operations():
        operation = result.ok()  # type: ignore[union-attr]  # Err only for an invalid document
        if operation.definition.raw.get("operationId") in NOT_FUZZED:
            continue

        @settings(
            max_examples=EXAMPLES_PER_OPERATION,
            deadline=None,
            database=None,
            derandomize=True,
            phases=[Phase.explicit, Phase.generate],
            suppress_health_check=list(HealthCheck),
        )
        @given(case=operation.as_strategy(), real_ids=st.booleans())
        def fuzz(case: schemathesis.Case[Any], real_ids: bool) -> None:
            # The document declares the session cookie (security scheme "session"): Schemathesis fills
            # it with made-up values, which would only ever test the 401. Use the real one.
            case.cookies = {COOKIE_NAME: cookie}
            if real_ids:  # half the time, ids that exist: the requests get past "not found"
                for name in case.path_parameters:
                    case.path_parameters[name] = stack.ids.get(name, case.path_parameters[name])
            response = case.call(base_url=stack.base_url, session=session, headers=CSRF, timeout=10)
            case.validate_response(response, checks=CHECKS, headers=CSRF)

        try:
            fuzz()
        except Exception as failure:  # every operation is tried; all failures are reported together
            failures[operation.label] = str(failure)[:2000]

    assert failures == {}
