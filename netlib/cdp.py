"""Headless Chromium driven through the Chrome DevTools Protocol on a pipe, with the standard library alone.

Chromium started with ``--remote-debugging-pipe`` reads protocol messages on its file descriptor 3 and
writes answers and events on descriptor 4, each message one JSON object ended by a NUL byte (Chromium's
``devtools_pipe_handler.cc``; Puppeteer and Playwright start Chromium the same way).  :class:`Browser`
starts it with a temporary profile, sends a method and waits for its answer (``call``) or for an event
(``wait_for``), and stops it (``close``).  Every wait has a deadline; a Chromium that does not answer,
exits, or answers with an error raises :class:`BrowserError`, one line naming the method.

Used by :class:`netlib.report_pdf.PdfPrinter`.  POSIX only (descriptors 3 and 4 are a POSIX notion).
"""

from __future__ import annotations

import fcntl
import json
import os
import select
import shutil
import signal
import subprocess
import tempfile
import time
from collections import deque
from typing import Any, Callable, Sequence

from .report_engine import ReportError
from .report_process import kernel_preexec, process_exists

# Chromium's fixed descriptors in pipe mode: it reads commands on 3 and writes on 4.
CHROMIUM_READS_FD = 3
CHROMIUM_WRITES_FD = 4
# Waits.  Starting takes about 0.5 s and printing an eight-page report about 0.2 s on this project's
# two-core machine; the bounds leave room for a loaded machine and only stop a browser that hangs.
LAUNCH_TIMEOUT_SECONDS = 30.0
CALL_TIMEOUT_SECONDS = 60.0
CLOSE_TIMEOUT_SECONDS = 5.0  # after Browser.close and the pipe closed; then SIGKILL
EXIT_STATUS_WAIT_SECONDS = 1.0  # for the status of a Chromium whose pipe closed
FOLDER_REMOVAL_SECONDS = 2.0
# Events nobody waits for (frame and lifecycle news) are kept up to this many, the oldest dropped.
EVENT_QUEUE_LIMIT = 256
READ_CHUNK_BYTES = 1 << 20
# The temporary profile: "netlib-chromium-<pid of its owner>-<random>", removed on close; one left by a
# killed owner is removed by the next browser started in the same folder.
PROFILE_PREFIX = "netlib-chromium-"
# Chromium creates and syncs some 2 MB of profile databases at start and writes them again at close; in
# memory (tmpfs) that is about 0.1 s less at each end on this project's machine.  /dev/shm is used unless
# TMPDIR (or TEMP, TMP) names a folder, and only with room to spare (a container's default /dev/shm holds
# 64 MiB for everyone); otherwise the temporary folder.
MEMORY_FOLDER = "/dev/shm"
MEMORY_FOLDER_MIN_FREE_BYTES = 512 * 1024 * 1024
TEMPORARY_FOLDER_VARIABLES = ("TMPDIR", "TEMP", "TMP")


class BrowserError(ReportError):
    """Chromium could not start, did not answer in time, exited, or answered a method with an error."""


