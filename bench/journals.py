"""Generated exports and journals for the benchmarks, cached in bench/data/ by their parameters.

- :func:`dataset` — a directory of ``gen_export.py`` output (orders, items, history),
  generated once per (rows, backlog, seed, days, clock, generator version).
- :func:`realistic_journal` — the journal a team would have after 90 days (or ``days``): built by
  replaying the history through the CLI as whole processes, in time order (each
  ``--now`` the event's own): ``cstool init``, ``agent add`` for the team, then the
  three daily ``orders import`` of what changed, and between them the team's ``chase
  log``, ``exception log / update --photo / update --note / close`` and ``handover add /
  ack``. Nothing is written behind the CLI's back. When cstool reads item-level
  exports, the item export of every order is imported last (the journal gains lines).
  Only the last ``CSTOOL_BENCH_REPLAYED_DAYS`` days (14) are replayed so: the imports
  before them are one import of the orders as they stood then (the generator's base),
  which leaves the same orders, but not their memos' versions in between nor the holds
  those opened and no later memo released (fewer open holds and remarks).
- :func:`backlog_journal` — one ``orders import`` of an export whose newest paid
  orders never shipped.

A journal is rebuilt when its generator, builder or the item support changed, or with
``--rebuild`` (needed after a change of what an import stores that came without a
migration); a build that did not finish is never used (its stamp is written last).
A journal built at an older schema is migrated, as a shop's journal is when a newer
cstool opens it (:func:`migrated`), and its stamp says from which schema; a change
of schema alone does not rebuild it (a rebuild at 3M orders takes hours).
"""

from __future__ import annotations

import functools
import json
import os
import shutil
import struct
import subprocess
import sys
import tempfile
import zlib
from collections import Counter
from pathlib import Path

HERE = Path(__file__).resolve().parent
DATA = Path(os.environ.get("CSTOOL_BENCH_DATA") or HERE / "data")
BENCH_NOW = "2026-11-23 15:00"
SEED, DAYS = 15, 90
# The realistic journals replay only their last days through the CLI, after one import of
# the orders as they stood then (a full replay at 3M orders takes hours): 90 replays all.
REPLAYED_DAYS = int(os.environ.get("CSTOOL_BENCH_REPLAYED_DAYS") or 14)
BUILDER = 1  # bump when the replay changes


