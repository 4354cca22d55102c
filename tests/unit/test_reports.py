"""JUnit and HTML reports from a run's results: what CI systems and people read.

The JUnit file is read back with junitparser, as CI systems read it; the HTML page is
parsed with the standard library's HTML parser here (and shown in a real browser by
tests/integration/test_reports_lab.py).
"""

from __future__ import annotations

import json
import os
import re
import stat
from collections.abc import Callable
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from junitparser import Error, Failure, JUnitXml, Skipped

from engine.errors import UsageError
from engine.reports import load_results, render, write_reports
from engine.reports.html import html_page
from engine.reports.junit import junit_xml
from engine.results import Rollback, RunResult, Status, StepRecord, StepResult
from engine.schema import load_schema
from engine.secrets import Mask

ReadPage = Callable[[str], Any]
HOSTILE = "<script>document.title='pwned'</script><img src=x onerror=alert(1)> \x1b[2J\x07\x00"
REJECTED = "line 1\nline 2\n% Invalid input"
DIFF = "+interface Loopback9\n+ description managed\n-ntp server 192.0.2.1"


def sample() -> dict[str, Any]:
    """A run of two steps on three hosts: R2 fails the first, R3 is unreachable, R1's
    output is hostile and holds a secret; a third step did not run (interrupted)."""
    first = (
        StepResult("R1", "Read", Status.OK, ("show clock",), (f"clock {HOSTILE} pw-123456",),
                   prompt="R1#", elapsed=0.25, started=0.1),
        StepResult("R2", "Read", Status.FAILED, ("show clock",), (REJECTED,),
                   error="% Invalid input detected at '^' marker.", kind="rejected",
                   prompt="R2#", elapsed=0.5, started=0.2),
        StepResult("R3", "Read", Status.UNREACHABLE, error="connection refused", kind="unreachable",
                   elapsed=0.1, started=0.0),
    )  # fmt: skip
    rollback = Rollback("flash:netplay-rollback.cfg", "Change", ok=True, output="Rollback Done")
    second = (
        StepResult("R1", "Change", Status.OK, ("interface Loopback9",), ("configure terminal",),
                   changed=True, diff=DIFF, elapsed=0.3, started=0.4),
        StepResult("R2", "Change", Status.SKIPPED, elapsed=0.0, started=0.7),
    )  # fmt: skip
    run = RunResult(
        "site.yml", "inventory.yml", ("R1", "R2", "R3"),
        (StepRecord("Morning", "Read", first), StepRecord("Morning", "Change", second)),
        started=1_700_000_000.0, elapsed=1.0, interrupted=True, mode={"Morning": "lockstep"},
        timings={"R1": {"connect": 0.1, "commands": 0.45}, "R2": {"connect": 0.2, "commands": 0.3}},
    )  # fmt: skip
    data = run.to_json()
    data["steps"][0]["results"][1]["rollback"] = rollback.to_json()
    data["not_run"] = [{"play": "Morning", "step": "Verify", "hosts": ["R1"]}]
    jsonschema.validate(data, load_schema("results"))
    return data


# -- JUnit ------------------------------------------------------------------------------------


def junit(data: dict[str, Any], tmp_path: Path) -> JUnitXml:
    path = tmp_path / "junit.xml"
    path.write_text(junit_xml(data), encoding="utf-8")
    return JUnitXml.fromfile(str(path))


def test_junit_has_one_testcase_per_host_per_step_in_a_suite_per_play(tmp_path: Path) -> None:
    xml = junit(sample(), tmp_path)
    [suite] = list(xml)
    cases = [(case.classname, case.name) for case in suite]
    assert suite.name == "Morning"
    assert cases == [
        ("Read", "R1"), ("Read", "R2"), ("Read", "R3"), ("Change", "R1"), ("Change", "R2"),
        ("Verify", "R1"),
    ]  # fmt: skip
    assert (suite.tests, suite.failures, suite.errors, suite.skipped) == (6, 2, 0, 2)
    assert (xml.tests, xml.failures) == (6, 2)


def test_junit_reports_a_failure_with_its_error_and_the_devices_last_lines(tmp_path: Path) -> None:
    cases = {(c.classname, c.name): c for c in next(iter(junit(sample(), tmp_path)))}
    [failure] = cases["Read", "R2"].result
    assert isinstance(failure, Failure) and not isinstance(failure, Error)
    assert failure.type == "rejected"
    assert failure.message == "% Invalid input detected at '^' marker."
    assert failure.text.endswith("last lines from the device:\nline 1\nline 2\n% Invalid input")
    [unreachable] = cases["Read", "R3"].result
    assert isinstance(unreachable, Failure) and unreachable.type == "unreachable"
    assert [type(r) for r in cases["Change", "R2"].result] == [Skipped]
    assert cases["Verify", "R1"].result[0].message == "not run: the run was interrupted"
    assert cases["Change", "R1"].result == [] and cases["Change", "R1"].time == 0.3


