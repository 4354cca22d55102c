"""What one template render may spend, and what an operation will cost before it runs.

Each render (one template, for one host) gets a budget on its own thread, checked in the
sandbox's hooks (`engine.sandbox`):

- `RENDER_SECONDS` of wall-clock time;
- `MAX_ITEMS` loop iterations;
- `MAX_CHARS` for any one value (text, list, mapping) and for the output;
- `MAX_PRODUCED` characters and items made over the whole render, which bounds its memory;
- `MAX_INT_BITS` for integers (`((10**1000)**1000)**1000`).

Operations that can allocate a lot in one step are estimated here and refused before they
run. Going over raises `LimitExceeded`, which fails that host's step.
"""

from __future__ import annotations

import io
import re
import string
import threading
import time
from collections.abc import Callable, Iterable, Iterator, KeysView, Mapping, ValuesView
from dataclasses import dataclass
from typing import Any

from jinja2.exceptions import SecurityError
from jinja2.utils import Namespace

RENDER_SECONDS = 3.0
MAX_ITEMS = 1_000_000
MAX_CHARS = 1_000_000
MAX_PRODUCED = 25_000_000
MAX_INT_BITS = 100_000


class LimitExceeded(SecurityError):
    """A render went over one of the limits above; the message names which."""


@dataclass
class _Budget:
    deadline: float
    items: int = 0
    produced: int = 0


class _Local(threading.local):
    budget: _Budget | None = None


_local = _Local()


def start_render() -> None:
    """A fresh budget for the render about to run on this thread."""
    _local.budget = _Budget(time.monotonic() + RENDER_SECONDS)


def _budget() -> _Budget:
    budget = _local.budget
    if budget is None:  # constant folding while compiling: bounded all the same
        budget = _local.budget = _Budget(time.monotonic() + RENDER_SECONDS)
    return budget


def tick() -> None:
    """Stop a render that has run out of time."""
    if time.monotonic() > _budget().deadline:
        raise LimitExceeded(f"template ran for more than {RENDER_SECONDS:g} seconds")


def spend_items(count: int) -> None:
    """Count loop iterations (or range items) against MAX_ITEMS."""
    budget = _budget()
    budget.items += count
    if budget.items > MAX_ITEMS:
        raise LimitExceeded(f"template works through more than {MAX_ITEMS:,} items")


def allow(size: int, what: str) -> None:
    """Refuse, before it is made, a value of `size` characters or items."""
    if size > MAX_CHARS:
        raise LimitExceeded(f"{what} would be {size:,} long; the limit is {MAX_CHARS:,}")
    if _budget().produced + size > MAX_PRODUCED:
        raise LimitExceeded(f"template makes more than {MAX_PRODUCED:,} characters in all")


def charge(size: int, what: str) -> None:
    """Count `size` characters or items just made (`what`, for the message)."""
    allow(size, what)
    _budget().produced += size


def produced(value: Any, what: str = "a value") -> Any:
    """Count a value just made against the limits; return it."""
    size = size_of(value)
    if size:
        charge(size, what)
    return value


def size_of(value: Any) -> int:
    if isinstance(value, str | bytes | list | tuple | dict | set | frozenset):
        return len(value)
    return 0


def text_size(value: Any) -> int:
    """At least the length of `str(value)` (and of its `repr`), counted only until it
    passes MAX_CHARS, so it costs little whatever the value: a list that holds one list a
    thousand times counts it a thousand times, as its text would, without making it."""
    total = 0
    pending: list[Iterator[tuple[Any, Any]]] = [iter([(_NO_KEY, value)])]
    while pending and total <= MAX_CHARS:
        entry = next(pending[-1], None)
        if entry is None:
            pending.pop()
            continue
        key, item = entry
        total += 2 if key is _NO_KEY else text_size(key) + 4  # ", " and `key: `
        inner = _entries(item)
        if inner is None:
            total += _scalar_size(item)
        else:
            plain = isinstance(item, list | tuple | dict)
            total += 2 if plain else len(type(item).__name__) + 4  # `[]`, `set({})` ...
            pending.append(inner)
    return total


class WrittenText(io.StringIO):
    """A text written piece by piece, refused (LimitExceeded) as soon as it passes the
    limits: it is never made whole first."""

    def __init__(self, what: str) -> None:
        super().__init__()
        self._what = what
        self._size = 0

    def write(self, text: str) -> int:
        self._size += len(text)
        allow(self._size, self._what)
        return super().write(text)


def written(chunks: Iterable[str], what: str) -> str:
    """The text `chunks` make, refused as soon as it passes the limits."""
    text = WrittenText(what)
    for chunk in chunks:
        text.write(chunk)
    return text.getvalue()


_NO_KEY = object()
_ESCAPED = re.compile(r"[\x00-\x1f\x7f\"'\\]")


def _entries(value: Any) -> Iterator[tuple[Any, Any]] | None:
    """A container's entries as (key, item), items of a sequence without a key."""
    if isinstance(value, Namespace):
        value = object.__getattribute__(value, "_Namespace__attrs")
    if isinstance(value, Mapping):
        return iter(value.items())
    if isinstance(value, list | tuple | set | frozenset | KeysView | ValuesView):
        return ((_NO_KEY, item) for item in value)
    return None