def _say(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


def _version() -> int:
    sys.path.insert(0, str(HERE))
    from gen_export import VERSION

    return VERSION


def _unlink_journal(path: Path) -> None:
    for suffix in ("", "-wal", "-shm"):
        Path(str(path) + suffix).unlink(missing_ok=True)


def dataset(rows: int, parts: list[str], *, backlog: int = 0, now: str = BENCH_NOW,
            days: int = DAYS) -> Path:
    """The generator's output for these parameters, with at least ``parts`` present.

    ``parts``: ``orders``, ``items`` (every line) or ``items:L`` (at most L lines),
    ``history``. Missing parts are generated in one pass, in a process of their own.
    """
    clock = f"{now[:10]}T{now[11:13]}{now[14:16]}"
    key = f"export-{rows}-b{backlog}-s{SEED}-d{days}-{clock}-v{_version()}"
    out = DATA / key
    missing = []
    for part in parts:
        name, _, arg = part.partition(":")
        path = {"orders": out / "orders.csv", "items": out / f"items-{arg or 'all'}.csv",
                "history": out / "history" / "manifest.json",
                "base": out / f"base-{arg}d.json"}[name]
        if not path.exists():
            missing.append(part)
    if missing:
        _say(f"generating {rows:,} orders ({', '.join(missing)}) → {out} …")
        if "history" in missing:
            shutil.rmtree(out / "history", ignore_errors=True)
        subprocess.run([sys.executable, str(HERE / "gen_export.py"), str(out), "--rows", str(rows),
                        "--parts", ",".join(missing), "--now", now, "--seed", str(SEED),
                        "--days", str(days), "--backlog", str(backlog)],
                       check=True, stdout=subprocess.DEVNULL)
    return out


def items_file(ds: Path, lines: int | None) -> Path:
    return ds / f"items-{lines or 'all'}.csv"


def _env() -> dict:
    env = dict(os.environ)
    env.pop("PYTHONDONTWRITEBYTECODE", None)  # run from cached bytecode, as installed
    return env


def _cs(cstool: str, db, now: str, *args: str, agent: str | None = None):
    argv = [cstool, "--db", str(db), "--now", now, *(["--agent", agent] if agent else []), *args]
    return subprocess.run(argv, capture_output=True, text=True, env=_env())


class InProcess:
    """cstool's console script called in this process, one command after another.

    For the replay's many small writes only (a whole process each would cost 0.15 s of
    start-up, minutes over a history): the same entry point, arguments and exit codes
    as the command line, found by its name, so no module path is assumed.
    """

    def __init__(self):
        from importlib.metadata import entry_points

        (ep,) = entry_points(group="console_scripts", name="cstool")
        self.main = ep.load()

    def __call__(self, cstool: str, db, now: str, *args: str, agent: str | None = None):
        import contextlib
        import io

        argv = ["--db", str(db), "--now", now, *(["--agent", agent] if agent else []), *args]
        out, err = io.StringIO(), io.StringIO()
        code = 0
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            try:
                self.main(argv)
            except SystemExit as e:
                code = e.code if isinstance(e.code, int) else (0 if e.code is None else 1)
        return subprocess.CompletedProcess(argv, code, out.getvalue(), err.getvalue())


@functools.cache
def schema(cstool: str) -> dict:
    """The schema a fresh journal gets today (a cached journal at an older one is migrated
    to it: :func:`migrated`)."""
    with tempfile.TemporaryDirectory(prefix="cstool-bench-schema-") as tmp:
        db = Path(tmp) / "j.db"
        _cs(cstool, db, BENCH_NOW, "init")
        r = _cs(cstool, db, BENCH_NOW, "journal", "status", "--json")
        if r.returncode:
            raise SystemExit(f"cstool journal status failed:\n{r.stderr}")
        s = json.loads(r.stdout)
        return {"schema_version": s.get("schema_version"),
                "migrations_applied": s.get("migrations_applied")}


def items_support(cstool: str) -> tuple[bool, str]:
    """Does cstool read the item-level export as order lines? (True, "") or (False, why).

    Probed on a small item file in a fresh journal: the import must succeed and
    ``orders show`` of an order it names must list that order's ``items``.
    """
    ds = dataset(2000, ["items:400"])
    path = items_file(ds, 400)
    with open(path, encoding="gb18030") as fh:
        fh.readline()
        order_id = fh.readline().split(",")[1].strip('="')
    with tempfile.TemporaryDirectory(prefix="cstool-bench-items-") as tmp:
        db = Path(tmp) / "j.db"
        _cs(cstool, db, BENCH_NOW, "init")
        _cs(cstool, db, BENCH_NOW, "agent", "add", "bench")
        r = _cs(cstool, db, BENCH_NOW, "orders", "import", str(path), "--json", agent="bench")
        if r.returncode:
            why = (r.stderr.strip().splitlines() or ["(no message)"])[-1]
            return False, f"the import refused the item export: {why}"
        show = _cs(cstool, db, BENCH_NOW, "orders", "show", order_id, "--json")
        try:
            items = json.loads(show.stdout).get("items") if show.returncode == 0 else None
        except json.JSONDecodeError:
            items = None
        if not items:
            return False, ("cstool does not read item-level exports as order lines yet: it took "
                           "the 2020 item CSV for orders (`orders show` lists no items)")
    return True, ""


def _png(seed: str) -> bytes:
    """A small valid PNG, different for every seed (photos are stored by content)."""
    h = zlib.crc32(seed.encode())
    pixel = bytes(((h >> 8) & 255, h & 255, (h >> 16) & 255))
    raw = b"".join(b"\x00" + pixel * 8 for _ in range(8))

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 8, 8, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))


