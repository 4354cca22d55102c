"""Bad input never breaks netplay: random and mutated playbooks and inventories through
`netplay validate` always end in success or a clean, located error (exit 0, 4 or 5), never
a traceback, never a hang, with bounded time and memory even for an alias bomb.
"""

from __future__ import annotations

import contextlib
import io
import re
import signal
import threading
import tracemalloc
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from types import FrameType
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from engine.cli import main

ROOT = Path(__file__).resolve().parents[2]
WATCHDOG_SECONDS = 10  # one validation taking this long counts as a hang
FUZZ = settings(
    max_examples=150,
    deadline=2000,
    database=None,  # nothing written into the repository
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

PLAYBOOK = """\
name: Describe uplinks
hosts: routers
vars: {site: lab}
steps:
  - name: Read interfaces
    send: show ip interface brief
    register: intf
  - name: Label the uplink
    config:
      - interface {{ uplink }}
      - description {{ site }} {{ hostvars['R2'].intf.output | length }}
    when: "'up' in intf.output"
"""
INVENTORY = """\
defaults:
  username: netops
  password: "{{ env.NET_PASSWORD | default('lab-pass') }}"
  vars: {ntp_server: 192.0.2.123}
groups:
  routers:
    hosts: [R1, R2]
    vars: {uplink: GigabitEthernet0/1}
hosts:
  R1: {host: 192.168.100.1}
  R2:
    host: 192.168.100.2
    port: 22
    lab: {command_delay: 0.1, reject: [show clock]}
"""
PLAY_KEYS = [
    "name", "hosts", "vars", "steps", "strategy", "tags", "serial", "max_fail_percentage",
    "any_errors_fatal",
]  # fmt: skip
STEP_KEYS = [
    "name", "send", "config", "register", "when", "vars", "loop", "loop_var", "until",
    "retries", "delay", "failed_when", "changed_when", "ignore_errors", "run_once", "hosts",
    "tags", "timeout", "expect", "answers", "parse", "set", "assert", "save", "save_to",
    "include", "error_patterns", "rollback_on_failure",
]  # fmt: skip
INVENTORY_KEYS = [
    "defaults", "groups", "hosts", "host", "port", "platform", "username", "password",
    "secret", "vars", "options", "lab", "refuse", "hang_on", "drop_after", "jitter",
    "device_type", "ip", "R1", "R2", "routers",
]  # fmt: skip
WORDS = [
    "R1", "R2", "all", "routers", "routers,!R2", "core-*", "show version", "cisco_ios",
    "{{ uplink }}", "{{ undefined_name }}", "{{ hostvars['R1'].intf }}", "{{", "}}", "{%",
    "{% if %}", "{{ env.HOME }}", "{{ ''.__class__ }}", "{{ range(10) | list }}", "[",
    "'up' in intf.output", "textfsm", "&anchor", "*alias", "!!python/object:os.system",
    "~", "null", "yes", "0x1F", "1e999", "-.inf", "2001-01-01", "=", "<<",
]  # fmt: skip


def scalars() -> st.SearchStrategy[Any]:
    text = st.text(st.characters(exclude_categories=["Cs"]), max_size=20)
    return st.one_of(
        st.none(),
        st.booleans(),
        st.integers(min_value=-(10**40), max_value=10**40),
        st.floats(allow_nan=True, allow_infinity=True),
        text,
        st.sampled_from(WORDS),
    )


def documents(keys: list[str]) -> st.SearchStrategy[Any]:
    """Nested YAML data whose keys are mostly the real vocabulary."""
    key = st.one_of(st.sampled_from(keys), st.text(max_size=8), st.integers(0, 3))
    return st.recursive(
        scalars(),
        lambda inner: st.lists(inner, max_size=4) | st.dictionaries(key, inner, max_size=5),
        max_leaves=30,
    )


def playbooks() -> st.SearchStrategy[Any]:
    """Plays that look almost right: the real keys, with values of every kind."""
    step = st.dictionaries(st.sampled_from(STEP_KEYS), documents(STEP_KEYS), max_size=5)
    play = st.fixed_dictionaries(
        {"steps": st.lists(step, max_size=4)},
        optional={k: documents(PLAY_KEYS) for k in ("name", "hosts", "vars", "strategy", "serial")},
    )
    return st.one_of(play, st.lists(play, max_size=3), documents(PLAY_KEYS + STEP_KEYS))


# Template fragments: syntax errors, undefined names, filters, tests, other hosts' variables.
# (Arithmetic blow-ups such as `'x' * 10**9` are tested on their own, see test_sandbox.)
TEMPLATE_TOKENS = [
    "{{", "}}", "{%", "%}", "{#", "#}", " ", "x", "uplink", "site", "hostvars", "['R1']",
    "['R9']", ".", "intf", "output", "|", "length", "default(", ")", "'", '"', "(", "[", "]",
    "if", "for", "in", "endfor", "endif", "==", "and", "not", "1", "regex_search(", "item",
    "loop", "inventory_hostname", "groups", "is", "search", "~", ",", "upper", "join",
]  # fmt: skip


def templates() -> st.SearchStrategy[str]:
    return st.lists(st.sampled_from(TEMPLATE_TOKENS), max_size=12).map("".join)


def plausible_playbooks() -> st.SearchStrategy[Any]:
    """Well-formed plays whose templates, conditions and host patterns are random."""
    commands = templates().filter(str.strip) | st.lists(templates(), min_size=1, max_size=3)
    action = st.sampled_from(["send", "config"])
    step = st.tuples(action, commands).flatmap(
        lambda pair: st.fixed_dictionaries(
            {"name": st.text(min_size=1, max_size=10), pair[0]: st.just(pair[1])},
            optional={
                "when": templates(),
                "register": st.from_regex(r"[a-z_][a-z0-9_]{0,6}", fullmatch=True),
                "vars": st.dictionaries(st.sampled_from(["x", "site", "item"]), templates()),
            },
        )
    )
    hosts = st.sampled_from(["all", "R1", "routers,!R2", "core-*", "R9", "routers,&R1"])
    return st.fixed_dictionaries(
        {"name": st.just("Fuzzed"), "hosts": hosts, "steps": st.lists(step, min_size=1, max_size=4)}
    )


def dump(data: Any) -> bytes:
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False).encode("utf-8")


