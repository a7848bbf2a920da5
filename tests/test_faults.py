"""Faults: builds that fail or are killed, server restarts, killed workers and evaluators, corrupted snapshots.

A build that fails or is killed at any point must leave the previous snapshot current and intact, and a server
over the same data directory must keep serving it. A killed evaluator or web worker must cost the client an
error, never a hang, and be replaced. A corrupted snapshot must stop the server at start with a clear message.
Processes are found through /proc (Linux); everything listens on 127.0.0.1 only.
"""
from __future__ import annotations

import errno
import hashlib
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any, Callable, Iterator

import pytest
import requests

from server.build.pipeline import build
from server.cli import main
from server.errors import BuildError, SnapshotError
from server.settings import Settings
from server.build.snapshot import KEEP_SNAPSHOTS, Snapshot, current_snapshot, sha256_file

from conftest import free_port, start_server, stop_server

ROOT = Path(__file__).resolve().parent.parent
MINI = ROOT / "tests" / "fixtures" / "mini"
FORUM = "https://w3id.org/ugkg/id/event/forum"
ASK_FORUM = "ASK { <%s> a <https://schema.org/Event> }" % FORUM
COUNT_ALL = "SELECT (COUNT(*) AS ?n) { ?s ?p ?o }"
# never finishes on the mini data (~40^8 rows): a query that is certainly still running when its process is killed
ENDLESS = "SELECT (COUNT(*) AS ?n) { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l . ?m ?n1 ?o . ?p ?q ?r . ?s ?t ?u . ?v ?w ?x }"
JSON = {"Accept": "application/sparql-results+json, application/json"}
NEW_TRIPLE = '\n<https://w3id.org/ugkg/id/x/new> <http://www.w3.org/2000/01/rdf-schema#label> "new"@en .\n'
CLIENT_TIMEOUT_S = 30
# these tests count the evaluators: all of them run from the start (on-demand pools: tests/engine/test_evaluator_pool.py)
FIXED_POOL = {"UGKG_EVALUATOR_IDLE_S": "0"}

pytestmark = pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="finds processes through /proc (Linux)")


def quiet(_: str) -> None:
    pass


# --- processes (through /proc) ----------------------------------------------------------------------------------

def _stat(pid: int) -> tuple[str, int, int] | None:
    """(state, parent pid, CPU ticks) of a process, or None when it is gone."""
    try:
        raw = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = raw[raw.rindex(")") + 2:].split()  # fields[0] is field 3 (state) of proc(5)
    return fields[0], int(fields[1]), int(fields[11]) + int(fields[12])


def alive(pid: int) -> bool:
    stat = _stat(pid)
    return stat is not None and stat[0] != "Z"


def kill_worker(worker: int) -> None:
    """SIGKILL a web worker, once it has lived past granian's crash-loop window: granian stops the whole server
    when a worker it respawned dies again within 5.5 s (a documented limit of the server layer, README)."""
    try:
        started_ticks = int(Path(f"/proc/{worker}/stat").read_text().rsplit(")", 1)[1].split()[19])
        uptime_s = float(Path("/proc/uptime").read_text().split()[0])
        age_s = uptime_s - started_ticks / os.sysconf("SC_CLK_TCK")
        if age_s < GRANIAN_CRASH_LOOP_S:
            time.sleep(GRANIAN_CRASH_LOOP_S - age_s)
    except (OSError, ValueError, IndexError):
        pass
    os.kill(worker, signal.SIGKILL)


GRANIAN_CRASH_LOOP_S = 6.0


def cpu_ticks(pid: int) -> int:
    stat = _stat(pid)
    return stat[2] if stat else 0


def children(pid: int) -> set[int]:
    found = set()
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            stat = _stat(int(entry.name))
            if stat and stat[1] == pid and stat[0] != "Z":
                found.add(int(entry.name))
    return found


def cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
    except OSError:
        return ""


def evaluators(master: int) -> dict[int, int]:
    """Evaluator pid → its web worker's pid, for a gunicorn master."""
    return {e: w for w in children(master) for e in children(w) if "server.engine.evaluator" in cmdline(e)}


