"""`--report junit`: the run as JUnit XML, the test report format CI systems read.

One `<testsuite>` per play; one `<testcase>` per host per step, named by the host, its
class the step's name. A failed or unreachable host is a `<failure>` (its type the kind of
failure, its message the error, its text the error and the last lines from the device); a
skipped step, or one an interrupted run did not get to, is `<skipped>`; a failure with
`ignore_errors` passes, with the error in `<system-err>`. What was sent and answered is
the case's `<system-out>`.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections import Counter
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from typing import Any

from engine.reports import clean, exchanges, last_lines, plays


def junit_xml(data: Mapping[str, Any]) -> str:
    """The results `data` as a JUnit XML document."""
    root = ET.Element("testsuites", name=clean(f"netplay {data['playbook']}"))
    for play in plays(data):
        root.append(_suite(data, play))
    _count(root, root.findall("testsuite"))
    root.set("time", _seconds(data["elapsed"]))
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, "unicode") + "\n"


def _suite(data: Mapping[str, Any], play: str) -> ET.Element:
    suite = ET.Element("testsuite", name=clean(play))
    stamp = datetime.fromtimestamp(data["started"], UTC).isoformat(timespec="seconds")
    properties = ET.SubElement(suite, "properties")
    facts = {
        "playbook": data["playbook"],
        "inventory": data["inventory"],
        "strategy": data.get("mode", {}).get(play, ""),
        "netplay": data["netplay"],
    }
    for name, value in facts.items():
        ET.SubElement(properties, "property", name=name, value=clean(value))
    names = Counter[str]()
    for step in (s for s in data["steps"] if s["play"] == play):
        classname = _unique(step["step"], names)
        for result in step["results"]:
            suite.append(_case(classname, result))
    for missing in (n for n in data.get("not_run", ()) if n["play"] == play):
        classname = _unique(missing["step"], names)
        for host in missing["hosts"]:
            case = ET.Element("testcase", classname=classname, name=clean(host), time="0.000")
            ET.SubElement(case, "skipped", message="not run: the run was interrupted")
            suite.append(case)
    cases = suite.findall("testcase")
    _count(suite, [suite])
    suite.set("skipped", str(sum(1 for c in cases if c.find("skipped") is not None)))
    suite.set("time", _seconds(sum(float(c.get("time", 0)) for c in cases)))
    suite.set("timestamp", stamp)
    return suite


def _case(classname: str, result: Mapping[str, Any]) -> ET.Element:
    case = ET.Element(
        "testcase",
        classname=classname,
        name=clean(result["host"]),
        time=_seconds(result["elapsed"]),
    )
    error = clean(result.get("error") or result.get("msg") or "")
    if result["failed"] and not result.get("ignored"):
        kind = result.get("kind") or result["status"]
        failure = ET.SubElement(case, "failure", type=clean(kind), message=_line(error))
        tail = last_lines(result.get("output") or "")
        failure.text = error + (f"\n\nlast lines from the device:\n{clean(tail)}" if tail else "")
    elif result["status"] == "skipped":
        ET.SubElement(case, "skipped", message=_line(error or "skipped: when was false"))
    sent = "\n\n".join(f"{c}\n{o}".rstrip() for c, o in exchanges(result))
    if sent:
        ET.SubElement(case, "system-out").text = clean(sent)
    if result["failed"] and result.get("ignored"):
        ET.SubElement(case, "system-err").text = f"ignored failure: {error}"
    return case


def _count(element: ET.Element, suites: Iterable[ET.Element]) -> None:
    """tests / failures / errors totals (netplay reports every problem as a failure)."""
    cases = [case for suite in suites for case in suite.findall("testcase")]
    element.set("tests", str(len(cases)))
    element.set("failures", str(sum(1 for c in cases if c.find("failure") is not None)))
    element.set("errors", "0")


def _unique(step: str, seen: Counter[str]) -> str:
    """A step's name as a class name; a second step of the same name is `Name (2)`."""
    seen[step] += 1
    return clean(step if seen[step] == 1 else f"{step} ({seen[step]})")


def _line(text: str, limit: int = 300) -> str:
    """A message attribute: the first line, bounded."""
    first = text.splitlines()[0] if text else ""
    return first if len(first) <= limit else first[: limit - 1] + "…"


def _seconds(value: float) -> str:
    return f"{float(value):.3f}"
