"""Reports for people and CI, made from a run's results (the `--results` JSON).

`netplay run --report junit FILE` and `--report html FILE` write them at the end of a run
(however it ended); `netplay report junit|html --from RESULTS.json --out FILE` makes them
again from a results file. Both come from the same JSON, so they are the same either way.
Device text is hostile: every string is masked, its control characters made visible, and
escaped for XML or HTML; files are written with `engine.files.atomic_write`.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

from engine.errors import UsageError
from engine.files import atomic_write
from engine.secrets import Mask
from engine.terminal import printable

FORMATS = ("junit", "html")
# Characters XML 1.0 cannot hold at all (`printable` has made C0 controls visible already).
_NOT_XML = re.compile("[\ud800-\udfff\ufffe\uffff]")


def clean(value: Any) -> str:
    """A value as text a report may hold: control characters visible, nothing XML refuses."""
    return _NOT_XML.sub("\ufffd", printable(str(value)))


def render(kind: str, data: Mapping[str, Any]) -> str:
    """The report `kind` (one of FORMATS) of the results `data`."""
    if kind == "junit":
        from engine.reports.junit import junit_xml

        return junit_xml(data)
    from engine.reports.html import html_page

    return html_page(data)


def write_reports(reports: Sequence[tuple[str, Path]], data: Mapping[str, Any], mask: Mask) -> None:
    """Write each requested report, secrets masked, whole or not at all (0600)."""
    masked = mask.data(data)
    for kind, path in reports:
        atomic_write(path, render(kind, masked))


def load_results(path: Path) -> dict[str, Any]:
    """A `--results` file, checked against the results schema (UsageError if it is not one)."""
    from jsonschema import ValidationError  # type: ignore[import-untyped]
    from jsonschema import validate as check

    from engine.schema import load_schema

    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        check(data, load_schema("results"))
    except (OSError, ValueError) as exc:
        raise UsageError(f"{path} is not a netplay results file ({exc})") from exc
    except ValidationError as exc:
        where = "/".join(str(p) for p in exc.absolute_path) or "the top"
        raise UsageError(
            f"{path} is not a netplay results file: at {where}: {exc.message}"
        ) from exc
    result: dict[str, Any] = data
    return result


def plays(data: Mapping[str, Any]) -> list[str]:
    """The plays of a run, in the order they ran (then those it did not get to)."""
    names = [s["play"] for s in data["steps"]] + [n["play"] for n in data.get("not_run", ())]
    return list(dict.fromkeys(names))


def results_of(data: Mapping[str, Any]) -> Iterator[tuple[Mapping[str, Any], Mapping[str, Any]]]:
    """Every (step, host result) of a run, in order."""
    for step in data["steps"]:
        for result in step["results"]:
            yield step, result


def outcome(data: Mapping[str, Any]) -> str:
    """One word for the whole run, as its exit code says it."""
    if data.get("interrupted"):
        return "interrupted"
    statuses = {r["status"] for _, r in results_of(data) if not r.get("ignored")}
    for status in ("unreachable", "failed"):
        if status in statuses:
            return status
    return "ok"


def exchanges(result: Mapping[str, Any]) -> list[tuple[str, str]]:
    """(what was sent, what came back) of a host's step: `R1#show clock` and its output
    per command; a config step's one output follows its lines."""
    commands, outputs = result.get("commands") or [], result.get("outputs") or []
    prompt = result.get("prompt") or f"{result['host']}#"
    if len(commands) == len(outputs):
        return [(f"{prompt}{c}", o) for c, o in zip(commands, outputs, strict=True)]
    sent = "\n".join(f"> {c}" for c in commands)
    return [(sent, "\n".join(outputs))] if sent or outputs else []


def last_lines(text: str, count: int = 10) -> str:
    """The last non-blank lines of a device's output: where it stopped."""
    return "\n".join([line for line in text.splitlines() if line.strip()][-count:])