def wait_until(condition: Callable[[], Any], timeout_s: float, what: str, explain: Callable[[], str] | None = None) -> Any:
    """Poll ``condition`` until it is truthy; fail (not hang) after ``timeout_s``, saying ``explain()`` if given."""
    deadline = time.monotonic() + timeout_s
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"not within {timeout_s:g} s: {what}" + (f"; {explain()}" if explain else ""))
        time.sleep(0.05)


def describe(pids: set[int]) -> str:
    """State, parent and command line of each live process in ``pids``: what a failure needs to be diagnosed."""
    return "; ".join(f"{pid} state={s[0]} ppid={s[1]} {cmdline(pid)[:120]}" for pid in sorted(pids) if (s := _stat(pid)) and s[0] != "Z")


class Background:
    """One HTTP request in a thread: its response or its exception."""

    def __init__(self, call: Callable[[], requests.Response]) -> None:
        self.response: requests.Response | None = None
        self.error: BaseException | None = None

        def run() -> None:
            try:
                self.response = call()
            except BaseException as exc:  # noqa: BLE001 - the test inspects it
                self.error = exc

        self.thread = threading.Thread(target=run, daemon=True)
        self.thread.start()

    def join(self) -> None:
        self.thread.join(CLIENT_TIMEOUT_S + 10)
        assert not self.thread.is_alive(), "the client hung"


# --- snapshots and builds ----------------------------------------------------------------------------------------

@pytest.fixture()
def sources(tmp_path: Path) -> Path:
    """A private copy of the mini sources that a test may change or break."""
    target = tmp_path / "src"
    shutil.copytree(MINI, target)
    return target


def settings_for(sources: Path, data_dir: Path, **kw: Any) -> Settings:
    return Settings(data_dir=str(data_dir), sources_dir=str(sources), log_level="WARNING", **kw)


def digests(directory: Path) -> dict[str, str]:
    """Checksums of a snapshot's content (not of the lock files servers use to pin it)."""
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(directory.iterdir()) if p.is_file() and not p.name.endswith(".lock")}


def entries(snapshots_dir: Path) -> set[str]:
    return {p.name for p in snapshots_dir.iterdir()}


def assert_complete(directory: Path) -> dict[str, Any]:
    """A snapshot directory whose manifest is readable and whose dataset matches the manifest's checksum."""
    manifest = json.loads((directory / "manifest.json").read_text(encoding="utf-8"))
    assert sha256_file(directory / "dataset.nq") == manifest["files"]["dataset.nq"]["sha256"], directory
    return manifest


def answers(snapshot: Snapshot) -> bool:
    """The engine the server's evaluators run, opened on ``snapshot``, answers a query over it."""
    from server.engine.embedded import OxigraphEngine
    from server.engine.factory import spec_for
    from server.engine.store import QueryJob

    engine = OxigraphEngine(spec_for("memory", snapshot))
    result = engine.evaluate(QueryJob(ASK_FORUM, "ASK", "application/sparql-results+json", 10))
    return json.loads(result.body)["boolean"] is True


def assert_serves(snapshots_dir: Path, build_id: str, files: dict[str, str]) -> Snapshot:
    """``current`` is still the snapshot ``build_id``, byte for byte, verified by the project's own check."""
    snapshot = current_snapshot(snapshots_dir)
    assert snapshot.build_id == build_id
    assert digests(snapshot.path) == files
    assert answers(snapshot)
    return snapshot


def cli_build(data_dir: Path, sources: Path, *extra: str) -> list[str]:
    return [sys.executable, "-m", "server.cli", "build", "--data-dir", str(data_dir), "--sources-dir", str(sources), *extra]