def _scalar_size(value: Any) -> int:
    """At least the length of a scalar's text or repr: every escape counted at its longest."""
    if isinstance(value, str | bytes):
        text = value if isinstance(value, str) else value.decode("latin-1")
        wide = len(text) - len(text.encode("ascii", "ignore"))  # \uXXXX, twice if astral
        return len(text) + 3 + 5 * len(_ESCAPED.findall(text)) + 11 * wide
    if isinstance(value, int) and not isinstance(value, bool):
        return value.bit_length() // 3 + 2
    return 32  # a float, None, or an object shown by its short repr (`<LoopContext 1/3>`)


def as_int(value: Any) -> int:
    return value if isinstance(value, int) else 0


def listed(value: Iterable[Any]) -> list[Any]:
    items = []
    for item in value:
        tick()
        spend_items(1)
        items.append(item)
    return items


# --- operators and calls -----------------------------------------------------------------

_PRINTF = re.compile(r"%(?:\([^)]*\))?[#0\- +]*(\*|\d+)?(?:\.(\*|\d+))?[hlL]?[a-zA-Z%]")


def printf_size(text: str) -> int:
    """How long `text % args` may be, beyond the arguments themselves."""
    size = len(text)
    for width, precision in _PRINTF.findall(text):
        if "*" in (width, precision):
            raise LimitExceeded("'*' widths in % formatting are not allowed in templates")
        size += int(width or 0) + int(precision or 0)
    return size


def format_size(text: str) -> int:
    """How long `text.format(...)` may be, beyond the arguments themselves."""
    size = len(text)
    for _, _, spec, _ in string.Formatter().parse(text):
        if spec and "{" in spec:
            raise LimitExceeded("nested format specs are not allowed in templates")
        size += sum(int(n) for n in re.findall(r"\d+", spec or ""))
    return size


def check_binop(operator: str, left: Any, right: Any) -> None:
    if operator == "**" and isinstance(left, int) and isinstance(right, int) and abs(left) > 1:
        if right > 0 and left.bit_length() * right > MAX_INT_BITS:
            raise LimitExceeded(f"number would exceed {MAX_INT_BITS:,} bits")
    elif operator == "*" and isinstance(left, int) and isinstance(right, int):
        if left.bit_length() + right.bit_length() > MAX_INT_BITS:
            raise LimitExceeded(f"number would exceed {MAX_INT_BITS:,} bits")
    elif operator == "*":
        for sequence, count in ((left, right), (right, left)):
            if size_of(sequence) and isinstance(count, int):
                # a list's repeats share its items: its text, not its length, is what grows
                deep = text_size(sequence) if isinstance(sequence, list | tuple) else 0
                allow(max(size_of(sequence), deep) * max(count, 0), "repeated value")
    elif operator == "+" and size_of(left) and size_of(right):
        allow(size_of(left) + size_of(right), "joined value")
    elif operator == "%" and isinstance(left, str | bytes):
        text = left.decode(errors="replace") if isinstance(left, bytes) else left
        allow(printf_size(text) + text_size_of_text(right), "formatted text")


def text_size_of_text(value: Any) -> int:
    """How long `value` is as text: a string's length, else its `text_size` estimate."""
    return len(value) if isinstance(value, str) else text_size(value)


def _width(obj: Any, args: tuple[Any, ...], kwargs: Mapping[str, Any]) -> int:
    width = args[0] if args else kwargs.get("width", 0)
    return max(size_of(obj), as_int(width))


def _tabs(obj: Any, args: tuple[Any, ...], kwargs: Mapping[str, Any]) -> int:
    size = as_int(args[0] if args else kwargs.get("tabsize", 8))
    return size_of(obj) + int(obj.count("\t" if isinstance(obj, str) else b"\t")) * size


def replaced_size(obj: Any, args: tuple[Any, ...], kwargs: Mapping[str, Any]) -> int:
    if len(args) < 2 or type(args[0]) is not type(obj) or type(args[1]) is not type(obj):
        return size_of(obj)
    old, new = args[0], args[1]
    times = obj.count(old) if len(old) else len(obj) + 1
    if len(args) > 2 and isinstance(args[2], int) and args[2] >= 0:
        times = min(times, args[2])
    return size_of(obj) + times * max(len(new) - len(old), 0)


def _translated(obj: Any, args: tuple[Any, ...], kwargs: Mapping[str, Any]) -> int:
    table = args[0] if args else {}
    longest = max((size_of(v) for v in table.values()), default=1) if isinstance(table, dict) else 1
    return size_of(obj) * max(longest, 1)


_METHOD_SIZES: dict[str, Callable[[Any, tuple[Any, ...], Mapping[str, Any]], int]] = {
    "center": _width,
    "ljust": _width,
    "rjust": _width,
    "zfill": _width,
    "expandtabs": _tabs,
    "replace": replaced_size,
    "translate": _translated,
}


def check_call(obj: Any, args: tuple[Any, ...], kwargs: dict[str, Any]) -> tuple[Any, ...]:
    """Refuse a string method call that would make too large a result; `join`'s argument
    is listed first (it may be a generator), so the listed copy is what it joins."""
    owner, name = getattr(obj, "__self__", None), getattr(obj, "__name__", "")
    if isinstance(owner, str | bytes):
        if name == "join" and len(args) == 1:
            items = listed(args[0])
            total = sum(size_of(i) for i in items) + size_of(owner) * max(len(items) - 1, 0)
            allow(total, "joined text")
            return (items,)
        if name in _METHOD_SIZES:
            allow(_METHOD_SIZES[name](owner, args, kwargs), f"result of {name}()")
    elif isinstance(owner, int) and name == "to_bytes":
        allow(as_int(args[0] if args else kwargs.get("length", 1)), "result of to_bytes()")
    return args
