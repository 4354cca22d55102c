"""The Jinja2 sandbox templates render in: no Python internals, and every render bounded.

Jinja2's sandbox stops a template from reaching Python internals, but not from working or
allocating without end. Each render (one template, for one host) gets a budget on its own
thread, checked in the sandbox's hooks — every call, attribute or item access, intercepted
operator, filter, test, loop iteration and piece of output:

- `RENDER_SECONDS` of wall-clock time;
- `MAX_ITEMS` loop iterations;
- `MAX_CHARS` for any one value (text, list, mapping) and for the output;
- `MAX_PRODUCED` characters and items made over the whole render, which bounds its memory;
- `MAX_INT_BITS` for integers (`((10**1000)**1000)**1000`).

Operations that can allocate a lot in one step (`*`, `**`, `%` padding, `center`, `indent`,
`format`, `wordwrap`, `join`, `replace`, `batch`, `slice`, `sum`, `lipsum`, the padding
string methods, `str.format` widths) are estimated first and refused before they run.
A template that goes over raises `LimitExceeded`, which fails that host's step.
"""

from __future__ import annotations

import re
import string
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any, cast

from jinja2 import nodes, pass_context, pass_environment, pass_eval_context
from jinja2.exceptions import SecurityError
from jinja2.filters import make_attrgetter
from jinja2.sandbox import ImmutableSandboxedEnvironment, safe_range
from jinja2.utils import _PassArg, generate_lorem_ipsum
from jinja2.visitor import NodeTransformer

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


def produced(value: Any, what: str = "a value") -> Any:
    """Count a value just made against the limits; return it."""
    size = _size(value)
    if size:
        allow(size, what)
        _budget().produced += size
    return value


def _size(value: Any) -> int:
    if isinstance(value, str | bytes | list | tuple | dict | set | frozenset):
        return len(value)
    return 0


def _int(value: Any) -> int:
    return value if isinstance(value, int) else 0


def _listed(value: Iterable[Any]) -> list[Any]:
    items = []
    for item in value:
        tick()
        spend_items(1)
        items.append(item)
    return items


# --- operators and calls -----------------------------------------------------------------

_PRINTF = re.compile(r"%(?:\([^)]*\))?[#0\- +]*(\*|\d+)?(?:\.(\*|\d+))?[hlL]?[a-zA-Z%]")


def _printf(text: str) -> int:
    """How long `text % args` may be, beyond the arguments themselves."""
    size = len(text)
    for width, precision in _PRINTF.findall(text):
        if "*" in (width, precision):
            raise LimitExceeded("'*' widths in % formatting are not allowed in templates")
        size += int(width or 0) + int(precision or 0)
    return size


def _format_fields(text: str) -> int:
    """How long `text.format(...)` may be, beyond the arguments themselves."""
    size = len(text)
    for _, _, spec, _ in string.Formatter().parse(text):
        if spec and "{" in spec:
            raise LimitExceeded("nested format specs are not allowed in templates")
        size += sum(int(n) for n in re.findall(r"\d+", spec or ""))
    return size


def _binop_estimate(operator: str, left: Any, right: Any) -> None:
    if operator == "**" and isinstance(left, int) and isinstance(right, int) and abs(left) > 1:
        if right > 0 and left.bit_length() * right > MAX_INT_BITS:
            raise LimitExceeded(f"number would exceed {MAX_INT_BITS:,} bits")
    elif operator == "*" and isinstance(left, int) and isinstance(right, int):
        if left.bit_length() + right.bit_length() > MAX_INT_BITS:
            raise LimitExceeded(f"number would exceed {MAX_INT_BITS:,} bits")
    elif operator == "*":
        for sequence, count in ((left, right), (right, left)):
            if _size(sequence) and isinstance(count, int):
                allow(_size(sequence) * max(count, 0), "repeated value")
    elif operator == "+" and _size(left) and _size(right):
        allow(_size(left) + _size(right), "joined value")
    elif operator == "%" and isinstance(left, str | bytes):
        text = left.decode(errors="replace") if isinstance(left, bytes) else left
        allow(_printf(text), "formatted text")


def _width(obj: Any, args: tuple[Any, ...], kwargs: Mapping[str, Any]) -> int:
    width = args[0] if args else kwargs.get("width", 0)
    return max(_size(obj), _int(width))


def _tabs(obj: Any, args: tuple[Any, ...], kwargs: Mapping[str, Any]) -> int:
    size = _int(args[0] if args else kwargs.get("tabsize", 8))
    return _size(obj) + int(obj.count("\t" if isinstance(obj, str) else b"\t")) * size


def _replaced(obj: Any, args: tuple[Any, ...], kwargs: Mapping[str, Any]) -> int:
    if len(args) < 2 or type(args[0]) is not type(obj) or type(args[1]) is not type(obj):
        return _size(obj)
    old, new = args[0], args[1]
    times = obj.count(old) if len(old) else len(obj) + 1
    if len(args) > 2 and isinstance(args[2], int) and args[2] >= 0:
        times = min(times, args[2])
    return _size(obj) + times * max(len(new) - len(old), 0)


