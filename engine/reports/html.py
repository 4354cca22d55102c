"""`--report html`: one self-contained page for people — the recap, the failures, the
slowest hosts, a timeline of when each host ran each step, and per host what was sent,
what came back and what changed in its configuration.

The page is rendered by Jinja2 with autoescaping, every string made printable first; it
has no script, loads nothing, and forbids both (see `engine.reports.page`).
"""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

import jinja2

from engine.reports import clean, exchanges, outcome, plays, results_of
from engine.reports.page import CSS, TEMPLATE
from engine.results import PHASES, own_time

COUNTS = ("ok", "changed", "failed", "unreachable", "skipped", "ignored")
SLOWEST = 5


def html_page(data: Mapping[str, Any]) -> str:
    """The results `data` as an HTML page."""
    digest = base64.b64encode(hashlib.sha256(CSS.encode()).digest()).decode()
    policy = f"default-src 'none'; style-src 'sha256-{digest}'; base-uri 'none'; form-action 'none'"
    anchors = {host: f"host-{i}" for i, host in enumerate(data["hosts"], 1)}
    ends = [(r.get("started") or 0.0) + r["elapsed"] for _, r in results_of(data)]
    span = max([data["elapsed"], *ends]) or 1.0  # the timeline's width, in seconds
    page = {
        "policy": policy,
        "css": CSS,
        "version": data["netplay"],
        "playbook": data["playbook"],
        "inventory": data["inventory"],
        "outcome": outcome(data),
        "started": datetime.fromtimestamp(data["started"], UTC).strftime("%Y-%m-%d %H:%M:%S UTC"),
        "elapsed": _seconds(data["elapsed"]),
        "host_count": len(data["hosts"]),
        "plays": [(play, data.get("mode", {}).get(play, "")) for play in plays(data)],
        "counts": COUNTS,
        "recap": _recap(data, anchors),
        "failures": _failures(data, anchors),
        "batches": _batches(data),
        "ending": _ending(data),
        "not_run": [_not_run(n) for n in data.get("not_run", ())],
        "phases": PHASES,
        "slowest": _slowest(data, anchors),
        "ticks": [_seconds(span * i / 4) for i in range(5)],
        "lanes": _lanes(data, span),
        "hosts": [_host(data, host, anchors[host]) for host in data["hosts"]],
    }
    return _template().render(page)


def _template() -> jinja2.Template:
    env = jinja2.Environment(autoescape=True, undefined=jinja2.StrictUndefined, finalize=_finalize)
    return env.from_string(TEMPLATE)


def _finalize(value: Any) -> Any:
    """Every text shown: control characters made visible (then escaped by Jinja2); only
    the page's own style sheet is marked safe."""
    if isinstance(value, str) and not hasattr(value, "__html__"):
        return clean(value)
    return value


def _recap(data: Mapping[str, Any], anchors: Mapping[str, str]) -> list[dict[str, Any]]:
    rows = []
    for host, counts in data["recap"].items():
        bad = bool(counts["failed"] or counts["unreachable"])
        values = [(name, counts[name]) for name in COUNTS]
        rows.append({"host": host, "anchor": anchors.get(host, ""), "bad": bad, "counts": values})
    return rows


def _failures(data: Mapping[str, Any], anchors: Mapping[str, str]) -> list[dict[str, Any]]:
    return [
        {
            "host": r["host"],
            "anchor": anchors.get(r["host"], ""),
            "step": s["step"],
            "status": r["status"],
            "kind": r.get("kind") or r["status"],
            "error": r.get("error") or r.get("msg") or "",
        }
        for s, r in results_of(data)
        if r["failed"] and not r.get("ignored")
    ]


def _batches(data: Mapping[str, Any]) -> list[dict[str, Any]]:
    rows = []
    for b in data.get("batches", ()):
        if not b["ran"]:
            text, cls = "not run", "skipped"
        elif b["failed"]:
            text, cls = f"{len(b['failed'])} failed: {', '.join(b['failed'])}", "failed"
        else:
            text, cls = "ok", "ok"
        number = f"{b['batch']}/{b['of']}"
        rows.append(
            {"play": b["play"], "number": number, "hosts": ", ".join(b["hosts"]), "outcome": text}
            | {"cls": cls}
        )
    return rows


