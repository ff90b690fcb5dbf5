"""Requests generated from a service's own OpenAPI schema (schemathesis): whatever a client
sends, valid or not, the answer is never a 5xx.

Each operation gets a bounded number of examples, generated deterministically (the same
cases on every run, so a failure reproduces), both valid ones (which reach the logic) and
invalid ones (which must be refused with a clear 4xx).
"""

from collections.abc import Mapping
from typing import Any

import schemathesis
from fastapi import FastAPI
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.core.result import Err

EXAMPLES_PER_OPERATION = 20
OUT_OF_RANGE_IDS = (10**22, 2**63, -(2**63) - 1)
# Once per service is enough to keep the suite short; MariaDB is the stricter backend
# (column lengths, integer ranges), so that is where it runs.
ON_MARIADB_ONLY = "the schema-driven requests run once, against MariaDB"


def server_errors(
    app: FastAPI,
    openapi_path: str,
    *,
    headers: Mapping[str, str],
    examples: int = EXAMPLES_PER_OPERATION,
    skip: frozenset[str] = frozenset(),
) -> list[str]:
    """Every "METHOD /path -> status" that answered 5xx, with the request that caused it.

    `headers` go with every request (the identity the gateway would vouch for), so the
    owner's routes are exercised, not only their 401. `skip` names operations
    ("POST /api/x") that cannot run in-process.
    """
    schema = schemathesis.openapi.from_asgi(openapi_path, app)
    found: list[str] = []
    for result in schema.get_all_operations():
        if isinstance(result, Err):  # the schema itself is broken: that is a failure too
            raise result.err()
        operation = result.ok()
        if f"{operation.method.upper()} {operation.path}" not in skip:
            _exercise(operation, dict(headers), examples, found)
    return found


def _exercise(
    operation: schemathesis.APIOperation[Any, Any, Any, Any],
    headers: dict[str, str],
    examples: int,
    found: list[str],
) -> None:
    label = f"{operation.method.upper()} {operation.path}"
    strategies = [
        operation.as_strategy(generation_mode=mode)
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE)
    ]
    # Ids past every column's range (a random integer rarely is): each must be a 4xx too.
    for parameter in operation.path_parameters:
        if parameter.definition.get("schema", {}).get("type") == "integer":
            strategies += [
                operation.as_strategy(path_parameters={parameter.name: value})
                for value in OUT_OF_RANGE_IDS
            ]
    cases = st.one_of(strategies)

    @settings(
        max_examples=examples,
        deadline=None,
        derandomize=True,
        database=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(case=cases)
    def call(case: schemathesis.Case[Any]) -> None:
        response = case.call(headers=headers)
        if response.status_code >= 500:
            found.append(
                f"{label} -> {response.status_code}: path={case.path_parameters}"
                f" query={case.query} body={str(case.body)[:200]}"
            )

    call()
