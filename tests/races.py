"""Races with real threads, for the concurrency tests (any database)."""

from __future__ import annotations

import threading
from collections.abc import Callable
from functools import partial
from typing import Any

from django.db import connection
from rest_framework.test import APIClient


def race_calls(*calls: Callable[[], Any], outcomes: bool = False) -> list[Any]:
    """Run the calls at once, one thread (and database connection) each; their
    results in call order. With `outcomes`, an exception a call raises is its
    result (for tests asserting which side lost); otherwise it fails the test."""
    barrier = threading.Barrier(len(calls))
    results: list[Any] = [None] * len(calls)
    errors: list[BaseException] = []

    def worker(i: int) -> None:
        try:
            barrier.wait(timeout=10)
            results[i] = calls[i]()
        except Exception as exc:
            if outcomes:
                results[i] = exc
            else:
                errors.append(exc)
        except BaseException as exc:  # reported to the main thread
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(len(calls))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors, errors
    assert all(not t.is_alive() for t in threads)
    return results


def race(make_request: Callable[[APIClient, int], Any], key: str, n: int = 2) -> list[Any]:
    """Run `make_request(client, i)` in n threads released together, each client
    sending `key`; their responses in thread order."""

    def call(i: int) -> Any:
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
        return make_request(client, i)

    return race_calls(*(partial(call, i) for i in range(n)))
