"""Build stages that run beside each other: a function called in a forked child, its result sent back.

The build's slow stages do not depend on each other (validation, OWL RL reasoning, the releases' history
graphs), and the machine has two cores. Fork, not spawn: the child must see the very objects of the parent —
for reasoning, the blank nodes of the parent's graph (a quote's body), which a fresh parse would relabel. A
process with other threads is not forked (a lock held by one of them would stay held in the child): then, and if
the child dies, the function runs in this process when its result is asked for.
"""
from __future__ import annotations

import multiprocessing
import threading
import time
import traceback
from multiprocessing.connection import Connection
from typing import Any, Callable, Generic, TypeVar

from server.errors import BuildError

T = TypeVar("T")


class Forked(Generic[T]):
    """``function(*args)`` started now in a forked child; ``result()`` waits for it."""

    def __init__(self, what: str, function: Callable[..., T], *args: Any) -> None:
        self._what, self._function, self._args = what, function, args
        self._process: multiprocessing.process.BaseProcess | None = None
        self._receiver: Connection | None = None
        if threading.active_count() == 1:
            context = multiprocessing.get_context("fork")
            self._receiver, sender = context.Pipe(duplex=False)
            self._process = context.Process(target=_run_in_child, args=(function, args, sender), daemon=True)
            self._process.start()
            sender.close()

    def result(self) -> tuple[T, float, bool]:
        """(the result, the seconds the function itself took, whether it ran in the child)."""
        if self._process is not None and self._receiver is not None:
            try:
                outcome = self._receiver.recv()
            except EOFError:  # the child died without an answer: computed here instead
                outcome = None
            finally:
                self._receiver.close()
                self._process.join()
                self._process = None
            if outcome is not None and outcome[0] == "ok":
                return outcome[1], outcome[2], True
            if outcome is not None:
                raise BuildError(f"{self._what} failed:\n{outcome[1]}", exit_code=1)
        started = time.perf_counter()
        value = self._function(*self._args)
        return value, time.perf_counter() - started, False

    def cancel(self) -> None:
        if self._process is not None and self._process.is_alive():
            self._process.terminate()
            self._process.join()


def _run_in_child(function: Callable[..., Any], args: tuple[Any, ...], sender: Connection) -> None:
    started = time.perf_counter()
    try:
        value = function(*args)
        sender.send(("ok", value, time.perf_counter() - started))
    except Exception:  # the parent raises it as a BuildError; the traceback is what a maintainer needs
        sender.send(("error", traceback.format_exc()))
    finally:
        sender.close()