# Runs `ugkg build` and SIGKILLs itself at one exact step of the snapshot write (a kill at that instruction).
KILL_AT_STEP = r"""
import os, signal, sys
import server.build.snapshot as snapshot
from server.cli import main

step = sys.argv[1]

def die(*_, **__):
    os.kill(os.getpid(), signal.SIGKILL)

real_fsync, real_symlink, fsyncs = os.fsync, os.symlink, []

def fsync(fd):
    if "/.tmp-" in os.readlink(f"/proc/self/fd/{fd}"):
        fsyncs.append(fd)
        if (step, len(fsyncs)) in (("dataset-half-written", 1), ("manifest-half-written", 2)):
            os.ftruncate(fd, os.fstat(fd).st_size // 2)  # the file as a kill in the middle of writing leaves it
            die()
    real_fsync(fd)

def symlink(src, dst, *args, **kwargs):
    real_symlink(src, dst, *args, **kwargs)
    if step == "link-made-not-swapped":
        die()

os.fsync, os.symlink = fsync, symlink
if step == "renamed-not-current":
    snapshot._point_current_at = die
if step == "current-swapped-not-pruned":
    snapshot._prune = die
sys.exit(main(["build", *sys.argv[2:]]))
"""


def build_killed_at(step: str, data_dir: Path, sources: Path) -> int:
    out = subprocess.run([sys.executable, "-c", KILL_AT_STEP, step, "--data-dir", str(data_dir), "--sources-dir", str(sources)],
                         cwd=str(ROOT), capture_output=True, timeout=120)
    return out.returncode


# --- 1. builds killed --------------------------------------------------------------------------------------------

@pytest.mark.parametrize("step", ["dataset-half-written", "manifest-half-written", "renamed-not-current", "link-made-not-swapped"])
def test_build_killed_before_the_switch_keeps_previous_snapshot_and_next_build_cleans_up(step: str, sources: Path, tmp_path: Path) -> None:
    settings = settings_for(sources, tmp_path / "data")
    first = build(settings, progress=quiet).snapshot
    files = digests(first.path)
    (sources / "data" / "a.ttl").write_text((sources / "data" / "a.ttl").read_text() + NEW_TRIPLE)

    assert build_killed_at(step, tmp_path / "data", sources) == -signal.SIGKILL  # the kill point was reached
    assert_serves(settings.snapshots_dir, first.build_id, files)
    leftovers = entries(settings.snapshots_dir) - {first.build_id, "current"}
    assert leftovers, "a killed build leaves something behind (else the kill came too late to test anything)"

    second = build(settings, progress=quiet).snapshot  # the next build succeeds and cleans up after the killed one
    assert current_snapshot(settings.snapshots_dir).build_id == second.build_id and second.manifest["counts"]["asserted"] == 24
    left = entries(settings.snapshots_dir)
    assert not [name for name in left if name.startswith(".")], f"temporary files of the killed build remain: {sorted(left)}"
    for name in left - {"current"}:
        assert_complete(settings.snapshots_dir / name)


def test_build_killed_after_the_switch_leaves_the_new_snapshot_current_and_complete(sources: Path, tmp_path: Path) -> None:
    settings = settings_for(sources, tmp_path / "data")
    first = build(settings, progress=quiet).snapshot
    files = digests(first.path)
    (sources / "data" / "a.ttl").write_text((sources / "data" / "a.ttl").read_text() + NEW_TRIPLE)

    assert build_killed_at("current-swapped-not-pruned", tmp_path / "data", sources) == -signal.SIGKILL
    new = current_snapshot(settings.snapshots_dir)
    assert new.build_id != first.build_id and new.manifest["counts"]["asserted"] == 24 and answers(new)
    assert digests(first.path) == files  # the previous one is untouched too


def test_first_build_killed_mid_write_is_not_mistaken_for_a_snapshot(sources: Path, tmp_path: Path) -> None:
    settings = settings_for(sources, tmp_path / "data")
    assert build_killed_at("manifest-half-written", tmp_path / "data", sources) == -signal.SIGKILL
    assert [p.name for p in settings.snapshots_dir.iterdir() if p.name.startswith(".tmp-")]
    with pytest.raises(SnapshotError, match="no snapshot"):
        current_snapshot(settings.snapshots_dir)
    build(settings, progress=quiet)
    assert not [p.name for p in settings.snapshots_dir.iterdir() if p.name.startswith(".")]


