"""Exclusive locks on an open file, on Linux and on Windows (CBS Remote Access).

POSIX: flock, which the kernel drops when the process dies (never a stale lock). Windows: msvcrt
locks one byte far past the file's content (so the holder's pid in the file stays readable); Windows
too releases them when the process dies. `lock` raises BlockingIOError when `wait` is False and
another process holds the lock.
"""

from __future__ import annotations

import os
import time

if os.name == "nt":
    import msvcrt

    _FAR = 1 << 30  # the locked byte: beyond any content the lock files hold

    def _at_far_byte(handle, mode) -> None:
        fd = handle.fileno()
        here = os.lseek(fd, 0, os.SEEK_CUR)
        os.lseek(fd, _FAR, os.SEEK_SET)
        try:
            msvcrt.locking(fd, mode, 1)
        finally:
            os.lseek(fd, here, os.SEEK_SET)

    def lock(handle, wait: bool = True) -> None:
        while True:
            try:
                _at_far_byte(handle, msvcrt.LK_NBLCK)
                return
            except OSError:
                if not wait:
                    raise BlockingIOError("locked by another process") from None
                time.sleep(0.2)  # LK_LOCK gives up after 10 s; we wait as flock does

    def unlock(handle) -> None:
        _at_far_byte(handle, msvcrt.LK_UNLCK)

else:
    import fcntl

    def lock(handle, wait: bool = True) -> None:
        fcntl.flock(handle, fcntl.LOCK_EX | (0 if wait else fcntl.LOCK_NB))

    def unlock(handle) -> None:
        fcntl.flock(handle, fcntl.LOCK_UN)