class Browser:
    """One headless Chromium on a pipe: ``Browser([executable, *flags])`` starts it and waits for its first
    answer (``version``); ``call`` and ``wait_for`` talk to it; ``close`` stops it and removes its profile.

    The child dies with the thread that starts it (Linux parent-death signal) and, in pipe mode, when its
    pipe closes, so a killed parent leaves no browser.  After a timeout, an exit or an interrupted message
    the browser is not ``usable`` any more: close it and start another.
    """

    def __init__(self, command: Sequence[str]) -> None:
        self.usable = False
        self.version = ""
        self._process: subprocess.Popen | None = None
        self._to_chromium = self._from_chromium = -1
        self._buffer = bytearray()
        self._scanned = 0  # bytes of the buffer known to hold no NUL
        self._next_id = 0
        self._events: deque[tuple[str, str | None, dict]] = deque(maxlen=EVENT_QUEUE_LIMIT)
        self._handlers: dict[str, Callable[[str | None, dict], None]] = {}
        self._broken = ""
        self._closed = False
        parent = profile_parent()
        remove_stale_profiles(parent)
        self._folder = tempfile.mkdtemp(prefix=f"{PROFILE_PREFIX}{os.getpid()}-", dir=parent)
        try:
            self._launch(list(command))
            answer = self.call("Browser.getVersion", timeout=LAUNCH_TIMEOUT_SECONDS, during="while starting")
            self.version = answer["product"].rsplit("/", 1)[-1]  # "HeadlessChrome/131.0.6778.85"
        except BaseException:
            self.close()
            raise

    # -- starting and stopping ------------------------------------------------------------------

    def _launch(self, command: list[str]) -> None:
        commands_read, commands_write = os.pipe()
        answers_read, answers_write = os.pipe()
        die_with_parent = kernel_preexec()  # the same parent-death signal as a report kernel's

        def child_descriptors() -> None:
            # Between fork and exec.  Both ends are first copied above 4 (a pipe end may itself be 3 or 4),
            # then onto 3 and 4; dup2 leaves the copies inheritable, unlike os.pipe's descriptors.
            reads = fcntl.fcntl(commands_read, fcntl.F_DUPFD, 10)
            writes = fcntl.fcntl(answers_write, fcntl.F_DUPFD, 10)
            os.dup2(reads, CHROMIUM_READS_FD)
            os.dup2(writes, CHROMIUM_WRITES_FD)
            os.close(reads)
            os.close(writes)
            if die_with_parent is not None:
                die_with_parent()

        log = open(os.path.join(self._folder, "chromium.log"), "wb")
        try:
            # pass_fds keeps 3 and 4 open through close_fds (which runs after preexec_fn); both are open
            # here, since os.pipe takes the lowest free descriptors.
            self._process = subprocess.Popen(
                [*command, f"--user-data-dir={os.path.join(self._folder, 'profile')}"],
                stdin=subprocess.DEVNULL, stdout=log, stderr=log,
                pass_fds=(CHROMIUM_READS_FD, CHROMIUM_WRITES_FD), preexec_fn=child_descriptors,
                process_group=0)
        except (OSError, subprocess.SubprocessError) as error:  # the latter: preexec_fn failed
            os.close(commands_write)
            os.close(answers_read)
            reason = error.strerror if isinstance(error, OSError) and error.strerror else error
            raise BrowserError(f"Chromium could not be started ({command[0]}): {reason}") from None
        finally:
            log.close()
            os.close(commands_read)
            os.close(answers_write)
        self._to_chromium, self._from_chromium = commands_write, answers_read
        os.set_blocking(self._to_chromium, False)  # a full pipe must not block past a deadline
        self.usable = True

    def close(self) -> None:
        """Stop Chromium (Browser.close, the pipe closed, then SIGKILL after CLOSE_TIMEOUT_SECONDS), SIGKILL
        what is left of its process group, and remove its profile.  Idempotent and best effort: Chromium
        may already be gone."""
        if self._closed:
            return
        self._closed = True
        process = self._process
        try:
            if process is not None and self.usable and process.returncode is None:
                try:
                    self._send("Browser.close", None, None, time.monotonic() + 1.0, "while closing")
                except Exception:
                    pass
            self.usable = False
            self._close_descriptor("_to_chromium")  # in pipe mode Chromium quits when its pipe closes
            if process is not None:
                _exit_status(process, CLOSE_TIMEOUT_SECONDS)
        finally:
            if process is not None:
                if process.returncode is None:
                    # Chromium's helpers (renderers, utilities) stay in its group and may outlive it by a
                    # moment, writing to the profile.  The group's id is its pid, which cannot be reused
                    # before that pid is reaped, hence the kill before the wait.
                    for kill in (os.killpg, os.kill):
                        try:
                            kill(process.pid, signal.SIGKILL)
                        except (ProcessLookupError, PermissionError):
                            pass
                process.wait()
            self._close_descriptor("_to_chromium")
            self._close_descriptor("_from_chromium")
            _remove_folder(self._folder)

    def _close_descriptor(self, name: str) -> None:
        descriptor = getattr(self, name)
        if descriptor >= 0:
            setattr(self, name, -1)
            try:
                os.close(descriptor)
            except OSError:
                pass

    @property
    def pid(self) -> int | None:
        return self._process.pid if self._process is not None else None

    # -- the protocol -------------------------------------------------------------------------

    def on(self, method: str, handler: Callable[[str | None, dict], None]) -> None:
        """Handle event ``method`` as soon as it arrives, with (session id, params), instead of queueing it."""
        self._handlers[method] = handler

    def call(self, method: str, params: dict | None = None, *, session: str | None = None,
             timeout: float | None = None, during: str = "") -> dict:
        """Send ``method`` and return its result; events arriving meanwhile are handled or queued.
        ``during``: how an error names the moment (default "during <method>")."""
        seconds = CALL_TIMEOUT_SECONDS if timeout is None else timeout
        deadline = time.monotonic() + seconds
        during = during or f"during {method}"
        message_id = self._send(method, params, session, deadline, during)
        while True:
            message = self._receive(deadline, during, f"did not answer {method} within {seconds:g} s")
            if message.get("id") == message_id:
                if "error" in message:
                    error = message["error"]
                    detail = error.get("message", error) if isinstance(error, dict) else error
                    raise BrowserError(f"Chromium refused {method}: {detail}")
                return message.get("result", {})
            self._dispatch(message)

    def send(self, method: str, params: dict | None = None, *, session: str | None = None) -> None:
        """Send ``method`` without waiting for its answer (which is dropped when it arrives)."""
        self._send(method, params, session, time.monotonic() + CALL_TIMEOUT_SECONDS, f"during {method}")

    def wait_for(self, method: str, *, session: str | None = None, timeout: float | None = None) -> dict:
        """The params of the next event ``method`` of ``session`` (queued or still to come)."""
        for queued in self._events:
            if queued[0] == method and queued[1] == session:
                self._events.remove(queued)
                return queued[2]
        seconds = CALL_TIMEOUT_SECONDS if timeout is None else timeout
        deadline = time.monotonic() + seconds
        while True:
            message = self._receive(deadline, f"before {method}", f"did not send {method} within {seconds:g} s")
            if message.get("method") == method and message.get("sessionId") == session:
                return message.get("params", {})
            self._dispatch(message)

    def drop_events(self, session: str | None) -> None:
        """Forget the queued events of ``session`` (news of a document that is about to be replaced)."""
        kept = [event for event in self._events if event[1] != session]
        self._events.clear()
        self._events.extend(kept)

    def _dispatch(self, message: dict) -> None:
        method = message.get("method")
        if method is None:
            return  # the answer to a message sent with send()
        handler = self._handlers.get(method)
        if handler is not None:
            handler(message.get("sessionId"), message.get("params", {}))
        else:
            self._events.append((method, message.get("sessionId"), message.get("params", {})))

    # -- the pipe ------------------------------------------------------------------------------

    def _send(self, method: str, params: dict | None, session: str | None, deadline: float, during: str) -> int:
        if not self.usable:
            raise BrowserError(f"Chromium cannot take {method}: {self._broken or 'it is closed'}")
        self._next_id += 1
        message: dict[str, Any] = {"id": self._next_id, "method": method, "params": params or {}}
        if session is not None:
            message["sessionId"] = session
        data = memoryview(json.dumps(message).encode("utf-8") + b"\0")
        written = 0
        try:
            while written < len(data):
                # Read while writing: Chromium may be writing events to us while it reads a long message.
                readable, writable = self._wait(deadline, during, f"did not read {method} in time", write=True)
                if readable:
                    self._fill(during)
                if writable:
                    try:
                        written += os.write(self._to_chromium, data[written:written + (1 << 16)])
                    except BlockingIOError:
                        pass
                    except (BrokenPipeError, ConnectionResetError):
                        self._exited(during)
        except BaseException:
            if written:  # half a message on the pipe: nothing after it would be understood
                self._break(f"a message to it was interrupted {during}")
            raise
        return self._next_id

    def _receive(self, deadline: float, during: str, late: str) -> dict:
        while True:
            end = self._buffer.find(b"\0", self._scanned)
            if end >= 0:
                raw = bytes(self._buffer[:end])
                del self._buffer[:end + 1]
                self._scanned = 0
                try:
                    return json.loads(raw)
                except ValueError:
                    self._break(f"it sent a message that is not JSON {during}")
                    raise BrowserError(f"Chromium sent a message that is not JSON {during}") from None
            self._scanned = len(self._buffer)
            readable, _ = self._wait(deadline, during, late, write=False)
            if readable:
                self._fill(during)

    def _wait(self, deadline: float, during: str, late: str, *, write: bool) -> tuple[bool, bool]:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            self._timed_out(late, during)
        poller = select.poll()
        poller.register(self._from_chromium, select.POLLIN)
        if write:
            poller.register(self._to_chromium, select.POLLOUT)
        ready = dict(poller.poll(max(1, int(remaining * 1000) + 1)))
        if not ready:
            self._timed_out(late, during)
        return bool(ready.get(self._from_chromium, 0)), bool(ready.get(self._to_chromium, 0))

    def _fill(self, during: str) -> None:
        try:
            chunk = os.read(self._from_chromium, READ_CHUNK_BYTES)
        except OSError:
            chunk = b""
        if not chunk:
            self._exited(during)
        self._buffer += chunk

    def _timed_out(self, late: str, during: str) -> None:
        self._break(f"it did not answer in time {during}")
        raise BrowserError(f"Chromium {late}" + (f" ({during})" if during == "while starting" else ""))

    def _exited(self, during: str) -> None:
        self._break(f"it exited {during}")
        status = _exit_status(self._process, EXIT_STATUS_WAIT_SECONDS) if self._process is not None else None
        if status is None:
            raise BrowserError(f"Chromium closed its pipe {during}")
        detail = f"killed by {_signal_name(-status)}" if status < 0 else f"status {status}"
        tail = self._log_tail() if during == "while starting" else ""
        raise BrowserError(f"Chromium exited ({detail}) {during}{': ' + tail if tail else ''}")

    def _break(self, reason: str) -> None:
        self.usable = False
        self._broken = self._broken or reason

    def _log_tail(self) -> str:
        """The last line Chromium wrote to its standard error (why it would not start), if any."""
        try:
            with open(os.path.join(self._folder, "chromium.log"), "rb") as log:
                log.seek(0, os.SEEK_END)
                log.seek(max(0, log.tell() - 4096))
                lines = log.read().decode("utf-8", "replace").strip().splitlines()
        except OSError:
            return ""
        return lines[-1].strip()[:300] if lines else ""


