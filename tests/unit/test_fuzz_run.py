"""The run path under fuzz: generated playbooks (every action, random templates, conditions,
loops, registers, retries) run through `netplay run`'s own code against replayed devices
that answer at random — output, device errors, timeouts, dropped sessions, refused logins —
sometimes interrupted mid-run. Never a traceback; the exit code is one the README
documents; the results file is always written, valid against its schema, and holds every
result the journal holds.
"""

from __future__ import annotations

import contextlib
import io
import itertools
import json
import threading
from pathlib import Path
from typing import Any

import jsonschema
import yaml
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from engine import commands
from engine.cli import guarded
from engine.drivers import ConnectionSettings
from engine.drivers.replay import ReplayDriver, Script
from engine.errors import (
    AuthenticationFailed,
    CommandTimeout,
    DeviceError,
    SessionLost,
    Unreachable,
)
from engine.inventory import Host
from engine.options import RunOptions
from engine.runner import Stop

ROOT = Path(__file__).resolve().parents[2]
RESULTS = jsonschema.Draft202012Validator(
    json.loads((ROOT / "schemas" / "results.schema.json").read_text())
)
FUZZ = settings(
    max_examples=100,
    deadline=5000,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
HOSTS = ("R1", "R2", "R3")
INVENTORY = """\
defaults: {vars: {site: lab, ports: [Gi0/1, Gi0/2]}}
groups:
  core: {hosts: [R1, R2]}
hosts:
  R1: {host: 10.0.0.1, vars: {uplink: Gi0/1}}
  R2: {host: 10.0.0.2, vars: {uplink: Gi0/2}}
  R3: {host: 10.0.0.3, vars: {uplink: Gi0/3, site: edge}}
"""
DOCUMENTED_EXITS = {0, 2, 3, 4, 5, 99}  # 1 would be a bug surfacing as "internal error"
BASE = ["inventory_hostname", "site", "ports", "uplink", "group_names", "check_mode"]
ERROR = "% Invalid input detected at '^' marker."


def atoms(names: list[str], looped: bool) -> st.SearchStrategy[str]:
    registered = [f"{n}.output" for n in names] + [f"{n}.failed" for n in names]
    local = ["item"] if looped else []
    return st.sampled_from([*BASE, *registered, *local, "'up'", "3", "hostvars['R1'].site"])


@st.composite
def expressions(draw: st.DrawFn, names: list[str], looped: bool = False) -> str:
    left, right = draw(atoms(names, looped)), draw(atoms(names, looped))
    shape = draw(
        st.sampled_from(
            [
                "{a}",
                "hostvars | length",
                "{a} ~ {b}",
                "{a} == {b}",
                "{b} in {a}",
                "{a} | length",
                "{a} | upper",
                "[{a}, {b}]",
                "{{'k': {a}}}",
                "{a} | default('x')",
                "{a} | regex_search('G')",
                "({a} | int) + 1",
            ]
        )
    )
    return shape.format(a=left, b=right)


@st.composite
def steps(draw: st.DrawFn, index: int, names: list[str]) -> dict[str, Any]:
    action = draw(st.sampled_from(["send", "send", "config", "set", "assert"]))
    step: dict[str, Any] = {"name": f"step {index}"}
    if draw(st.integers(0, 3)) == 0:
        step["loop"] = draw(st.sampled_from([["a", "b"], "{{ ports }}", "ports", []]))
    expr = expressions(names, looped="loop" in step)
    _action(draw, step, action, expr, index)
    if draw(st.booleans()):
        step["when"] = draw(st.one_of(expr, st.booleans()))
    if draw(st.booleans()):
        step["vars"] = {"local": f"{{{{ {draw(expr)} }}}}"}
    if action in ("send", "config") and draw(st.integers(0, 3)) == 0:
        step["until"] = draw(expr)
        step["retries"] = draw(st.integers(1, 2))
        step["delay"] = 0
    for key in ("failed_when", "changed_when"):
        if draw(st.integers(0, 4)) == 0:
            step[key] = draw(expr)
    # `rollback_on_failure`: a replayed device cannot archive, so the step fails
    flags = ("save", "rollback_on_failure") if action == "config" else ()
    for key in ("ignore_errors", "run_once", *flags):
        if draw(st.integers(0, 4)) == 0:
            step[key] = True
    if action in ("send", "config") and draw(st.integers(0, 6)) == 0:
        step["save_to"] = draw(st.sampled_from(["all.txt", "out/{{ inventory_hostname }}.txt"]))
    if draw(st.booleans()):
        step["register"] = f"reg{index}"
        names.append(f"reg{index}")
    return step


def _action(
    draw: st.DrawFn, step: dict[str, Any], action: str, expr: st.SearchStrategy[str], index: int
) -> None:
    if action in ("send", "config"):
        count = draw(st.integers(1, 3))
        step[action] = [f"{action} {i} {{{{ {draw(expr)} }}}}" for i in range(count)]
    elif action == "set":
        # `hostvars` itself at most once: each copy holds the copies before it
        whole = index == 0 and draw(st.booleans())
        step["set"] = {f"fact{index}": "{{ hostvars }}" if whole else f"{{{{ {draw(expr)} }}}}"}
    else:
        step["assert"] = {"that": [draw(expr)]}


@st.composite
def playbooks(draw: st.DrawFn) -> list[dict[str, Any]]:
    names: list[str] = []
    plays, counter = [], itertools.count()
    for p in range(draw(st.integers(1, 2))):
        play: dict[str, Any] = {
            "name": f"play {p}",
            "hosts": draw(st.sampled_from(["all", "core", "R3", "all,!R2"])),
            "steps": [draw(steps(next(counter), names)) for _ in range(draw(st.integers(1, 4)))],
        }
        if draw(st.booleans()):
            play["vars"] = {"shared": f"{{{{ {draw(expressions(names[:0]))} }}}}"}
        if draw(st.integers(0, 3)) == 0:
            play["strategy"] = "lockstep"  # `pipeline` is refused when a step reads hostvars
        if draw(st.booleans()):
            play["serial"] = draw(st.sampled_from([1, 2, "50%", [1, "100%"]]))
        for key, values in (("max_fail_percentage", [0, 50]), ("any_errors_fatal", [True])):
            if draw(st.integers(0, 3)) == 0:
                play[key] = draw(st.sampled_from(values))
        plays.append(play)
    return plays


REPLIES = st.one_of(
    st.sampled_from(["", "Gi0/1 up up", "up\nGi0/2 down", ERROR, "% Incomplete command."]),
    st.sampled_from(["timeout", "drop"]),
)


@st.composite
def devices(draw: st.DrawFn) -> dict[str, tuple[str | None, tuple[str, ...]]]:
    """Per host: a failure on open (or None) and the replies it gives in turn."""
    opens = st.sampled_from([None] * 6 + ["refused", "login"])
    return {h: (draw(opens), tuple(draw(st.lists(REPLIES, max_size=4)))) for h in HOSTS}


def script(host: str, opened: str | None, replies: tuple[str, ...]) -> Script:
    failures: dict[str, DeviceError] = {
        "refused": Unreachable(host, "connection refused"),
        "login": AuthenticationFailed(host, "authentication failed for user 'u'"),
        "timeout": CommandTimeout(host, "timed out after 1s without a prompt"),
        "drop": SessionLost(host, "the device closed the session"),
    }
    answers = tuple(failures.get(r, r) for r in replies)
    return Script(fail_on_open=failures.get(opened or ""), replies=answers)


def factory(
    plan: dict[str, tuple[str | None, tuple[str, ...]]], stop: Stop, stop_after: int | None
) -> Any:
    sent, lock = itertools.count(1), threading.Lock()

    def make(host: Host, settings: ConnectionSettings) -> ReplayDriver:
        driver = ReplayDriver(host, settings, script(host.name, *plan[host.name]))
        send = driver.send

        def sending(command: str, **kwargs: Any) -> Any:
            with lock:
                if stop_after is not None and next(sent) == stop_after:
                    stop.set()  # Ctrl-C arrives while this command runs
            return send(command, **kwargs)

        driver.send = sending  # type: ignore[method-assign]
        return driver

    return make


@FUZZ
@given(
    book=playbooks(),
    answers=devices(),
    stop_after=st.one_of(st.none(), st.integers(1, 4)),
    check=st.booleans(),
)
def test_generated_playbooks_run_cleanly_and_always_leave_valid_results(
    book: list[dict[str, Any]],
    answers: dict[str, tuple[str | None, tuple[str, ...]]],
    stop_after: int | None,
    check: bool,
    tmp_path: Path,
) -> None:
    folder = tmp_path / f"run{next(RUNS)}"
    folder.mkdir()
    (folder / "inventory.yml").write_text(INVENTORY)
    (folder / "playbook.yml").write_text(yaml.safe_dump(book, sort_keys=False))
    results = folder / "run.json"
    options = RunOptions(
        inventory=folder / "inventory.yml",
        results=results,
        output_dir=folder,
        check=check,
        forks=3,
        quiet=True,
    )
    stop = Stop()
    make = factory(answers, stop, stop_after)
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = guarded(
            lambda: commands.run(
                str(folder / "playbook.yml"), options, stop=stop, driver_factory=make
            )
        )
    event(f"exit {code}")
    shown = out.getvalue() + err.getvalue()
    assert code in DOCUMENTED_EXITS, shown
    assert "Traceback" not in shown and "internal error" not in shown
    if code in (4, 5):  # refused before anything ran
        assert not results.exists()
        return
    data = json.loads(results.read_text())
    RESULTS.validate(data)
    kept = sorted((s["step"], r["host"]) for s in data["steps"] for r in s["results"])
    rows = [json.loads(line) for line in results.with_suffix(".jsonl").read_text().splitlines()]
    assert kept == sorted((row["step"], row["host"]) for row in rows)
    assert data["interrupted"] is (code == 99)


RUNS = itertools.count()
