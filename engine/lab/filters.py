"""Output filters after a pipe: `| include`, `| exclude`, `| begin`, `| section`, `| count`.

The filter keyword is matched with the same tree rules as commands (`| i`, `| sec`); the
rest of the line is the regular expression, spaces and `|` included, as on IOS.
"""

from __future__ import annotations

import re

from engine.lab.commands import Arg, Failure, Match, arg, kw, parse, tree

FILTERS = tree(
    *(
        kw(name, arg(Arg.LINE, action=name))
        for name in ("begin", "count", "exclude", "include", "section")
    )
)


def parse_filter(text: str) -> Match | Failure:
    """Parse what follows the `|`."""
    return parse(text, FILTERS)


def apply_filter(output: str, match: Match) -> str:
    """Filter command output; an invalid regular expression matches nothing."""
    try:
        pattern = re.compile(match.args[0])
    except re.error:
        pattern = re.compile(r"(?!)")
    lines = output.splitlines()
    kept = _FILTER_FUNCTIONS[match.action](lines, pattern)
    return "".join(f"{line}\n" for line in kept)


def _include(lines: list[str], pattern: re.Pattern[str]) -> list[str]:
    return [line for line in lines if pattern.search(line)]


def _exclude(lines: list[str], pattern: re.Pattern[str]) -> list[str]:
    return [line for line in lines if not pattern.search(line)]


def _begin(lines: list[str], pattern: re.Pattern[str]) -> list[str]:
    for index, line in enumerate(lines):
        if pattern.search(line):
            return lines[index:]
    return []


def _count(lines: list[str], pattern: re.Pattern[str]) -> list[str]:
    return [f"Number of lines which match regexp = {len(_include(lines, pattern))}"]


def _section(lines: list[str], pattern: re.Pattern[str]) -> list[str]:
    """Whole sections whose first line matches; else the first line and its matching children."""
    kept: list[str] = []
    for head, children in _sections(lines):
        if pattern.search(head):
            kept += [head, *children]
        else:
            matching = [child for child in children if pattern.search(child)]
            kept += [head, *matching] if matching else []
    return kept


def _sections(lines: list[str]) -> list[tuple[str, list[str]]]:
    """Split configuration text into top-level lines and the indented lines under each."""
    sections: list[tuple[str, list[str]]] = []
    for line in lines:
        if line.startswith(" ") and sections:
            sections[-1][1].append(line)
        else:
            sections.append((line, []))
    return sections


_FILTER_FUNCTIONS = {
    "include": _include,
    "exclude": _exclude,
    "begin": _begin,
    "count": _count,
    "section": _section,
}