def _exit_status(process: subprocess.Popen, seconds: float) -> int | None:
    """Wait up to ``seconds`` for ``process`` to exit and return its status as Popen.returncode would
    (negative: killed by that signal), or None; it is left unreaped (its pid stays reserved, see close)."""
    deadline = time.monotonic() + seconds
    delay = 0.005
    while True:
        if process.returncode is not None:
            return process.returncode
        try:
            exited = os.waitid(os.P_PID, process.pid, os.WEXITED | os.WNOHANG | os.WNOWAIT)
        except ChildProcessError:  # reaped elsewhere
            return process.poll()
        if exited is not None:
            return exited.si_status if exited.si_code == os.CLD_EXITED else -exited.si_status
        if time.monotonic() >= deadline:
            return None
        time.sleep(delay)
        delay = min(delay * 2, 0.05)


def _remove_folder(folder: str) -> None:
    """Remove ``folder``; a dying helper may still add a file for a moment, so try again briefly."""
    deadline = time.monotonic() + FOLDER_REMOVAL_SECONDS
    while True:
        shutil.rmtree(folder, ignore_errors=True)
        if not os.path.exists(folder) or time.monotonic() >= deadline:
            return
        time.sleep(0.02)


def _signal_name(number: int) -> str:
    try:
        return signal.Signals(number).name
    except ValueError:
        return f"signal {number}"


def profile_parent() -> str:
    """The folder for Chromium's temporary profile: /dev/shm when it fits (see MEMORY_FOLDER), else tempfile's."""
    if not any(os.environ.get(name) for name in TEMPORARY_FOLDER_VARIABLES):
        try:
            room = os.statvfs(MEMORY_FOLDER)
        except OSError:
            room = None
        if (room is not None and room.f_bavail * room.f_frsize >= MEMORY_FOLDER_MIN_FREE_BYTES
                and os.access(MEMORY_FOLDER, os.W_OK | os.X_OK)):
            return MEMORY_FOLDER
    return tempfile.gettempdir()


def remove_stale_profiles(folder: str) -> list[str]:
    """Remove the profiles in ``folder`` whose owning process no longer exists; returns their names."""
    removed = []
    try:
        names = os.listdir(folder)
    except OSError:
        return removed
    for name in names:
        owner = name[len(PROFILE_PREFIX):].split("-", 1)[0] if name.startswith(PROFILE_PREFIX) else ""
        if owner.isdigit() and not process_exists(int(owner)):
            shutil.rmtree(os.path.join(folder, name), ignore_errors=True)
            removed.append(name)
    return removed