@pytest.fixture(scope="module")
def extra_dataset(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """60,000 extra triples: the build then spends a real share of its time serialising and writing."""
    path = tmp_path_factory.mktemp("extra") / "bulk.nt"
    with path.open("w") as fh:
        for i in range(60_000):
            fh.write(f'<urn:x:s{i}> <urn:x:p{i % 7}> "value {i}" .\n')
    return path


def test_build_killed_at_random_points_keeps_a_complete_current_snapshot(sources: Path, tmp_path: Path, extra_dataset: Path) -> None:
    settings = settings_for(sources, tmp_path / "data")
    previous = build(settings, progress=quiet).snapshot
    files = digests(previous.path)
    command = cli_build(tmp_path / "data", sources, "--with", str(extra_dataset))

    started = time.monotonic()  # one whole build of the same inputs, elsewhere, to spread the kills over
    subprocess.run(cli_build(tmp_path / "scratch", sources, "--with", str(extra_dataset)), cwd=str(ROOT), check=True, capture_output=True)
    duration = time.monotonic() - started
    rng = random.Random(20261123)
    fractions = [rng.uniform(lo, hi) for lo, hi in [(0, 0.05), (0.05, 0.2), (0.2, 0.4), (0.4, 0.6), (0.6, 0.75), (0.75, 0.88), (0.88, 0.96), (0.96, 1.0)]]

    killed = 0
    for fraction in fractions:
        process = subprocess.Popen(command, cwd=str(ROOT), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            process.wait(timeout=fraction * duration)
        except subprocess.TimeoutExpired:
            process.send_signal(signal.SIGKILL)
        killed += process.wait() == -signal.SIGKILL
        snapshot = current_snapshot(settings.snapshots_dir)  # verifies the checksum
        assert not snapshot.path.name.startswith("."), "a temporary directory was taken for a snapshot"
        if snapshot.build_id == previous.build_id:
            assert digests(snapshot.path) == files, f"killed at {fraction:.2f} of the build: the previous snapshot changed"
        else:  # killed after the switch (or it finished): the new snapshot is complete
            assert snapshot.manifest["counts"]["extra"] == 60_000
            previous, files = snapshot, digests(snapshot.path)
        assert answers(snapshot), f"killed at {fraction:.2f} of the build: the current snapshot does not answer"
    assert killed >= len(fractions) // 2, f"only {killed} of {len(fractions)} builds were killed before they ended"

    out = subprocess.run([sys.executable, "-m", "server.cli", "query", ASK_FORUM, "--data-dir", str(tmp_path / "data")],
                         cwd=str(ROOT), capture_output=True, text=True, timeout=120)
    assert out.returncode == 0 and "true" in out.stdout, out.stderr
    subprocess.run(command, cwd=str(ROOT), check=True, capture_output=True)
    left = entries(settings.snapshots_dir)
    assert not [name for name in left if name.startswith(".")], f"leftovers of killed builds remain: {sorted(left)}"
    assert len(left - {"current"}) <= KEEP_SNAPSHOTS
    for name in left - {"current"}:
        assert_complete(settings.snapshots_dir / name)


# --- 2. builds that fail ----------------------------------------------------------------------------------------

def test_build_with_turtle_syntax_error_exits_2_and_keeps_previous_snapshot(sources: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    settings = settings_for(sources, tmp_path / "data")
    first = build(settings, progress=quiet).snapshot
    files, before = digests(first.path), entries(settings.snapshots_dir)
    (sources / "data" / "b.ttl").write_text("@prefix x: <urn:x:> .\nx:a x:b .\n")
    assert main(["build", "--data-dir", settings.data_dir, "--sources-dir", str(sources)]) == 2
    err = capsys.readouterr().err
    assert "build failed" in err and "b.ttl" in err and "Traceback" not in err
    assert_serves(settings.snapshots_dir, first.build_id, files)
    assert entries(settings.snapshots_dir) == before


def test_build_with_shacl_violation_exits_1_and_keeps_previous_snapshot(sources: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    settings = settings_for(sources, tmp_path / "data")
    first = build(settings, progress=quiet).snapshot
    files, before = digests(first.path), entries(settings.snapshots_dir)
    with (sources / "data" / "b.ttl").open("a") as fh:
        fh.write('\n<https://w3id.org/ugkg/id/event/forum> <https://schema.org/startDate> "not a date" .\n')
    assert main(["build", "--data-dir", settings.data_dir, "--sources-dir", str(sources)]) == 1
    err = capsys.readouterr().err
    assert "does not conform" in err and "ForumShape" in err
    assert_serves(settings.snapshots_dir, first.build_id, files)
    assert entries(settings.snapshots_dir) == before


def _full_disk(monkeypatch: pytest.MonkeyPatch, snapshots_dir: Path, stage: str) -> None:
    """Make one step of the snapshot write fail with ENOSPC, as a full disk does."""
    real_fsync, real_symlink = os.fsync, os.symlink
    failing = {"dataset": "dataset.nq", "manifest": "manifest.json"}.get(stage)

    def enospc() -> OSError:
        return OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    def fsync(fd: int) -> None:
        path = os.readlink(f"/proc/self/fd/{fd}")
        if path.startswith(os.path.realpath(snapshots_dir)) and os.path.basename(path) == failing:
            raise enospc()
        real_fsync(fd)

    def symlink(src: str, dst: Any, *args: Any, **kwargs: Any) -> None:
        if stage == "current-link" and os.path.realpath(os.path.dirname(dst)) == os.path.realpath(snapshots_dir):
            raise enospc()
        real_symlink(src, dst, *args, **kwargs)

    monkeypatch.setattr(os, "fsync", fsync)
    monkeypatch.setattr(os, "symlink", symlink)


@pytest.mark.parametrize("stage", ["dataset", "manifest", "current-link"])
def test_build_on_a_full_disk_fails_with_build_error_and_keeps_previous_snapshot(
    stage: str, sources: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    settings = settings_for(sources, tmp_path / "data")
    first = build(settings, progress=quiet).snapshot
    files, before = digests(first.path), entries(settings.snapshots_dir)
    (sources / "data" / "a.ttl").write_text((sources / "data" / "a.ttl").read_text() + NEW_TRIPLE)
    _full_disk(monkeypatch, settings.snapshots_dir, stage)

    with pytest.raises(BuildError, match="No space left on device") as err:  # build() documents BuildError on failure
        build(settings, progress=quiet)
    assert err.value.exit_code == 2
    assert main(["build", "--data-dir", settings.data_dir, "--sources-dir", str(sources)]) == 2
    message = capsys.readouterr().err
    assert "build failed" in message and "No space left on device" in message and "Traceback" not in message
    monkeypatch.undo()
    assert_serves(settings.snapshots_dir, first.build_id, files)
    assert entries(settings.snapshots_dir) == before, "a failed build must change nothing"


# --- 3 and 4. a live server over the same data directory ---------------------------------------------------------

def healthz_id(url: str) -> str:
    return str(requests.get(url + "/healthz", timeout=CLIENT_TIMEOUT_S).json()["snapshot"])


def count_all(url: str) -> int:
    r = requests.get(url + "/sparql", params={"query": COUNT_ALL}, headers=JSON, timeout=CLIENT_TIMEOUT_S)
    assert r.status_code == 200, r.text[:300]
    return int(r.json()["results"]["bindings"][0]["n"]["value"])


class Server:
    """`ugkg serve` on 127.0.0.1 that remembers every process it ever had, to leave none behind."""

    def __init__(self, settings: Settings, extra_env: dict[str, str] | None = None) -> None:
        self.process, self.url = start_server(settings, extra_env)
        self.seen: set[int] = set()

    @property
    def pid(self) -> int:
        return self.process.pid

    def tree(self) -> set[int]:
        pids = children(self.pid) | set(evaluators(self.pid))
        self.seen |= pids
        return pids

    def stop(self) -> int | None:
        self.tree()
        stop_server(self.process)
        return self.process.returncode

    def cleanup(self) -> None:
        if self.process.poll() is None:
            self.stop()
        for pid in self.seen:
            if alive(pid):
                os.kill(pid, signal.SIGKILL)


@pytest.fixture()
def servers() -> Iterator[list[Server]]:
    started: list[Server] = []
    yield started
    for server in started:
        server.cleanup()


def test_live_server_keeps_serving_previous_snapshot_while_builds_fail_or_are_killed(sources: Path, tmp_path: Path, servers: list[Server]) -> None:
    settings = settings_for(sources, tmp_path / "data")
    first = build(settings, progress=quiet).snapshot
    files = digests(first.path)
    server = Server(settings)
    servers.append(server)
    count = count_all(server.url)
    assert healthz_id(server.url) == first.build_id

    (sources / "data" / "a.ttl").write_text((sources / "data" / "a.ttl").read_text() + NEW_TRIPLE)
    assert build_killed_at("dataset-half-written", tmp_path / "data", sources) == -signal.SIGKILL
    assert healthz_id(server.url) == first.build_id and count_all(server.url) == count
    (sources / "data" / "b.ttl").write_text("@prefix x: <urn:x:> .\nx:a x:b .\n")
    out = subprocess.run(cli_build(tmp_path / "data", sources), cwd=str(ROOT), capture_output=True, text=True, timeout=120)
    assert out.returncode == 2, out.stderr
    assert healthz_id(server.url) == first.build_id and count_all(server.url) == count

    # every worker reopens `current` (reload, as after a build): it is still the previous snapshot
    old_workers = wait_until(lambda: len(children(server.pid)) == 2 and children(server.pid), 30, "two web workers")
    os.kill(server.pid, signal.SIGHUP)
    wait_until(lambda: len(children(server.pid)) == 2 and not children(server.pid) & old_workers, 60, "the workers reloaded")
    assert {healthz_id(server.url) for _ in range(6)} == {first.build_id}
    assert count_all(server.url) == count
    assert_serves(settings.snapshots_dir, first.build_id, files)


def test_server_restarts_cleanly_from_the_snapshot_after_sigterm_and_after_sigkill(sources: Path, tmp_path: Path, servers: list[Server]) -> None:
    settings = settings_for(sources, tmp_path / "data")
    first = build(settings, progress=quiet).snapshot
    server = Server(settings, FIXED_POOL)
    servers.append(server)
    count = count_all(server.url)
    wait_until(lambda: len(server.tree()) == 6, 30, "2 web workers with 2 evaluators each")
    processes = server.tree()
    assert server.stop() == 0
    wait_until(lambda: not [p for p in processes if alive(p)], 30, "every worker and evaluator exited after SIGTERM", lambda: describe(processes))

    again = Server(settings, FIXED_POOL)
    servers.append(again)
    assert healthz_id(again.url) == first.build_id and count_all(again.url) == count
    wait_until(lambda: len(again.tree()) == 6, 30, "2 web workers with 2 evaluators each")
    processes = again.tree()
    again.process.kill()  # an unclean stop: the workers and evaluators are orphaned and must go by themselves
    again.process.wait(timeout=30)
    wait_until(lambda: not [p for p in processes if alive(p)], 30, "the orphaned workers and evaluators exited", lambda: describe(processes))

    third = Server(settings)
    servers.append(third)
    assert healthz_id(third.url) == first.build_id and count_all(third.url) == count
    assert third.stop() == 0


def test_master_killed_while_workers_start_leaves_no_process_behind(tmp_path: Path) -> None:
    """The master dies while its workers are still opening their evaluators: a worker (or evaluator) that asked
    ``getppid()`` only after that would take init for its parent and never leave."""
    settings = settings_for(MINI, tmp_path / "data")
    build(settings, progress=quiet)
    master = subprocess.Popen(
        [sys.executable, "-m", "server.cli", "serve", "--host", "127.0.0.1", "--port", str(free_port()),
         "--web-workers", "2", "--query-workers", "2", "--data-dir", settings.data_dir, "--sources-dir", str(MINI)],
        cwd=str(ROOT), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    try:
        # the first evaluator exists, so the workers are building their apps (evaluators take ~1 s to load)
        def starting() -> set[int] | None:
            workers = children(master.pid)
            return workers if len(workers) == 2 and evaluators(master.pid) else None

        workers = wait_until(starting, 60, "2 web workers, one evaluator started")
        master.kill()
        master.wait(timeout=30)

        def left() -> set[int]:
            spawned = {int(pid.name) for pid in Path("/proc").iterdir() if pid.name.isdigit() and alive(int(pid.name))
                       and "server.engine.evaluator" in (line := cmdline(int(pid.name)))
                       and line.split()[-1:] and line.split()[-1] in {str(w) for w in workers}}
            return {w for w in workers if alive(w)} | spawned

        wait_until(lambda: not left(), 30, "the workers and the evaluators they had started exited", lambda: describe(left()))
    finally:
        if master.poll() is None:
            master.kill()


# --- 5. killed evaluators and web workers ------------------------------------------------------------------------

@pytest.fixture(scope="module")
def patient_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """A server with a 120 s time limit (so only a kill stops ENDLESS) and no result cache."""
    data_dir = tmp_path_factory.mktemp("patient-data")
    settings = settings_for(MINI, data_dir, query_timeout_s=120.0)
    build(settings, progress=quiet)
    server = Server(settings, {"UGKG_RESULT_CACHE_ENTRIES": "0", **FIXED_POOL})
    yield server
    server.cleanup()


def busy_evaluator_during(server: Server, query: str) -> tuple[Background, int, int]:
    """Send ``query`` in the background; return it with the (evaluator, worker) that is evaluating it."""
    def settled() -> dict[int, int] | None:
        """All 4 evaluators exist and use no CPU (a replacement still loading the snapshot would)."""
        pool = evaluators(server.pid)
        before = {pid: cpu_ticks(pid) for pid in pool}
        time.sleep(0.3)
        return pool if len(pool) == 4 and all(cpu_ticks(pid) == ticks for pid, ticks in before.items()) else None

    pool = wait_until(settled, 60, "4 idle evaluators")
    server.tree()
    baseline = {pid: cpu_ticks(pid) for pid in pool}
    request = Background(lambda: requests.post(server.url + "/sparql", data={"query": query}, headers=JSON, timeout=CLIENT_TIMEOUT_S))
    # the evaluator running the query is the one burning CPU (30 ticks = 0.3 s); the idle ones use none
    busy = wait_until(lambda: [p for p in pool if cpu_ticks(p) - baseline[p] >= 30], 30, "an evaluator started the query")
    assert len(busy) == 1, busy
    return request, busy[0], pool[busy[0]]


def assert_recovers(server: Server, gone: int) -> None:
    """The pool is back to 4 evaluators (without ``gone``) and every one answers."""
    wait_until(lambda: len(e := evaluators(server.pid)) == 4 and gone not in e, 60, "the killed process was replaced")
    for i in range(12):  # distinct queries (no cache anyway): enough to go through every evaluator of both workers
        r = requests.get(server.url + "/sparql", params={"query": ASK_FORUM + f" # {i}"}, headers=JSON, timeout=CLIENT_TIMEOUT_S)
        assert r.status_code == 200 and r.json()["boolean"] is True, r.text[:300]


def test_evaluator_killed_mid_query_gives_the_client_a_500_and_is_replaced(patient_server: Server) -> None:
    request, evaluator, _ = busy_evaluator_during(patient_server, ENDLESS)
    os.kill(evaluator, signal.SIGKILL)
    request.join()
    assert request.error is None, f"the client got {request.error!r} instead of an error response"
    r = request.response
    assert r is not None and r.status_code == 500, r.text[:300] if r is not None else None
    body = r.json()
    assert body["error"] == "internal-error" and "replaced" in body["message"]
    assert len(body["request_id"]) == 32 and r.headers["X-Request-Id"] == body["request_id"]  # issue 22
    assert "Traceback" not in r.text and "File \"" not in r.text
    assert_recovers(patient_server, evaluator)


def test_web_worker_killed_mid_query_fails_the_request_at_once_and_is_respawned(patient_server: Server) -> None:
    request, evaluator, worker = busy_evaluator_during(patient_server, ENDLESS)
    kill_worker(worker)
    request.join()
    assert not isinstance(request.error, requests.Timeout), "the client waited for its timeout instead of failing"
    assert isinstance(request.error, requests.ConnectionError) or (request.response is not None and request.response.status_code >= 500), (
        request.error or request.response.status_code  # type: ignore[union-attr]
    )
    wait_until(lambda: len(w := children(patient_server.pid)) == 2 and worker not in w, 60, "the server respawned the worker")
    assert_recovers(patient_server, evaluator)



def test_evaluator_orphaned_by_a_killed_web_worker_stops_its_query(patient_server: Server) -> None:
    request, evaluator, worker = busy_evaluator_during(patient_server, ENDLESS)
    try:
        kill_worker(worker)
        request.join()
        wait_until(lambda: not alive(evaluator), 10, "the orphaned evaluator stopped (no process is left to time it out)")
    finally:
        if alive(evaluator):
            os.kill(evaluator, signal.SIGKILL)
        wait_until(lambda: len(w := children(patient_server.pid)) == 2 and worker not in w, 60, "the server respawned the worker")



def test_server_still_replaces_evaluators_after_newer_builds_pruned_its_snapshot(sources: Path, tmp_path: Path) -> None:
    from server.web.app import create_app
    from server.build.snapshot import write_snapshot

    settings = settings_for(sources, tmp_path / "data", query_workers=1, query_timeout_s=1.0, queue_timeout_s=5.0, result_cache_entries=0)
    served = build(settings, progress=quiet).snapshot
    app = create_app(settings, served)
    try:
        for i in range(KEEP_SNAPSHOTS):  # newer builds (later ids), the server not reloaded
            write_snapshot(settings.snapshots_dir, f"29990101T00000{i}Z-000000", served.dataset_path.read_bytes(), dict(served.manifest))
        client = app.test_client()
        assert client.get("/sparql", query_string={"query": ENDLESS}, headers=JSON).status_code == 503  # evaluator killed, replaced
        r = client.get("/sparql", query_string={"query": ASK_FORUM}, headers=JSON)
        assert r.status_code == 200, r.get_data(as_text=True)[:300]
    finally:
        app.extensions["ugkg"].close()


# --- 6. corrupted snapshots ---------------------------------------------------------------------------------------

def _flip_a_byte(snapshot: Path) -> None:
    data = bytearray((snapshot / "dataset.nq").read_bytes())
    data[len(data) // 2] ^= 0x01  # same size: only the checksum can tell
    (snapshot / "dataset.nq").write_bytes(bytes(data))


def _truncate_manifest(snapshot: Path) -> None:
    raw = (snapshot / "manifest.json").read_bytes()
    (snapshot / "manifest.json").write_bytes(raw[: len(raw) // 2])


def _remove_manifest(snapshot: Path) -> None:
    (snapshot / "manifest.json").unlink()


def _remove_dataset(snapshot: Path) -> None:
    (snapshot / "dataset.nq").unlink()


@pytest.mark.parametrize("corrupt, says", [
    (_flip_a_byte, ["corrupted", "sha256", "dataset.nq"]),
    (_truncate_manifest, ["manifest"]),
    (_remove_manifest, ["manifest"]),
    (_remove_dataset, ["dataset.nq"]),
], ids=["flipped-byte", "truncated-manifest", "missing-manifest", "missing-dataset"])
def test_server_refuses_to_start_on_a_corrupted_snapshot_with_a_clear_message(
    corrupt: Callable[[Path], None], says: list[str], sources: Path, tmp_path: Path
) -> None:
    settings = settings_for(sources, tmp_path / "data")
    snapshot = build(settings, progress=quiet).snapshot
    before = entries(settings.snapshots_dir)
    corrupt(snapshot.path)
    out = subprocess.run(
        [sys.executable, "-m", "server.cli", "serve", "--host", "127.0.0.1", "--port", str(free_port()),
         "--data-dir", settings.data_dir, "--sources-dir", str(sources)],
        cwd=str(ROOT), capture_output=True, text=True, timeout=60,
    )
    assert out.returncode == 2, out.stderr[-2000:]
    assert str(snapshot.path) in out.stderr and all(word in out.stderr for word in says), out.stderr
    assert "rebuild with `ugkg build`" in out.stderr
    assert "Traceback" not in out.stderr, out.stderr
    assert entries(settings.snapshots_dir) == before  # not silently rebuilt over the evidence
