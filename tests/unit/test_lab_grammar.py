"""Config commands as data: the `no` and `default` forms a spec's key gives."""

from __future__ import annotations

from engine.lab.commands import Failure, Match, parse
from engine.lab.grammar import Entry, Form, Spec, Table, build, split
from engine.lab.modes import Mode

TABLE = Table(
    Mode.CONFIG,
    (
        (
            Spec("logging buffered [<4096-2147483647>]", key=2),
            Spec("ntp server A.B.C.D [prefer]", key=3),
            Spec("ip route A.B.C.D A.B.C.D A.B.C.D", key=5, no=4),
        ),
    ),
    names=("login",),
)
REGISTRY: dict[str, Entry] = {}
ROOT = build(TABLE, REGISTRY)


def form_of(line: str) -> tuple[Form, tuple[str, ...]] | str:
    result = parse(line, ROOT)
    if isinstance(result, Failure):
        return result.kind
    form, words, _args, _offset = split(result)
    return form, words


def test_no_needs_the_key_s_words_and_may_repeat_the_rest() -> None:
    assert form_of("no logging buffered") == (Form.NO, ("logging", "buffered"))
    assert form_of("no logging buffered 8000") == (Form.NO, ("logging", "buffered", "8000"))
    assert form_of("no ntp server") == "incomplete"
    assert form_of("no ntp server 192.0.2.1") == (Form.NO, ("ntp", "server", "192.0.2.1"))


def test_a_spec_may_let_no_stop_before_its_key() -> None:
    assert form_of("no ip route 10.0.0.0 255.0.0.0") == (
        Form.NO,
        ("ip", "route", "10.0.0.0", "255.0.0.0"),
    )


def test_default_takes_the_same_words_as_no() -> None:
    assert form_of("default logging buffered") == (Form.DEFAULT, ("logging", "buffered"))


def test_every_mode_knows_end_exit_and_do() -> None:
    assert [parse(line, ROOT).action for line in ("end", "exit", "do show clock")] == [  # type: ignore[union-attr]
        "end",
        "exit",
        "do",
    ]


def test_commands_known_only_by_name_make_abbreviations_ambiguous() -> None:
    assert form_of("lo buffered") == "ambiguous"  # logging or login
    result = parse("login", ROOT)
    assert isinstance(result, Failure) and result.kind == "incomplete"


def test_the_registry_says_what_each_action_stands_for() -> None:
    match = parse("no ntp server 192.0.2.1 prefer", ROOT)
    assert isinstance(match, Match)
    entry = REGISTRY[match.action]
    assert (entry.spec.syntax, entry.form, entry.rank) == (
        "ntp server A.B.C.D [prefer]",
        Form.NO,
        (0, 1),
    )