def _translated(obj: Any, args: tuple[Any, ...], kwargs: Mapping[str, Any]) -> int:
    table = args[0] if args else {}
    longest = max((_size(v) for v in table.values()), default=1) if isinstance(table, dict) else 1
    return _size(obj) * max(longest, 1)


_METHOD_SIZES: dict[str, Callable[[Any, tuple[Any, ...], Mapping[str, Any]], int]] = {
    "center": _width,
    "ljust": _width,
    "rjust": _width,
    "zfill": _width,
    "expandtabs": _tabs,
    "replace": _replaced,
    "translate": _translated,
}


def _call_estimate(obj: Any, args: tuple[Any, ...], kwargs: dict[str, Any]) -> tuple[Any, ...]:
    """Refuse a string method call that would make too large a result; `join`'s argument
    is listed first (it may be a generator), so the listed copy is what it joins."""
    owner, name = getattr(obj, "__self__", None), getattr(obj, "__name__", "")
    if isinstance(owner, str | bytes):
        if name == "join" and len(args) == 1:
            items = _listed(args[0])
            total = sum(_size(i) for i in items) + _size(owner) * max(len(items) - 1, 0)
            allow(total, "joined text")
            return (items,)
        if name in _METHOD_SIZES:
            allow(_METHOD_SIZES[name](owner, args, kwargs), f"result of {name}()")
    elif isinstance(owner, int) and name == "to_bytes":
        allow(_int(args[0] if args else kwargs.get("length", 1)), "result of to_bytes()")
    return args


class Sandbox(ImmutableSandboxedEnvironment):
    """Jinja2's immutable sandbox with every hook counting against the render's budget."""

    intercepted_binops = frozenset({"+", "*", "%", "**"})

    def call_binop(self, context: Any, operator: str, left: Any, right: Any) -> Any:
        tick()
        _binop_estimate(operator, left, right)
        return produced(super().call_binop(context, operator, left, right))

    def call(self, context: Any, obj: Any, /, *args: Any, **kwargs: Any) -> Any:
        tick()
        args = _call_estimate(obj, args, kwargs)
        return produced(super().call(context, obj, *args, **kwargs))

    # Attribute and item access need no clock: only loops, calls and filters repeat work.
    def getitem(self, obj: Any, argument: Any) -> Any:
        value = super().getitem(obj, argument)
        return produced(value) if isinstance(argument, slice) else value

    def wrap_str_format(self, value: Any) -> Callable[..., str] | None:
        wrapper = super().wrap_str_format(value)
        if wrapper is None:
            return None
        text = value.__self__

        def bounded(*args: Any, **kwargs: Any) -> str:
            allow(_format_fields(text), "formatted text")
            return str(produced(wrapper(*args, **kwargs)))

        return bounded

    def _generate(self, source: nodes.Template, *args: Any, **kwargs: Any) -> Any:
        # Every render of this template counts its loops, output and concatenations.
        tree = _Counted().visit(source)
        tree.set_environment(self)
        return super()._generate(tree, *args, **kwargs)


class _Counted(NodeTransformer):
    """Routes loop iterables, output and `~` through the budget filters below."""

    def visit_For(self, node: nodes.For) -> nodes.Node:
        self.generic_visit(node)
        node.iter = _filter(node.iter, "_iterations")
        return node

    def visit_Output(self, node: nodes.Output) -> nodes.Node:
        self.generic_visit(node)
        fixed = sum(len(c.data) for c in node.nodes if isinstance(c, nodes.TemplateData))
        counted: list[nodes.Expr] = [
            c if isinstance(c, nodes.TemplateData) else _filter(c, "_output") for c in node.nodes
        ]
        if fixed:  # the template's own text, counted once per pass with one call
            counted.insert(0, _filter(nodes.Const(fixed, lineno=node.lineno), "_text"))
        node.nodes = counted
        return node

    def visit_Concat(self, node: nodes.Concat) -> nodes.Node:
        self.generic_visit(node)
        return _filter(node, "_made")


def _filter(node: Any, name: str) -> nodes.Filter:
    return nodes.Filter(node, name, [], [], None, None, lineno=node.lineno)


@pass_context
def _iterations(context: Any, value: Iterable[Any]) -> Iterator[Any]:
    for item in value:
        tick()
        spend_items(1)
        yield item


@pass_context
def _output(context: Any, value: Any) -> str:
    text = str(value)  # what the output would do anyway (StrictUndefined raises here)
    tick()
    return str(produced(text, "output"))


@pass_context
def _text(context: Any, size: int) -> str:
    tick()
    allow(size, "output")
    _budget().produced += size
    return ""


@pass_context
def _made(context: Any, value: Any) -> Any:
    tick()
    return produced(value)


