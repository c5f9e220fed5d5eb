"""Timing whole processes: wall time, and the peak memory of the largest single process.

Memory is the peak resident set (RSS) of the largest process of the tree a command
starts — for ``cstool orders import`` the writer or its forked reader, for the sqlite3
shell's pipeline ``iconv`` or ``sqlite3`` — not a sum: two processes each under a
limit do not make one over it. Taken only when asked (``sample=True``), from two
sources, the larger wins:

- the kernel's own count, ``ru_maxrss`` of the command as GNU time (``/usr/bin/time
  -f %M``) reports it: the largest peak of the command's process and of every
  descendant it waited for (a maximum, not a sum), exact at exit. GNU time is the
  parent because it is small: a child's ``ru_maxrss`` starts from its parent's size
  before ``exec`` (fork or vfork), so the benchmark runner (100 MB and more after some
  benchmarks) cannot be the parent of a measured command;
- each process of the tree's own peak, ``VmHWM`` in ``/proc/<pid>/status``, read every
  20 ms while it runs: this names the largest process and also sees a descendant
  nobody waited for (a peak in a process's last 20 ms is the one thing it can miss).

Without GNU time only the second source is used (the figure then says "sampled").
"""

from __future__ import annotations

import os
import shutil
import statistics
import subprocess
import tempfile
import threading
import time
from dataclasses import dataclass, field

GNU_TIME = shutil.which("time", path="/usr/bin:/bin")


@dataclass
class Run:
    seconds: float
    peak_mb: float           # peak RSS of the largest single process
    returncode: int
    stdout: str = ""
    stderr: str = ""
    largest: str = ""        # which process that was: "cstool (the command)", "iconv (a child)"
    processes: int = 1       # processes seen in the tree while sampling


def _children(pid: int) -> list[int]:
    out: list[int] = []
    try:
        for task in os.listdir(f"/proc/{pid}/task"):
            with open(f"/proc/{pid}/task/{task}/children") as fh:
                out.extend(int(c) for c in fh.read().split())
    except (FileNotFoundError, ProcessLookupError, PermissionError, NotADirectoryError):
        pass
    return out


def _hwm_kb(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/status") as fh:
            for line in fh:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except (FileNotFoundError, ProcessLookupError, PermissionError):
        pass
    return 0


def _name(pid: int) -> str:
    try:
        with open(f"/proc/{pid}/comm") as fh:
            return fh.read().strip()
    except OSError:
        return "?"


def tree_peaks(root: int, peaks: dict[int, int], names: dict[int, str] | None = None) -> None:
    """Record each live process of the tree under ``root`` with its peak RSS so far (kB)."""
    todo = [root]
    while todo:
        pid = todo.pop()
        kb = _hwm_kb(pid)
        if kb > peaks.get(pid, 0):
            peaks[pid] = kb
            if names is not None:
                names[pid] = _name(pid)
        todo.extend(_children(pid))


def run(argv, *, env=None, stdin=None, shell: bool = False, sample: bool = False,
        interval: float = 0.02) -> Run:
    """Run one whole process (and what it starts) to the end; see the module's docstring.

    ``peak_mb`` is 0 unless ``sample``: measuring memory costs a little time (GNU time's
    fork, the sampling thread), which the millisecond figures should not pay.
    """
    full_env = dict(os.environ if env is None else env)
    # An installed cstool runs from cached bytecode; this workplace's
    # PYTHONDONTWRITEBYTECODE=1 would make every run compile from source.
    full_env.pop("PYTHONDONTWRITEBYTECODE", None)
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err, \
            tempfile.NamedTemporaryFile(prefix="cstool-bench-rss-") as rss:
        cmd = argv
        if sample and GNU_TIME:
            inner = ["/bin/sh", "-c", argv] if shell else list(map(str, argv))
            cmd, shell = [GNU_TIME, "-f", "%M", "-o", rss.name, *inner], False
        t0 = time.perf_counter()
        proc = subprocess.Popen(cmd, env=full_env, stdin=stdin, stdout=out, stderr=err, shell=shell)
        done: dict = {}

        def reap() -> None:
            _pid, status = os.waitpid(proc.pid, 0)
            done["t"] = time.perf_counter()
            done["status"] = status

        waiter = threading.Thread(target=reap)
        waiter.start()
        peaks: dict[int, int] = {}
        names: dict[int, str] = {}
        if sample:
            while waiter.is_alive():
                tree_peaks(proc.pid, peaks, names)
                waiter.join(interval)
        waiter.join()
        proc.returncode = os.waitstatus_to_exitcode(done["status"])  # reaped here, not by Popen
        seconds = done["t"] - t0
        out.seek(0)
        err.seek(0)
        stdout = out.read().decode("utf-8", "replace")
        stderr = err.read().decode("utf-8", "replace")
        exact_kb = 0
        if sample and GNU_TIME:
            lines = open(rss.name, encoding="utf-8", errors="replace").read().split()
            exact_kb = int(lines[-1]) if lines and lines[-1].isdigit() else 0
    peaks.pop(proc.pid if sample and GNU_TIME else -1, None)  # GNU time itself
    top_pid, top_kb = max(peaks.items(), key=lambda kv: kv[1], default=(0, 0))
    if not sample:
        largest = "not measured"
    elif not peaks:
        largest = "exact" if exact_kb else "not seen"
    else:
        role = "the command" if top_pid == _first_child(proc.pid, peaks) else "a child"
        largest = f"{names.get(top_pid, '?')} ({role})"
        if not GNU_TIME:
            largest += ", sampled"
    return Run(seconds, max(top_kb, exact_kb) / 1024, proc.returncode, stdout, stderr, largest,
               max(1, len(peaks)))


def _first_child(root: int, peaks: dict[int, int]) -> int:
    """The command's own process: the root, or under GNU time its lowest-numbered child."""
    return root if root in peaks else min(peaks)


@dataclass
class Stats:
    runs: list[Run] = field(default_factory=list)

    @property
    def seconds(self) -> list[float]:
        return [r.seconds for r in self.runs]

    @property
    def median(self) -> float:
        return statistics.median(self.seconds)

    @property
    def best(self) -> float:
        return min(self.seconds)

    @property
    def worst(self) -> float:
        return max(self.seconds)

    @property
    def peak_mb(self) -> float:
        return max(r.peak_mb for r in self.runs)

    @property
    def last(self) -> Run:
        return self.runs[-1]

    def spread_ms(self) -> str:
        return f"{len(self.runs)} runs {self.best * 1000:.0f}–{self.worst * 1000:.0f} ms"


def repeat(n: int, argv, *, ok=(0,), between=None, **kw) -> Stats:
    """``n`` runs of a command, failing loudly on an exit code not in ``ok``.

    ``between`` is called before every run (to put the journal back, say), untimed.
    """
    stats = Stats()
    for _ in range(n):
        if between is not None:
            between()
        r = run(argv, **kw)
        if r.returncode not in ok:
            cmd = argv if isinstance(argv, str) else " ".join(map(str, argv))
            raise SystemExit(f"benchmark command failed (exit {r.returncode}): {cmd}\n"
                             f"{(r.stderr or r.stdout)[-2000:]}")
        stats.runs.append(r)
    return stats
