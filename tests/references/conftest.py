"""Fixtures for local reference files: media made byte by byte, and an S3 store on 127.0.0.1."""

from __future__ import annotations

import itertools
import os
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

_TESTS = str(Path(__file__).resolve().parents[1])
if _TESTS not in sys.path:  # `from _media import mp4` (tests/ has no package)
    sys.path.insert(0, _TESTS)

from _s3server import ACCESS_KEY, SECRET_KEY, S3TestServer  # noqa: E402

_buckets = itertools.count()


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture(scope="session")
def s3_server() -> Iterator[S3TestServer]:
    """One moto S3 server per test process."""
    server = S3TestServer()
    yield server
    server.close()


@pytest.fixture
def bucket(s3_server: S3TestServer) -> str:
    """A fresh bucket for this test."""
    name = f"refs-{os.getpid()}-{next(_buckets)}"
    s3_server.create_bucket(name)
    return name


@pytest.fixture
def s3_kwargs(s3_server: S3TestServer) -> dict[str, str]:
    """Arguments that point an `S3Uploader` at the test server."""
    return {
        "endpoint": s3_server.endpoint,
        "access_key_id": ACCESS_KEY,
        "secret_access_key": SECRET_KEY,
        "region": "us-east-1",
    }