# --- filters and globals that allocate --------------------------------------------------


def _lipsum(n: int = 5, html: bool = True, min: int = 20, max: int = 100) -> str:
    words = _int(n) * _int(max)
    allow(words * 12, "lipsum text")  # a word and its space are under 12 characters
    spend_items(words)
    return generate_lorem_ipsum(n, html, min, max)


def _bounded_filters(filters: Mapping[str, Callable[..., Any]]) -> dict[str, Callable[..., Any]]:
    """Replacements for the filters that can allocate far more than their input."""
    original = dict(filters)

    def center(value: Any, width: int = 80) -> str:
        allow(max(len(str(value)), _int(width)), "centred text")
        return str(original["center"](value, width))

    def indent(value: Any, width: Any = 4, first: bool = False, blank: bool = False) -> str:
        text = str(value)
        pad = len(width) if isinstance(width, str) else _int(width)
        allow(len(text) + (text.count("\n") + 1) * pad, "indented text")
        return str(original["indent"](value, width, first, blank))

    def format_(value: Any, *args: Any, **kwargs: Any) -> str:
        allow(_printf(str(value)), "formatted text")
        return str(original["format"](value, *args, **kwargs))

    @pass_context
    def wordwrap(context: Any, value: Any, width: int = 79, *args: Any, **kwargs: Any) -> str:
        text, step = str(value), max(_int(width), 1)
        longest = max((len(w) for w in text.split()), default=0)
        wrap = kwargs.get("wrapstring", args[1] if len(args) > 1 else None) or "\n"
        allow(len(text) + (len(text) // step + 1) * len(str(wrap)), "wrapped text")
        if longest > step:  # textwrap copies a long word once per piece it cuts off
            allow(longest * (longest // step), "work of wrapping long words")
        return str(original["wordwrap"](context.environment, value, width, *args, **kwargs))

    @pass_eval_context
    def join(eval_ctx: Any, value: Any, d: str = "", attribute: Any = None) -> str:
        items = _listed(value)
        get = make_attrgetter(eval_ctx.environment, attribute) if attribute is not None else None
        total = sum(len(str(get(x) if get else x)) for x in items)
        allow(total + len(str(d)) * max(len(items) - 1, 0), "joined text")
        return str(original["join"](eval_ctx, items, d, attribute))

    @pass_eval_context
    def replace(eval_ctx: Any, s: Any, old: Any, new: Any, count: Any = None) -> str:
        text = str(s)
        args = (str(old), str(new)) if count is None else (str(old), str(new), count)
        allow(_replaced(text, args, {}), "replaced text")
        return str(original["replace"](eval_ctx, s, old, new, count))

    def batch(value: Any, linecount: int, fill_with: Any = None) -> Any:
        allow(_int(linecount), "batch")
        return original["batch"](value, linecount, fill_with)

    @pass_context
    def slice_(context: Any, value: Any, slices: int, fill_with: Any = None) -> Any:
        spend_items(_int(slices))
        return original["slice"](context, value, slices, fill_with)

    @pass_environment
    def sum_(env: Any, iterable: Any, attribute: Any = None, start: Any = 0) -> Any:
        items = _listed(iterable)
        if not isinstance(start, int | float):  # adding lists or text copies every time
            allow(len(items) * sum(_size(x) for x in items), "work of sum()")
        return original["sum"](env, items, attribute, start)

    return {
        "center": center,
        "indent": indent,
        "format": format_,
        "wordwrap": wordwrap,
        "join": join,
        "replace": replace,
        "batch": batch,
        "slice": slice_,
        "sum": sum_,
    }


def _guarded(func: Callable[..., Any]) -> Callable[..., Any]:
    """`func` (a filter or test) counted against the budget. Marked pass_context, so Jinja2
    never calls it while compiling to fold a constant: limits apply at render time."""
    kind = _PassArg.from_obj(func)

    @pass_context
    def guarded(context: Any, *args: Any, **kwargs: Any) -> Any:
        tick()
        if kind is _PassArg.context:
            lead: tuple[Any, ...] = (context,)
        elif kind is _PassArg.eval_context:
            lead = (context.eval_ctx,)
        elif kind is _PassArg.environment:
            lead = (context.environment,)
        else:
            lead = ()
        return produced(func(*lead, *args, **kwargs))

    return guarded


def bound(env: Sandbox) -> Sandbox:
    """Install the budget filters, the bounded replacements and the guards on `env`."""
    env.filters.update(_bounded_filters(env.filters))
    env.filters.update({k: _guarded(f) for k, f in env.filters.items()})
    env.tests.update({k: _guarded(cast(Callable[..., Any], f)) for k, f in env.tests.items()})
    env.filters.update(
        {"_iterations": _iterations, "_output": _output, "_text": _text, "_made": _made}
    )
    env.globals["range"] = safe_range  # lazy and at most 100,000 long; loops count items
    env.globals["lipsum"] = _lipsum
    return env