# --- mutations of valid files -----------------------------------------------------------------


def _lines(data: bytes) -> list[bytes]:
    return data.split(b"\n")


def _delete_line(data: bytes, at: int, junk: bytes) -> bytes:
    lines = _lines(data)
    del lines[at % len(lines)]
    return b"\n".join(lines)


def _duplicate_line(data: bytes, at: int, junk: bytes) -> bytes:
    lines = _lines(data)
    index = at % len(lines)
    return b"\n".join([*lines[: index + 1], lines[index], *lines[index + 1 :]])


def _tab_indent(data: bytes, at: int, junk: bytes) -> bytes:
    lines = _lines(data)
    index = at % len(lines)
    lines[index] = b"\t" + lines[index].lstrip(b" ")
    return b"\n".join(lines)


def _shift_indent(data: bytes, at: int, junk: bytes) -> bytes:
    lines = _lines(data)
    index = at % len(lines)
    lines[index] = b"   " + lines[index] if at % 2 else lines[index].lstrip(b" ")
    return b"\n".join(lines)


def _truncate(data: bytes, at: int, junk: bytes) -> bytes:
    return data[: at % (len(data) + 1)]


def _insert_bytes(data: bytes, at: int, junk: bytes) -> bytes:
    index = at % (len(data) + 1)
    return data[:index] + junk + data[index:]


def _replace_value(data: bytes, at: int, junk: bytes) -> bytes:
    values = [
        b"1e999", b"99999999999999999999999999999999999999", b"-.nan", b"!!binary aGVsbG8=",
        b"!!python/object/apply:os.system ['true']", b"*nowhere", b"&a [*a]", b"{", b"[[[[",
        b"'unclosed", b'"\\xZZ"', b"{{ x }", b"|", b">-", b"? [a, b]", b"<<: {a: 1}",
    ]  # fmt: skip
    lines = _lines(data)
    index = at % len(lines)
    key, colon, _ = lines[index].partition(b":")
    lines[index] = key + b": " + values[at % len(values)] if colon else values[at % len(values)]
    return b"\n".join(lines)


