"""Build stages beside each other (server/build/parallel.py): the result of a forked child is the function's own,
a child's exception is a BuildError naming the stage, a child that dies is replaced by a call here, and a process
with other threads is never forked."""
from __future__ import annotations

import os
import threading

import pytest
from rdflib import BNode, Graph, Literal, URIRef

from server.build import parallel
from server.build.parallel import Forked
from server.errors import BuildError


def _pid_and_double(value: int) -> tuple[int, int]:
    return os.getpid(), value * 2


def _fails() -> None:
    raise ValueError("the stage's own error")


def _dies() -> int:
    if os.getpid() != PARENT:
        os._exit(3)  # as a child killed by the OOM killer would end: no answer on the pipe
    return 42


def _blank_nodes(graph: Graph) -> list[str]:
    return sorted(str(s) for s in graph.subjects() if isinstance(s, BNode))


PARENT = os.getpid()


@pytest.fixture()
def single_threaded(monkeypatch: pytest.MonkeyPatch) -> None:
    """Earlier tests of a session may leave threads behind (a live server's); these tests are about the fork."""
    monkeypatch.setattr(parallel.threading, "active_count", lambda: 1)


def test_the_function_runs_in_a_child_and_its_result_comes_back(single_threaded: None) -> None:
    (pid, doubled), seconds, beside = Forked("doubling", _pid_and_double, 21).result()
    assert doubled == 42 and beside and pid != os.getpid() and seconds >= 0


def test_the_child_sees_the_parent_s_blank_nodes(single_threaded: None) -> None:
    graph = Graph()
    graph.add((BNode(), URIRef("http://example.org/p"), Literal("quote body")))
    labels, _, beside = Forked("labels", _blank_nodes, graph).result()
    assert beside and labels == _blank_nodes(graph)


def test_an_exception_in_the_child_is_a_build_error_naming_the_stage(single_threaded: None) -> None:
    with pytest.raises(BuildError) as raised:
        Forked("the example stage", _fails).result()
    assert "the example stage failed" in str(raised.value) and "the stage's own error" in str(raised.value)


def test_a_child_that_dies_is_replaced_by_a_call_here(single_threaded: None) -> None:
    value, _, beside = Forked("dying", _dies).result()
    assert value == 42 and not beside


def test_a_process_with_other_threads_runs_the_function_itself() -> None:
    stop = threading.Event()
    other = threading.Thread(target=stop.wait)
    other.start()
    try:
        (pid, doubled), _, beside = Forked("doubling", _pid_and_double, 4).result()
    finally:
        stop.set()
        other.join()
    assert not beside and pid == os.getpid() and doubled == 8


def test_cancel_ends_the_child(single_threaded: None) -> None:
    forked = Forked("sleeping", __import__("time").sleep, 30)
    process = forked._process
    assert process is not None and process.is_alive()
    forked.cancel()
    assert not process.is_alive()


def test_loading_an_extra_dataset_leaves_no_thread_that_would_stop_the_fork(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """tqdm's progress bar started a monitor thread that outlived it: the reasoning of a build with extra
    datasets then ran after the validation instead of beside it."""
    import pyoxigraph as ox

    from server.build import extra

    path = tmp_path / "extra.nt"
    path.write_text("<http://example.org/a> <http://example.org/p> \"1\" .\n" * 3, encoding="utf-8")
    (dataset,) = extra.discover([str(path)])
    before = threading.active_count()
    extra.load_into(ox.Store(), dataset, show_progress=True)
    assert threading.active_count() == before
