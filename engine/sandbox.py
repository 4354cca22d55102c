"""The Jinja2 sandbox templates render in: no Python internals, and every render bounded.

Jinja2's sandbox stops a template from reaching Python internals, but not from working or
allocating without end. Here every call, intercepted operator, filter, test, loop iteration,
concatenation and piece of output counts against the render's budget (`engine.budget`):
loops, output and `~` through an AST pass before code generation, filters and tests through
a wrapper. Filters that can allocate far more than their input (`center`, `indent`,
`format`, `wordwrap`, `join`, `replace`, `batch`, `slice`, `sum`, `lipsum`, `tojson`,
`pprint`, `string`) are replaced by versions that estimate first, or that write their text
piece by piece and stop at the limit; so is the output of a value that is not text (a list
may hold one big list a million times: its text would be a million copies).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator, Mapping
from pprint import PrettyPrinter
from typing import Any, cast

from jinja2 import nodes, pass_context, pass_environment, pass_eval_context
from jinja2.filters import make_attrgetter
from jinja2.sandbox import ImmutableSandboxedEnvironment, safe_range
from jinja2.utils import _PassArg, generate_lorem_ipsum, htmlsafe_json_dumps
from jinja2.visitor import NodeTransformer

from engine.budget import (
    WrittenText,
    allow,
    as_int,
    charge,
    check_binop,
    check_call,
    format_size,
    listed,
    printf_size,
    produced,
    replaced_size,
    size_of,
    spend_items,
    text_size,
    text_size_of_text,
    tick,
    written,
)


class Sandbox(ImmutableSandboxedEnvironment):
    """Jinja2's immutable sandbox with every hook counting against the render's budget."""

    intercepted_binops = frozenset({"+", "*", "%", "**"})

    def call_binop(self, context: Any, operator: str, left: Any, right: Any) -> Any:
        tick()
        check_binop(operator, left, right)
        return produced(super().call_binop(context, operator, left, right))

    def call(self, context: Any, obj: Any, /, *args: Any, **kwargs: Any) -> Any:
        tick()
        args = check_call(obj, args, kwargs)
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
            given = sum(text_size_of_text(a) for a in (*args, *kwargs.values()))
            allow(format_size(text) + given, "formatted text")
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
        node.nodes = [_filter(n, "_piece") for n in node.nodes]  # measured before `~` joins
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
    if not isinstance(value, str):  # a list may hold one big list many times over
        allow(text_size(value), "output")
    text = str(value)  # what the output would do anyway (StrictUndefined raises here)
    tick()
    return str(produced(text, "output"))


@pass_context
def _piece(context: Any, value: Any) -> Any:
    allow(text_size_of_text(value), "joined text")
    return value


@pass_context
def _text(context: Any, size: int) -> str:
    tick()
    charge(size, "output")
    return ""


@pass_context
def _made(context: Any, value: Any) -> Any:
    tick()
    return produced(value)


# --- filters and globals that allocate --------------------------------------------------


def _lipsum(n: int = 5, html: bool = True, min: int = 20, max: int = 100) -> str:
    words = as_int(n) * as_int(max)
    allow(words * 12, "lipsum text")  # a word and its space are under 12 characters
    spend_items(words)
    return generate_lorem_ipsum(n, html, min, max)


@pass_eval_context
def _tojson(eval_ctx: Any, value: Any, indent: Any = None) -> Any:
    pad = len(indent) if isinstance(indent, str) else as_int(indent)
    allow(pad, "JSON indent")  # one level of it is made before the text is first measured

    def dumps(obj: Any, **kwargs: Any) -> str:
        return written(json.JSONEncoder(**kwargs).iterencode(obj), "JSON text")

    options = {**eval_ctx.environment.policies["json.dumps_kwargs"], "indent": indent}
    return htmlsafe_json_dumps(value, dumps=dumps, **options)


def _pprint(value: Any) -> str:
    allow(text_size(value), "pretty-printed text")  # pprint makes each part's repr whole
    text = WrittenText("pretty-printed text")
    PrettyPrinter(stream=text).pprint(value)  # Jinja2's pformat, written piece by piece
    return text.getvalue().removesuffix("\n")


def _string(value: Any) -> str:
    if isinstance(value, str):  # Markup stays Markup, as with Jinja2's own filter
        return value
    allow(text_size(value), "text")
    return str(value)


def _bounded_filters(filters: Mapping[str, Callable[..., Any]]) -> dict[str, Callable[..., Any]]:
    """Replacements for the filters that can allocate far more than their input."""
    original = dict(filters)

    def center(value: Any, width: int = 80) -> str:
        allow(max(len(str(value)), as_int(width)), "centred text")
        return str(original["center"](value, width))

    def indent(value: Any, width: Any = 4, first: bool = False, blank: bool = False) -> str:
        text = str(value)
        pad = len(width) if isinstance(width, str) else as_int(width)
        allow(len(text) + (text.count("\n") + 1) * pad, "indented text")
        return str(original["indent"](value, width, first, blank))

    def format_(value: Any, *args: Any, **kwargs: Any) -> str:
        allow(printf_size(str(value)), "formatted text")
        return str(original["format"](value, *args, **kwargs))

    @pass_context
    def wordwrap(context: Any, value: Any, width: int = 79, *args: Any, **kwargs: Any) -> str:
        text, step = str(value), max(as_int(width), 1)
        longest = max((len(w) for w in text.split()), default=0)
        wrap = kwargs.get("wrapstring", args[1] if len(args) > 1 else None) or "\n"
        allow(len(text) + (len(text) // step + 1) * len(str(wrap)), "wrapped text")
        if longest > step:  # textwrap copies a long word once per piece it cuts off
            allow(longest * (longest // step), "work of wrapping long words")
        return str(original["wordwrap"](context.environment, value, width, *args, **kwargs))

    @pass_eval_context
    def join(eval_ctx: Any, value: Any, d: str = "", attribute: Any = None) -> str:
        items = listed(value)
        get = make_attrgetter(eval_ctx.environment, attribute) if attribute is not None else None
        shown = (get(x) if get else x for x in items)
        total = sum(len(v) if isinstance(v, str) else text_size(v) for v in shown)
        allow(total + len(str(d)) * max(len(items) - 1, 0), "joined text")
        return str(original["join"](eval_ctx, items, d, attribute))

    @pass_eval_context
    def replace(eval_ctx: Any, s: Any, old: Any, new: Any, count: Any = None) -> str:
        text = str(s)
        args = (str(old), str(new)) if count is None else (str(old), str(new), count)
        allow(replaced_size(text, args, {}), "replaced text")
        return str(original["replace"](eval_ctx, s, old, new, count))

    def batch(value: Any, linecount: int, fill_with: Any = None) -> Any:
        allow(as_int(linecount), "batch")
        return original["batch"](value, linecount, fill_with)

    @pass_context
    def slice_(context: Any, value: Any, slices: int, fill_with: Any = None) -> Any:
        spend_items(as_int(slices))
        return original["slice"](context, value, slices, fill_with)

    @pass_environment
    def sum_(env: Any, iterable: Any, attribute: Any = None, start: Any = 0) -> Any:
        items = listed(iterable)
        if not isinstance(start, int | float):  # adding lists or text copies every time
            allow(len(items) * sum(size_of(x) for x in items), "work of sum()")
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
        "tojson": _tojson,
        "pprint": _pprint,
        "string": _string,
    }


# Filters that make text of whatever they are given: a list is measured before it is.
_TEXT_FILTERS = frozenset(
    {"capitalize", "center", "e", "escape", "forceescape", "format", "indent", "lower"}
    | {"replace", "safe", "striptags", "title", "trim", "truncate", "upper", "urlencode"}
    | {"urlize", "wordcount", "wordwrap"}
)


def _guarded(func: Callable[..., Any], text: bool = False) -> Callable[..., Any]:
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
        if text and args:
            allow(text_size_of_text(args[0]), "text")
        return produced(func(*lead, *args, **kwargs))

    return guarded


def bound(env: Sandbox) -> Sandbox:
    """Install the budget filters, the bounded replacements and the guards on `env`."""
    env.filters.update(_bounded_filters(env.filters))
    env.filters.update({k: _guarded(f, k in _TEXT_FILTERS) for k, f in env.filters.items()})
    env.tests.update({k: _guarded(cast(Callable[..., Any], f)) for k, f in env.tests.items()})
    env.filters.update(
        {
            "_iterations": _iterations,
            "_output": _output,
            "_text": _text,
            "_made": _made,
            "_piece": _piece,
        }
    )
    env.globals["range"] = safe_range  # lazy and at most 100,000 long; loops count items
    env.globals["lipsum"] = _lipsum
    return env