def _deep_nesting(data: bytes, at: int, junk: bytes) -> bytes:
    depth = 50 + at % 5000
    return data + b"\nextra: " + b"[" * depth + b"]" * depth + b"\n"


def _alias_bomb(data: bytes, at: int, junk: bytes) -> bytes:
    return data + b"\n" + billion_laughs(levels=4 + at % 6, width=9).encode() + b"\n"


def _non_utf8(data: bytes, at: int, junk: bytes) -> bytes:
    index = at % (len(data) + 1)
    return data[:index] + b"\xff\xfe\xc3(" + data[index:]


MUTATIONS: list[Callable[[bytes, int, bytes], bytes]] = [
    _delete_line,
    _duplicate_line,
    _tab_indent,
    _shift_indent,
    _truncate,
    _insert_bytes,
    _replace_value,
    _deep_nesting,
    _alias_bomb,
    _non_utf8,
]


@st.composite
def mutated(draw: st.DrawFn, seeds: list[bytes]) -> bytes:
    """A valid file with one to five random mutations applied in turn."""
    data = draw(st.sampled_from(seeds))
    steps = draw(
        st.lists(
            st.tuples(st.sampled_from(MUTATIONS), st.integers(0, 10**6), st.binary(max_size=8)),
            min_size=1,
            max_size=5,
        )
    )
    for mutate, at, junk in steps:
        data = mutate(data, at, junk)
    return data


def billion_laughs(levels: int = 9, width: int = 10) -> str:
    """The classic alias bomb: `width ** levels` strings once every alias is expanded."""
    rows = ['l0: &l0 "lol"']
    for level in range(1, levels + 1):
        refs = ", ".join([f"*l{level - 1}"] * width)
        rows.append(f"l{level}: &l{level} [{refs}]")
    return "\n".join(rows)


def seeds(pattern: str, *inline: str) -> list[bytes]:
    found = [p.read_bytes() for p in sorted((ROOT / "playbooks").glob(pattern))]
    return [text.encode() for text in inline] + found


PLAYBOOK_SEEDS = [s for s in seeds("*.yml", PLAYBOOK) if b"steps" in s]
INVENTORY_SEEDS = [INVENTORY.encode(), *seeds("devices.yaml"), *seeds("inventory.yml")]


# --- running `netplay validate` ---------------------------------------------------------------


@dataclass(frozen=True)
class Outcome:
    code: int
    out: str
    err: str