def _argv(ev: dict, ids: dict, photos: Path) -> list[str]:
    do = ev["do"]
    if do == "chase":
        argv = ["chase", "log", ev["order"], "--channel", ev["channel"]]
        for key in ("result", "reason", "promise"):
            if key in ev:
                argv += [f"--{key}", ev[key]]
        return argv
    if do == "case":
        return ["exception", "log", ev["order"], "--kind", ev["kind"], "--detail", ev["detail"],
                "--json"]
    if do == "case_photo":
        argv = ["exception", "update", ids[ev["ref"]]]
        for k in range(ev["photos"]):
            p = photos / f"{ev['ref']}-{k + 1}.png"
            p.write_bytes(_png(p.name))
            argv += ["--photo", str(p)]
        return argv
    if do == "case_note":
        return ["exception", "update", ids[ev["ref"]], "--note", ev["note"]]
    if do == "case_close":
        return ["exception", "close", ids[ev["ref"]], "--outcome", ev["outcome"]]
    if do == "handover":
        argv = ["handover", "add", "-c", ev["category"], "-p", ev["problem"], "-t", ev["todo"],
                "--json"]
        for key in ("order", "buyer", "phone"):
            if key in ev:
                argv += [f"--{key}", ev[key]]
        return argv
    if do == "ack":
        return ["handover", "ack", ids[ev["ref"]], "--receipt", ev["receipt"]]
    raise SystemExit(f"unknown plan event {do!r}")