def _ending(data: Mapping[str, Any]) -> list[str]:
    """Why the run ended early, if it did."""
    lines = []
    if data.get("interrupted"):
        lines.append("interrupted (Ctrl-C or SIGTERM): what ran is below")
    if data.get("stopped"):
        lines.append(data["stopped"]["reason"])
    return lines


def _not_run(missing: Mapping[str, Any]) -> str:
    hosts = missing["hosts"]
    return f"{missing['step']} ({missing['play']}) on {len(hosts)} hosts: {', '.join(hosts)}"


def _slowest(data: Mapping[str, Any], anchors: Mapping[str, str]) -> list[dict[str, Any]]:
    """The hosts that took longest on their own (connect, enable, commands)."""
    timings = data.get("timings") or {}
    ranked = sorted(timings, key=lambda host: -own_time(timings[host]))[:SLOWEST]
    return [
        {
            "host": host,
            "anchor": anchors.get(host, ""),
            "busy": _seconds(own_time(timings[host])),
            "phases": [_seconds(timings[host].get(p, 0.0)) for p in PHASES],
        }
        for host in ranked
    ]


def _lanes(data: Mapping[str, Any], span: float) -> list[dict[str, Any]]:
    """Per host, a bar per step from when it began to when it ended, on a 0-1000 scale
    for `span` seconds. A results file without start times places each host's steps one
    after the other."""
    lanes: dict[str, list[dict[str, Any]]] = {host: [] for host in data["hosts"]}
    clock: dict[str, float] = {}
    for step, r in results_of(data):
        begin = r.get("started")
        begin = clock.get(r["host"], 0.0) if begin is None else begin
        clock[r["host"]] = begin + r["elapsed"]
        label = _label(r)
        title = f"{step['step']}: {label}, {_seconds(r['elapsed'])} from {_seconds(begin)}"
        bar = {
            "x": f"{1000 * begin / span:.1f}",
            "width": f"{max(1000 * r['elapsed'] / span, 2.0):.1f}",
            "cls": label,
            "title": title,
        }
        lanes.setdefault(r["host"], []).append(bar)
    return [{"host": host, "bars": bars} for host, bars in lanes.items()]


def _host(data: Mapping[str, Any], host: str, anchor: str) -> dict[str, Any]:
    counts = data["recap"].get(host, {})
    summary = "  ".join(f"{name}={counts.get(name, 0)}" for name in COUNTS[:5])
    steps = [_step(s, r) for s, r in results_of(data) if r["host"] == host]
    bad = bool(counts.get("failed") or counts.get("unreachable"))
    return {"name": host, "anchor": anchor, "bad": bad, "summary": summary, "steps": steps}


def _step(step: Mapping[str, Any], r: Mapping[str, Any]) -> dict[str, Any]:
    label = _label(r)
    rollback = r.get("rollback")
    return {
        "step": step["step"],
        "label": label,
        "time": _seconds(r["elapsed"]),
        "error": r.get("error") or "",
        "kind": r.get("kind") or r["status"],
        "msg": r.get("msg") or "",
        "exchanges": exchanges(r),
        "facts": json.dumps(r["facts"], indent=2, default=str) if r.get("facts") else "",
        "diff": [(_diff_class(line), line) for line in (r.get("diff") or "").splitlines()],
        "rollback": _rollback(rollback) if rollback else None,
    }


def _rollback(rollback: Mapping[str, Any]) -> dict[str, str]:
    if rollback["status"] == "ok":
        text = f"rolled back: {rollback['file']} restored, undoing '{rollback['step']}'"
        return {"cls": "changed", "text": text}
    return {"cls": "failed", "text": f"rollback failed: {rollback['error']}"}


def _label(r: Mapping[str, Any]) -> str:
    if r.get("ignored"):
        return "ignored"
    if r["status"] == "ok" and r.get("changed"):
        return "changed"
    return str(r["status"])


def _diff_class(line: str) -> str:
    return "add" if line.startswith("+") else "del" if line.startswith("-") else "ctx"


def _seconds(value: float) -> str:
    return f"{float(value):.2f}s"