@contextlib.contextmanager
def watchdog(seconds: float) -> Iterator[None]:
    """Raise TimeoutError in the test if the body runs longer than `seconds` (a hang)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def expire(signum: int, frame: FrameType | None) -> None:
        raise TimeoutError(f"netplay validate did not finish within {seconds}s")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def validate(folder: Path, playbook: bytes, inventory: bytes) -> Outcome:
    (folder / "playbook.yml").write_bytes(playbook)
    (folder / "inventory.yml").write_bytes(inventory)
    argv = ["validate", str(folder / "playbook.yml"), "-i", str(folder / "inventory.yml")]
    out, err = io.StringIO(), io.StringIO()
    with (
        watchdog(WATCHDOG_SECONDS),
        contextlib.redirect_stdout(out),
        contextlib.redirect_stderr(err),
    ):
        code = main(argv)
    return Outcome(code, out.getvalue(), err.getvalue())


def fuzzed(outcome: Outcome) -> None:
    """assert_clean, counting exit codes (shown by --hypothesis-show-statistics)."""
    event(f"exit {outcome.code}")
    assert_clean(outcome)


def assert_clean(outcome: Outcome) -> None:
    """Success, or an error that names the file it is about; never a traceback."""
    assert outcome.code in (0, 4, 5), outcome
    assert "Traceback" not in outcome.err + outcome.out
    if outcome.code == 4:
        assert re.search(r"(playbook|inventory)\.yml", outcome.err), outcome.err
    if outcome.code != 0:
        assert outcome.err.startswith("error: "), outcome.err


# --- the fuzz tests ---------------------------------------------------------------------------


@FUZZ
@given(data=playbooks())
def test_random_playbooks_validate_cleanly(data: Any, tmp_path: Path) -> None:
    fuzzed(validate(tmp_path, dump(data), INVENTORY.encode()))


@FUZZ
@given(data=plausible_playbooks())
def test_plausible_playbooks_with_random_templates_validate_cleanly(
    data: Any, tmp_path: Path
) -> None:
    fuzzed(validate(tmp_path, dump(data), INVENTORY.encode()))


@FUZZ
@given(data=documents(INVENTORY_KEYS))
def test_random_inventories_validate_cleanly(data: Any, tmp_path: Path) -> None:
    fuzzed(validate(tmp_path, PLAYBOOK.encode(), dump(data)))


@FUZZ
@given(text=mutated(PLAYBOOK_SEEDS))
def test_mutated_playbooks_validate_cleanly(text: bytes, tmp_path: Path) -> None:
    fuzzed(validate(tmp_path, text, INVENTORY.encode()))


@FUZZ
@given(text=mutated(INVENTORY_SEEDS))
def test_mutated_inventories_validate_cleanly(text: bytes, tmp_path: Path) -> None:
    fuzzed(validate(tmp_path, PLAYBOOK.encode(), text))


@FUZZ
@given(junk=st.binary(max_size=4096), which=st.booleans())
def test_binary_junk_validates_cleanly(junk: bytes, which: bool, tmp_path: Path) -> None:
    playbook, inventory = (junk, INVENTORY.encode()) if which else (PLAYBOOK.encode(), junk)
    fuzzed(validate(tmp_path, playbook, inventory))


# --- the classic bad files, one by one --------------------------------------------------------

BAD_FILES = {
    "empty": b"",
    "blank": b"   \n\n\t\n",
    "comments only": b"# nothing here\n",
    "byte order mark only": b"\xef\xbb\xbf",
    "utf-16": "name: x\n".encode("utf-16"),
    "nul bytes": b"name: x\x00\x00\nsteps: []\n",
    "latin-1": "name: caf\xe9\nsteps: []\n".encode("latin-1"),
    "tabs": b"name: x\nsteps:\n\t- name: s\n\t  send: show clock\n",
    "duplicate keys": b"name: x\nname: y\nhosts: all\nsteps: []\n",
    "huge numbers": b"name: 1e999\nhosts: 99999999999999999999999999999\nsteps: [-.inf]\n",
    "python tag": b"name: !!python/object/apply:os.system ['true']\nhosts: all\nsteps: []\n",
    "deep nesting": b"steps: " + b"[" * 100_000 + b"]" * 100_000 + b"\n",
    "deep mappings": b"".join(b"  " * i + b"k:\n" for i in range(3000)),
    "unclosed quote": b"name: 'x\nhosts: all\nsteps: []\n",
    "two documents": b"name: x\n---\nname: y\n",
    "a scalar": b"just a string\n",
    "a list of numbers": b"[1, 2, 3]\n",
    "merge key": b"base: &b {send: x}\nsteps:\n  - <<: *b\n    name: s\n",
    "recursive alias": b"a: &a [*a]\n",
}


@pytest.mark.parametrize("name", BAD_FILES)
@pytest.mark.parametrize("role", ["playbook", "inventory"])
def test_a_classic_bad_file_gets_a_clean_located_error(
    name: str, role: str, tmp_path: Path
) -> None:
    bad = BAD_FILES[name]
    files = (bad, INVENTORY.encode()) if role == "playbook" else (PLAYBOOK.encode(), bad)
    outcome = validate(tmp_path, *files)
    assert_clean(outcome)
    assert outcome.code == 4
    assert f"{role}.yml" in outcome.err


def test_a_billion_laughs_file_stops_in_bounded_memory(tmp_path: Path) -> None:
    bomb = (billion_laughs(9, 10) + "\nname: x\nhosts: all\nsteps: []\n").encode()
    outcome = validate(tmp_path, bomb, INVENTORY.encode())
    assert outcome.code == 4 and "alias" in outcome.err
    tracemalloc.start()  # measured apart: tracing slows the run itself down
    try:
        validate(tmp_path, bomb, INVENTORY.encode())
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 50 * 1024 * 1024


def test_an_oversized_file_is_refused_without_reading_it_all(tmp_path: Path) -> None:
    big = b"name: x\nsteps: []\n" + b"# padding\n" * 1_100_000  # 11 MB
    outcome = validate(tmp_path, big, INVENTORY.encode())
    assert_clean(outcome)
    assert "too large" in outcome.err
