"""Playbook regexes run in linear time (RE2), or are refused with the reason."""

from __future__ import annotations

import subprocess
import sys

import pytest

from engine.regex import PatternError, backtracking_risk, check, compile_linear


def test_a_catastrophic_pattern_answers_at_once_on_the_linear_engine() -> None:
    # On Python's `re` this search runs for hours; the timeout only guards against a hang.
    probe = (
        "from engine.regex import compile_linear\n"
        "print(compile_linear('^(a+)+$').search('a' * 40 + '!'))"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=60)
    assert done.stdout.strip() == "None", done.stderr


def test_patterns_match_line_by_line_like_re_multiline() -> None:
    match = compile_linear(r"^\s*(\S+) is up$").search("Gi0/0 is down\n  Gi0/1 is up\n")
    assert match is not None and match.group(1) == "Gi0/1"
    assert (match.start(), match.end()) == (14, 27)


@pytest.mark.parametrize(
    ("pattern", "reason"),
    [
        (r"(\w+) \1", "uses backreferences"),
        (r"(?=up)up", "uses look-ahead or look-behind"),
        (r"(?<!no )shutdown", "uses look-ahead or look-behind"),
        (r"end\Z", r"uses \Z (write \z)"),
        (r"a{2000}", "is not a valid regular expression for RE2: invalid repetition size"),
    ],
)
def test_a_pattern_re2_cannot_run_is_refused_with_the_reason(pattern: str, reason: str) -> None:
    with pytest.raises(PatternError) as caught:
        check(pattern)
    assert str(caught.value).startswith(f"{pattern!r} ")
    assert reason in str(caught.value)


@pytest.mark.parametrize("pattern", [r"(a+)+$", r"(a|aa)*b", r"(\d{1,2})+x", r"(?:\s*\S+)*$"])
def test_nested_repetition_is_a_backtracking_risk(pattern: str) -> None:
    assert "exponential time" in (backtracking_risk(pattern) or "")


@pytest.mark.parametrize(
    "pattern", [r"\S+", r"(?:[0-9]{1,3}\.){3}[0-9]{1,3}", r"(?:Gi|Fa)\d+/\d+", r"(up|down)?"]
)
def test_ordinary_patterns_are_no_backtracking_risk(pattern: str) -> None:
    assert backtracking_risk(pattern) is None
