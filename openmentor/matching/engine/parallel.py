"""Scoring in threads.

numpy, scipy's sparse products and BLAS release the GIL on large arrays, so chunks scored
in threads run on several cores; results are gathered in chunk order, so they do not
depend on the number of threads.
"""

from __future__ import annotations

import os
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from typing import TypeVar


def default_threads() -> int:
    """The usable cores, at most 4: the thread count when the caller names none.

    The engine reads no environment: the Django side passes settings'
    OPENMENTOR_MATCHING_THREADS, the command line its --threads.
    """
    return max(1, min(4, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else 1))


T = TypeVar("T")
R = TypeVar("R")


def pmap(fn: Callable[[T], R], items: Sequence[T], threads: int) -> Iterator[R]:
    """``map`` over a pool of ``threads`` (in order), at most one item in flight per thread."""
    w = max(1, threads)
    if w == 1 or len(items) < 2:
        yield from map(fn, items)
        return
    with ThreadPoolExecutor(max_workers=w) as ex:
        pending: deque[Future[R]] = deque()
        for it in items:
            pending.append(ex.submit(fn, it))
            if len(pending) >= w:
                yield pending.popleft().result()
        while pending:
            yield pending.popleft().result()