def replay(cstool: str, history: Path, db: Path, items: Path | None = None,
           base: Path | None = None) -> dict:
    """Build a journal from a generated history through the CLI; what happened, counted.

    Imports and set-up run as whole processes; the team's small writes go through the
    console script in this process (:class:`InProcess`) unless ``CSTOOL_BENCH_REPLAY=process``.

    With ``base`` (the generator's ``base-<D>d.csv``), the history's imports up to the
    base's time are replaced by one import of the base, made at that time; the team's
    chases before it are left out (their orders were paid or closed long since), its
    abnormal shipments and handover items are logged after the base, each at its own
    time, and everything after the base is replayed as it happened.
    """
    write = _cs if os.environ.get("CSTOOL_BENCH_REPLAY") == "process" else InProcess()
    manifest = json.loads((history / "manifest.json").read_text(encoding="utf-8"))
    plan = [json.loads(line) for line in (history / "plan.jsonl").read_text(encoding="utf-8")
            .splitlines()]
    first = manifest["imports"][0]["at"]
    _unlink_journal(db)
    for argv in (["init"], *(["agent", "add", short, "--name", name, "--role", role, "--job-no", job]
                             for short, name, role, job in manifest["agents"])):
        r = _cs(cstool, db, first[:16], *argv)
        if r.returncode:
            raise SystemExit(f"building {db}: cstool {' '.join(argv)} failed:\n{r.stderr}")
    supervisor = manifest["agents"][-1][0]
    done: Counter = Counter()
    events = sorted([(e["at"], 0, {"do": "import", **e}) for e in manifest["imports"]] +
                    [(e["at"], 1, e) for e in plan], key=lambda x: (x[0], x[1]))
    if base is not None:
        base_at = json.loads(base.with_suffix(".json").read_text(encoding="utf-8"))["at"]
        before = [e for e in events if e[0] <= base_at]
        done["import (in the base)"] = sum(e[2]["do"] == "import" for e in before)
        done["chase (before the base, left out)"] = sum(e[2]["do"] == "chase" for e in before)
        events = ([(base_at, 0, {"do": "import", "file": str(base.resolve())})]
                  + [e for e in before if e[2]["do"] not in ("import", "chase")]
                  + [e for e in events if e[0] > base_at])
    ids: dict[str, str] = {}
    show_order = None
    refused: Counter = Counter()
    examples: list[str] = []
    photos = history / "photos"
    photos.mkdir(exist_ok=True)
    rows = {"inserted": 0, "updated": 0, "unchanged": 0, "rejected": 0}
    step = max(1, len(events) // 10)
    for n, (at, _, ev) in enumerate(events):
        if n % step == 0:
            _say(f"  {db.name}: {n:,}/{len(events):,} steps (at {at[:16]})")
        if ev["do"] == "import":
            r = _cs(cstool, db, at, "orders", "import", str(history / ev["file"]), "--json",
                    agent=supervisor)
            if r.returncode:
                raise SystemExit(f"building {db}: import of {ev['file']} failed:\n{r.stderr}")
            for res in json.loads(r.stdout):
                for k in ("inserted", "updated", "unchanged"):
                    rows[k] += res[k]
                rows["rejected"] += len(res["rejected"])
                if res["rejected"] and len(examples) < 5:
                    examples.append(f"{ev['file']}: {res['rejected'][0]}")
            done["import"] += 1
            continue
        if ev["do"] in ("case_photo", "case_note", "case_close", "ack") and ev["ref"] not in ids:
            refused[ev["do"] + " (its item was refused)"] += 1
            continue
        r = write(cstool, db, at, *_argv(ev, ids, photos), agent=ev["agent"])
        if r.returncode:
            refused[ev["do"]] += 1
            if len(examples) < 8:
                examples.append(f"{ev['do']} at {at}: {(r.stderr.strip().splitlines() or [''])[-1]}")
            continue
        done[ev["do"]] += 1
        if ev["do"] in ("case", "handover"):
            created = json.loads(r.stdout)
            ids[ev["ref"]] = str((created[0] if isinstance(created, list) else created)["id"])
            if ev["do"] == "case":
                show_order = ev["order"]  # the latest case's order: memo, case, maybe more
    if items is not None:
        r = _cs(cstool, db, BENCH_NOW, "orders", "import", str(items), "--json", agent=supervisor)
        if r.returncode:
            raise SystemExit(f"building {db}: import of the item export failed:\n{r.stderr}")
        done["import items"] += 1
    status = json.loads(_cs(cstool, db, BENCH_NOW, "journal", "status", "--json").stdout)
    return {"done": dict(done), "refused": dict(refused), "examples": examples, "rows": rows,
            "counts": status.get("counts", {}), "size_bytes": status.get("size_bytes"),
            "show_order": show_order, "generated": manifest["counts"]}


def _replay_apart(cstool: str, history: Path, db: Path, items: Path | None,
                  base: Path | None) -> dict:
    """:func:`replay` in a process of its own (it loads cstool; the runner stays clean)."""
    out = Path(str(db) + ".replay.json")
    argv = [sys.executable, str(HERE / "journals.py"), "replay", cstool, str(history), str(db),
            str(out), str(items or ""), str(base or "")]
    subprocess.run(argv, check=True, env=_env())
    result = json.loads(out.read_text(encoding="utf-8"))
    out.unlink()
    return result


def migrated(cstool: str, db: Path, built: dict, now: dict) -> bool:
    """Bring journal ``db``, built at schema ``built``, to schema ``now`` the way cstool
    does on open (``journal status`` opens it; migrations apply). True when it is there."""
    if built == now:
        return True
    _say(f"  {db.name}: built at {built.get('schema_version')}, migrating to "
         f"{now.get('schema_version')} …")
    r = _cs(cstool, db, BENCH_NOW, "journal", "status", "--json")
    if r.returncode:
        return False
    s = json.loads(r.stdout)
    return {"schema_version": s.get("schema_version"),
            "migrations_applied": s.get("migrations_applied")} == now


def _fresh(path: Path, stamp: dict, rebuild: bool, cstool: str = "") -> dict | None:
    meta = Path(str(path) + ".json")
    if rebuild or not path.exists() or not meta.exists():
        return None
    old = json.loads(meta.read_text(encoding="utf-8"))
    if old.get("stamp") == stamp:
        return old
    built = dict(old.get("stamp") or {})
    schema_then = built.pop("schema", None)
    if not cstool or schema_then is None or built != {k: v for k, v in stamp.items()
                                                       if k != "schema"}:
        return None
    if not migrated(cstool, path, schema_then, stamp["schema"]):
        return None
    old.setdefault("migrated_from", schema_then)
    old["stamp"] = stamp
    meta.write_text(json.dumps(old, ensure_ascii=False, indent=1), encoding="utf-8")
    return old


def realistic_journal(cstool: str, rows: int, *, lines: bool, rebuild: bool = False,
                      keep_history: bool = False, days: int = DAYS) -> tuple[Path, dict]:
    """The journal of ``rows`` orders over ``days`` days (90 unless told; built once; see
    the module's docstring)."""
    stamp = {"rows": rows, "seed": SEED, "days": days, "now": BENCH_NOW, "generator": _version(),
             "builder": BUILDER, "schema": schema(cstool), "lines": lines,
             "replayed_days": REPLAYED_DAYS}
    path = DATA / (f"realistic-{rows}.db" if days == DAYS else f"realistic-{rows}-{days}d.db")
    meta = _fresh(path, stamp, rebuild, cstool)
    if meta is not None:
        return path, meta
    based = REPLAYED_DAYS < days
    parts = ["history"] + (["items"] if lines else []) + ([f"base:{REPLAYED_DAYS}"] if based else [])
    ds = dataset(rows, parts, days=days)
    _say(f"building the realistic journal {path} (through the CLI; a few minutes) …")
    Path(str(path) + ".json").unlink(missing_ok=True)
    meta = {"stamp": stamp, **_replay_apart(
        cstool, ds / "history", path, items_file(ds, None) if lines else None,
        ds / f"base-{REPLAYED_DAYS}d.csv" if based else None)}
    if meta["refused"] or meta["rows"]["rejected"]:
        _say(f"  cstool refused some of the history: {meta['refused']}, "
             f"{meta['rows']['rejected']:,} rows rejected; e.g. " + " | ".join(meta["examples"][:3]))
    Path(str(path) + ".json").write_text(json.dumps(meta, ensure_ascii=False, indent=1),
                                         encoding="utf-8")
    if not keep_history:  # several GB at 3M orders; generated again if ever needed
        shutil.rmtree(ds / "history", ignore_errors=True)
    return path, meta


def backlog_journal(cstool: str, rows: int, backlog: int, *,
                    rebuild: bool = False) -> tuple[Path, dict]:
    """A journal of ``rows`` orders whose ``backlog`` newest paid orders never shipped."""
    stamp = {"rows": rows, "backlog": backlog, "seed": SEED, "days": DAYS, "now": BENCH_NOW,
             "generator": _version(), "builder": BUILDER, "schema": schema(cstool)}
    path = DATA / f"backlog-{rows}-{backlog}.db"
    meta = _fresh(path, stamp, rebuild, cstool)
    if meta is not None:
        return path, meta
    ds = dataset(rows, ["orders"], backlog=backlog)
    _say(f"building the backlog journal {path} …")
    Path(str(path) + ".json").unlink(missing_ok=True)
    _unlink_journal(path)
    for argv in (["init"], ["agent", "add", "bench"]):
        _cs(cstool, path, BENCH_NOW, *argv)
    r = _cs(cstool, path, BENCH_NOW, "orders", "import", str(ds / "orders.csv"), "--json",
            agent="bench")
    if r.returncode:
        raise SystemExit(f"building {path}: the import failed:\n{r.stderr}")
    status = json.loads(_cs(cstool, path, BENCH_NOW, "journal", "status", "--json").stdout)
    meta = {"stamp": stamp, "import": json.loads(r.stdout)[0], "counts": status.get("counts", {})}
    Path(str(path) + ".json").write_text(json.dumps(meta, ensure_ascii=False, indent=1),
                                         encoding="utf-8")
    return path, meta


if __name__ == "__main__":
    if sys.argv[1:2] != ["replay"] or len(sys.argv) != 8:
        raise SystemExit("usage: journals.py replay CSTOOL HISTORY DB OUT.json ITEMS.csv|'' "
                         "BASE.csv|''")
    _cstool, _history, _db, _out, _items, _base = sys.argv[2:8]
    _result = replay(_cstool, Path(_history), Path(_db), Path(_items) if _items else None,
                     Path(_base) if _base else None)
    Path(_out).write_text(json.dumps(_result, ensure_ascii=False), encoding="utf-8")
