"""Process memory: fewer glibc malloc arenas, so a long-running server's RSS stays flat."""

from __future__ import annotations

import ctypes
import ctypes.util
import os

__all__ = ["limit_malloc_arenas"]

M_ARENA_MAX = -8  # mallopt(3)
ARENAS = 2


def limit_malloc_arenas(arenas: int = ARENAS) -> bool:
    """Cap glibc's malloc arenas (by default up to 8 per core, one per thread that allocates while another
    holds an arena). With the threadpool's forty threads each arena fragments on its own and a server's
    RSS creeps up; two keep it flat at the same throughput (docs/PERFORMANCE.md, Soak). Applies to arenas
    made from now on, so call it before threads start. Left alone when MALLOC_ARENA_MAX is set (the
    operator decides) or the C library is not glibc. True when applied."""
    if os.environ.get("MALLOC_ARENA_MAX"):
        return False
    name = ctypes.util.find_library("c")
    if not name:
        return False
    try:
        libc = ctypes.CDLL(name)
        mallopt = libc.mallopt
    except (OSError, AttributeError):  # not glibc (musl has no mallopt)
        return False
    return bool(mallopt(M_ARENA_MAX, arenas))