def test_junit_keeps_what_was_sent_and_answered_made_inert(tmp_path: Path) -> None:
    text = junit_xml(sample())
    cases = {(c.classname, c.name): c for c in next(iter(junit(sample(), tmp_path)))}
    out = cases["Read", "R1"].system_out
    assert out.startswith("R1#show clock\nclock <script>")
    assert "^[[2J^G^@" in out and "\x1b" not in text and "\x00" not in text


def test_junit_names_a_second_step_of_the_same_name_apart(tmp_path: Path) -> None:
    data = sample()
    data["steps"][1]["step"] = "Read"
    classes = [case.classname for case in next(iter(junit(data, tmp_path)))]
    assert classes[:5] == ["Read", "Read", "Read", "Read (2)", "Read (2)"]


def test_junit_holds_text_xml_cannot_carry_as_replacement_characters(tmp_path: Path) -> None:
    data = sample()
    data["steps"][0]["results"][0]["outputs"] = ["bad \ud800 and \uffff end"]
    first = next(iter(next(iter(junit(data, tmp_path)))))
    assert first.system_out == "R1#show clock\nbad \ufffd and \ufffd end"


# -- HTML -------------------------------------------------------------------------------------


def test_html_shows_device_text_as_text_never_as_markup(read_page: ReadPage) -> None:
    page = html_page(sample())
    parsed = read_page(page)
    assert [t for t, _ in parsed.tags if t in ("script", "img", "iframe", "object")] == []
    assert "&lt;script&gt;document.title=&#39;pwned&#39;&lt;/script&gt;" in page
    assert "<script>document.title='pwned'</script>" in parsed.text["host-1"]
    assert "^[[2J^G^@" in parsed.text["host-1"]
    assert re.search("[\x00-\x08\x0b-\x1f\x7f]", page) is None


def test_html_loads_nothing_and_allows_only_its_own_style_sheet(read_page: ReadPage) -> None:
    parsed = read_page(html_page(sample()))
    [policy] = [
        a["content"] for t, a in parsed.tags if a.get("http-equiv") == "Content-Security-Policy"
    ]
    assert policy is not None and policy.startswith("default-src 'none'; style-src 'sha256-")
    sources = [a.get(k) for _, a in parsed.tags for k in ("src", "href") if a.get(k)]
    assert all(str(source).startswith("#") for source in sources)


def test_html_has_the_recap_the_failures_the_diffs_and_a_timeline(read_page: ReadPage) -> None:
    parsed = read_page(html_page(sample()))
    recap = " ".join(parsed.text["recap"].split())
    assert "R1 2 1 0 0 0 0" in recap and "R2 0 0 1 0 1 0" in recap and "R3 0 0 0 1 0 0" in recap
    failures = " ".join(parsed.text["failures"].split())
    assert "R2 Read rejected % Invalid input detected at '^' marker." in failures
    assert "R3 Read unreachable connection refused" in failures
    assert "+interface Loopback9" in parsed.text["host-1"]
    assert "rolled back: flash:netplay-rollback.cfg restored" in parsed.text["host-2"]
    assert "not run: Verify (Morning) on 1 hosts: R1" in " ".join(parsed.text["ending"].split())
    bars = [a for t, a in parsed.tags if t == "rect"]
    assert [(b["x"], b["width"]) for b in bars][:3] == [
        ("100.0", "250.0"),
        ("400.0", "300.0"),
        ("200.0", "500.0"),
    ]
    assert parsed.text["outcome"].strip() == "interrupted"


def test_a_results_file_without_start_times_draws_each_hosts_steps_one_after_the_other(
    read_page: ReadPage,
) -> None:
    data = sample()
    for _, result in ((s, r) for s in data["steps"] for r in s["results"]):
        result["started"] = None
    bars = [a for t, a in read_page(html_page(data)).tags if t == "rect"]
    assert [b["x"] for b in bars][:2] == ["0.0", "250.0"]  # R1: Read, then Change


# -- writing and reading ------------------------------------------------------------------------


def test_reports_are_written_private_with_every_secret_masked(tmp_path: Path) -> None:
    targets = [("junit", tmp_path / "r.xml"), ("html", tmp_path / "r.html")]
    write_reports(targets, sample(), Mask.of(["pw-123456"]))
    for _, path in targets:
        assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
        text = path.read_text(encoding="utf-8")
        assert "pw-123456" not in text and "********" in text


def test_a_report_is_made_again_the_same_from_the_results_file(tmp_path: Path) -> None:
    path = tmp_path / "results.json"
    path.write_text(json.dumps(sample()), encoding="utf-8")
    for kind in ("junit", "html"):
        assert render(kind, load_results(path)) == render(kind, sample())


@pytest.mark.parametrize(
    ("content", "message"),
    [("{not json", "is not a netplay results file"), ('{"steps": []}', "at the top: 'netplay'")],
)
def test_a_file_that_is_not_results_is_a_usage_error(
    tmp_path: Path, content: str, message: str
) -> None:
    path = tmp_path / "results.json"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(UsageError, match=message):
        load_results(path)
