"""Secrets: which names hold them, where their values are found, and the mask that hides them.

netplay masks by value: every value that comes from a secret source is replaced by
``********`` wherever a run writes or prints text, whatever that text is (a device's echo,
an error message, a saved file). The sources, gathered once per run into one `Mask`:

- inventory credentials: `password` and `secret`, and any credential read from the
  environment (`username: "{{ env.NET_USER }}"`);
- any value under a secret-looking name (`is_secret_name`) at any depth of inventory vars,
  options and extra vars, lists included: ``users: [{name: bob, password: X}]`` gives X;
- every value of a vault-encrypted vars file (`-e @vault.yml`), whatever its name;
- the password typed for `-k`.

Values shorter than `MIN_LENGTH` are not masked: a 3-character secret such as ``abc`` is
too common in device output (``abc`` in an interface description) to replace everywhere.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

MARK = "********"
MIN_LENGTH = 4
_SECRET_NAME = re.compile(r"pass(?:word|wd|phrase)|secret|token|key|psk|credential", re.IGNORECASE)


def is_secret_name(name: str) -> bool:
    """True for names that hold secrets: *password*, *passwd*, *passphrase*, *secret*,
    *token*, *key*, *psk*, *credential* (any case, anywhere in the name)."""
    return _SECRET_NAME.search(name) is not None


def secret_values(data: Any) -> Iterator[str]:
    """Every value under a secret-looking name, at any depth of mappings and lists.

    Under a secret name, every scalar below it counts (``ssh_keys: [k1, k2]``); elsewhere
    the search goes on into nested mappings and lists.
    """
    if isinstance(data, Mapping):
        for key, value in data.items():
            if is_secret_name(str(key)):
                yield from leaf_values(value)
            else:
                yield from secret_values(value)
    elif isinstance(data, list | tuple):
        for value in data:
            yield from secret_values(value)


def leaf_values(data: Any) -> Iterator[str]:
    """Every scalar in `data` as the text a template would render (empty ones left out)."""
    if isinstance(data, Mapping):
        for value in data.values():
            yield from leaf_values(value)
    elif isinstance(data, list | tuple | set | frozenset):
        for value in data:
            yield from leaf_values(value)
    elif isinstance(data, str | int | float) and not isinstance(data, bool):
        text = str(data)
        if text:
            yield text


@dataclass(frozen=True)
class Mask:
    """Replaces every secret value in a text with ``********``, longest value first (a
    secret that contains another is masked whole). Immutable: one per run, shared by every
    writer and printer. Its values never appear in its repr."""

    values: frozenset[str] = field(default=frozenset(), repr=False)
    _pattern: re.Pattern[str] | None = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        kept = frozenset(v for v in self.values if len(v) >= MIN_LENGTH)
        object.__setattr__(self, "values", kept)
        alternatives = "|".join(re.escape(v) for v in self.ordered)
        object.__setattr__(self, "_pattern", re.compile(alternatives) if kept else None)

    @classmethod
    def of(cls, *sources: Iterable[str | None]) -> Mask:
        """One mask over every value of every source (None and empty values left out)."""
        return cls(frozenset(v for source in sources for v in source if v))

    @property
    def ordered(self) -> tuple[str, ...]:
        """The values, longest first."""
        return tuple(sorted(self.values, key=lambda v: (-len(v), v)))

    def including(self, *values: str | None) -> Mask:
        """This mask with more values."""
        return Mask.of(self.values, values)

    def __call__(self, text: str) -> str:
        if self._pattern is None:
            return text
        # One pass over the text: a replacement is never searched again.
        return self._pattern.sub(MARK, text)

    def data(self, data: Any) -> Any:
        """A JSON-like structure with every string masked (before it is encoded, so JSON
        escaping can never hide a secret from the mask)."""
        if isinstance(data, str):
            return self(data)
        if isinstance(data, Mapping):
            return {self.data(key): self.data(value) for key, value in data.items()}
        if isinstance(data, list | tuple):
            return [self.data(value) for value in data]
        return data


# In one line of YAML: a key (plain or quoted) followed by ':' and a blank or the line end.
_KEY = re.compile(
    r"""(?:"(?:[^"\\]|\\.)*"|'(?:[^']|'')*'|[^\s"'#{}\[\],:][^#{}\[\],:]*?)[ \t]*:(?=[ \t]|$)"""
)
_QUOTED = {'"': re.compile(r'"(?:[^"\\]|\\.)*"?'), "'": re.compile(r"'(?:[^']|'')*'?")}
_PLAIN_END = {False: re.compile(r"[ \t]+#|$"), True: re.compile(r"[ \t]*(?:[,\]}]|#|$)")}


def masked_excerpt(
    line: str, column: int | None, *, secret: bool = False
) -> tuple[str, int | None]:
    """One line of a YAML file as an error quotes it, with every value written under a
    secret-looking key replaced by MARK, and the 1-based `column` moved to stay under the
    same text. `secret`: the value at `column` is itself a secret (a list item under
    `ssh_keys:` is alone on its line). Masks too much rather than too little."""
    spans = [(column - 1, _value_end(line, column - 1))] if secret and column else []
    for match in _KEY.finditer(line):
        if is_secret_name(match.group().rstrip(" \t:").strip("\"'")):
            start = len(line) - len(line[match.end() :].lstrip(" \t"))
            spans.append((start, _value_end(line, start)))
    shown, moved, last = "", column, 0
    for start, end in sorted((s, e) for s, e in spans if e > s):
        if start < last:
            continue  # inside a value already masked
        shown += line[last:start] + MARK
        if column is not None and column - 1 >= start:
            moved = len(shown) - len(MARK) + 1 if column - 1 < end else len(shown) + column - end
        last = end
    return shown + line[last:], moved


def _value_end(line: str, start: int) -> int:
    """Where the YAML value that starts at `start` ends on its line (`start`: none there)."""
    opener = line[start : start + 1]
    if opener in ("", "#", "|", ">"):
        return start  # nothing, a comment, or a block text that starts on the next line
    quoted = _QUOTED[opener].match(line, start) if opener in _QUOTED else None
    if quoted is not None:
        return quoted.end()
    if opener in "[{":
        depth = 0
        for index in range(start, len(line)):
            depth += (line[index] in "[{") - (line[index] in "]}")
            if depth == 0:
                return index + 1
        return len(line)
    in_flow = sum((c in "[{") - (c in "]}") for c in line[:start]) > 0
    end = _PLAIN_END[in_flow].search(line, start)
    return end.start() if end else len(line)
