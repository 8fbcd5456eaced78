"""Stopping a report run cleanly: stop signals, processes that die with their parent, and the kernel
connection files a killed run leaves behind.

Used by the single report (:func:`netlib.report.report_one`), the batch (:mod:`netlib.report_batch`) and
the kernel (:class:`netlib.report_engine.ReportEngine`).  Standard library only; ``jupyter_core`` is
imported when a connection file is named or cleaned up.
"""

from __future__ import annotations

import os
import signal
import sys
import threading
import uuid
from contextlib import contextmanager
from pathlib import Path

STOP_SIGNALS = tuple(getattr(signal, name) for name in ("SIGINT", "SIGTERM", "SIGHUP") if hasattr(signal, name))
PR_SET_PDEATHSIG = 1  # <linux/prctl.h>


class Interrupted(KeyboardInterrupt):
    """A stop signal arrived; ``status`` is the shell's exit status for it (130 SIGINT, 143 SIGTERM)."""

    def __init__(self, signum: int):
        super().__init__(signum)
        self.signum = signum
        self.status = 128 + signum
        self.name = signal.Signals(signum).name


@contextmanager
def stop_signals_raise():
    """In the main thread: SIGINT, SIGTERM and SIGHUP raise :class:`Interrupted` (once; later ones are
    ignored while the first is being handled), so ``finally`` blocks stop workers and remove temporary
    files.  The previous handlers are restored on exit.  Elsewhere: nothing changes.

    Yields the list of signals received, so that a caller can tell a stop from the error a library raised
    while it was being stopped (a kernel client reports "kernel died" when the stop reaches it first)."""
    if threading.current_thread() is not threading.main_thread():
        yield []
        return
    stopping = []

    def handler(signum, _frame):
        if stopping:
            return
        stopping.append(signum)
        raise Interrupted(signum)

    previous = {number: signal.signal(number, handler) for number in STOP_SIGNALS}
    try:
        yield stopping
    finally:
        for number, old in previous.items():
            signal.signal(number, old)


@contextmanager
def stop_handlers_kept():
    """The stop signals' handlers as they were before the block, put back after it (a library may leave
    them at their defaults: nbclient does when it has run a notebook).  Outside the main thread: nothing."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    saved = {number: signal.getsignal(number) for number in STOP_SIGNALS}
    try:
        yield
    finally:
        for number, handler in saved.items():
            if handler is not None and signal.getsignal(number) is not handler:
                signal.signal(number, handler)


def _parent_death_signal_setter():
    """A function that asks Linux to SIGKILL the calling process when its parent exits, or None.

    ``prctl(PR_SET_PDEATHSIG)`` is resolved here, before any fork, so that a ``preexec_fn`` runs no
    dynamic loading between fork and exec.  The signal fires when the *thread* that started the child
    exits; netlib starts workers and kernels from the main thread.
    """
    if not sys.platform.startswith("linux"):
        return None
    import ctypes

    try:
        prctl = ctypes.CDLL(None, use_errno=True).prctl
    except (OSError, AttributeError):
        return None
    kill = int(signal.SIGKILL)

    def die_with_parent(parent_pid: int) -> None:
        if prctl(PR_SET_PDEATHSIG, kill, 0, 0, 0) != 0:
            raise OSError(ctypes.get_errno(), "prctl(PR_SET_PDEATHSIG) failed")
        if os.getppid() != parent_pid:  # the parent died before the signal was armed
            os.kill(os.getpid(), kill)

    return die_with_parent


def die_with_parent(parent_pid: int) -> None:
    """Linux: this process is SIGKILLed when its parent ``parent_pid`` exits (no-op elsewhere)."""
    setter = _parent_death_signal_setter()
    if setter is not None:
        setter(parent_pid)


def kernel_preexec():
    """``preexec_fn`` for a kernel: it dies with the process that starts it (Linux), or None."""
    setter = _parent_death_signal_setter()
    if setter is None:
        return None
    parent_pid = os.getpid()
    return lambda: setter(parent_pid)


# Kernel connection files are named after the process that owns the kernel, so that a run can remove the
# ones a killed process left in Jupyter's runtime folder.
KERNEL_CONNECTION_PREFIX = "netlib-kernel-"


def kernel_connection_file() -> str:
    from jupyter_core.paths import jupyter_runtime_dir

    folder = Path(jupyter_runtime_dir())
    folder.mkdir(parents=True, exist_ok=True)
    return str(folder / f"{KERNEL_CONNECTION_PREFIX}{os.getpid()}-{uuid.uuid4().hex[:12]}.json")


def process_exists(pid: int) -> bool:
    """Whether ``pid`` is a live process (a zombie, killed but not yet reaped, is not)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:
        stat = Path(f"/proc/{pid}/stat").read_text(encoding="ascii", errors="replace")
    except OSError:
        return True  # no /proc: the signal test is all there is
    return stat.rsplit(")", 1)[-1].split()[:1] != ["Z"]


def remove_stale_connection_files() -> list[str]:
    """Remove netlib's kernel connection files whose owning process no longer exists; returns the names."""
    try:
        from jupyter_core.paths import jupyter_runtime_dir
    except ImportError:
        return []
    removed = []
    for path in Path(jupyter_runtime_dir()).glob(f"{KERNEL_CONNECTION_PREFIX}*.json"):
        owner = path.name[len(KERNEL_CONNECTION_PREFIX):].split("-", 1)[0]
        if owner.isdigit() and not process_exists(int(owner)):
            try:
                path.unlink()
            except OSError:
                continue
            removed.append(path.name)
    return removed
