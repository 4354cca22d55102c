"""Regular expressions written in playbooks and templates, run in linear time.

A playbook's regexes (`error_patterns`, `expect`, `answers`, the `regex_*` filters and the
`search` test, TextFSM rules) meet device output, which is untrusted too. Python's `re`
backtracks: `(a+)+$` against forty `a`s and a `!` runs for hours. RE2 (google-re2) matches
in time linear in the text, so these patterns are compiled with it. RE2 has no
backreferences and no look-around; a pattern that needs them is refused when the playbook
is loaded, with a message saying so.

TTP compiles its own regexes with `re` (its line patterns need look-ahead); for those,
`backtracking_risk` refuses the classic exponential shape, a repeated group that itself
repeats or alternates.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import lru_cache
from typing import Any

MAX_PATTERN = 10_000  # characters; far beyond any real pattern


class PatternError(ValueError):
    """A pattern RE2 cannot run; the message says why in plain words."""


def compile_linear(pattern: str, *, multiline: bool = True) -> Any:
    """`pattern` compiled with RE2 (`^`/`$` at line ends when `multiline`)."""
    return _compiled(pattern, multiline)


def check(pattern: str) -> None:
    """Raise PatternError when `pattern` is not a regex netplay can run in linear time."""
    _compiled(pattern, True)


@lru_cache(maxsize=1024)
def _compiled(pattern: str, multiline: bool) -> Any:
    import re2  # imported on first use: `validate` of a playbook without regexes stays light

    if len(pattern) > MAX_PATTERN:
        raise PatternError(f"pattern is longer than {MAX_PATTERN:,} characters")
    options = re2.Options()
    options.log_errors = False  # the reason is in the exception; RE2 would also print it
    try:
        return re2.compile(("(?m)" if multiline else "") + pattern, options)
    except re2.error as exc:
        raise PatternError(_explain(pattern, exc)) from None


_UNSUPPORTED = (
    (re.compile(r"\\[1-9]|\(\?P=\w+\)"), "backreferences"),
    (re.compile(r"\(\?<?[=!]"), "look-ahead or look-behind"),
    (re.compile(r"\\Z"), r"\Z (write \z)"),
)


def _explain(pattern: str, exc: Exception) -> str:
    reason = exc.args[0] if exc.args else exc
    text = reason.decode(errors="replace") if isinstance(reason, bytes) else str(reason)
    for shape, name in _UNSUPPORTED:
        if shape.search(pattern):
            return f"{pattern!r} uses {name}, which the linear-time regex engine (RE2) lacks"
    return f"{pattern!r} is not a valid regular expression for RE2: {text}"


def backtracking_risk(pattern: str) -> str | None:
    """Why `pattern` may take exponential time on Python's `re`, or None.

    Refuses a repeated group whose body repeats or alternates (`(a+)+`, `(a|aa)*`), the
    shape behind catastrophic backtracking. Patterns that `re` cannot compile are refused too.
    """
    from re import _parser  # type: ignore[attr-defined]  # the only tree of a pattern

    try:
        tree = _parser.parse(pattern)
    except (re.error, OverflowError, RecursionError) as exc:
        return f"{pattern!r} is not a valid regular expression: {exc}"
    for body in _repeated(tree, _parser):
        if _repeats(body, _parser) or _alternates(body, _parser):
            return (
                f"{pattern!r} repeats a group that itself repeats or alternates, which can "
                "take exponential time; write it without the nested repetition"
            )
    return None


_FEW = 10


def _repeated(tree: Any, parser: Any) -> Iterator[Any]:
    """The bodies of every repetition in a parsed pattern that may repeat more than a few
    times (a body repeated at most `_FEW` times can only multiply the work by a constant)."""
    for op, arg in _items(tree):
        if op in (parser.MAX_REPEAT, parser.MIN_REPEAT, parser.POSSESSIVE_REPEAT):
            _, high, body = arg
            if high > _FEW:
                yield body
            yield from _repeated(body, parser)
        else:
            for sub in _children(op, arg, parser):
                yield from _repeated(sub, parser)


def _repeats(tree: Any, parser: Any) -> bool:
    """True when a parsed pattern holds any repetition at all (`+`, `*`, `{2,3}`)."""
    for op, arg in _items(tree):
        if op in (parser.MAX_REPEAT, parser.MIN_REPEAT, parser.POSSESSIVE_REPEAT):
            if arg[1] > 1:
                return True
        elif any(_repeats(sub, parser) for sub in _children(op, arg, parser)):
            return True
    return False


def _alternates(tree: Any, parser: Any) -> bool:
    for op, arg in _items(tree):
        if op is parser.BRANCH:
            return True
        if any(_alternates(sub, parser) for sub in _children(op, arg, parser)):
            return True
    return False


def _items(tree: Any) -> list[tuple[Any, Any]]:
    return list(getattr(tree, "data", tree))


def _children(op: Any, arg: Any, parser: Any) -> list[Any]:
    if op is parser.SUBPATTERN:
        return [arg[-1]]
    if op is parser.BRANCH:
        return list(arg[1])
    if op in (parser.ASSERT, parser.ASSERT_NOT):
        return [arg[1]]
    if op is parser.ATOMIC_GROUP:
        return [arg]
    if op is parser.GROUPREF_EXISTS:
        return [x for x in arg[1:] if x is not None]
    return []
