from __future__ import annotations

import pytest

from tests.messaging.conftest import Pair, make_pair

__all__ = ["Pair", "pair", "anyio_backend"]


@pytest.fixture
def pair(tenant):  # type: ignore[no-untyped-def]
    return make_pair(tenant)


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"
