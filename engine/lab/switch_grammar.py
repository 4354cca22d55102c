"""Command vocabularies as data, for the lab's EOS and NX-OS personalities.

A vocabulary is a tuple of `Rule`s, each a pattern written as the manual writes it
(`"ntp server <host>"`): keywords, which the user may abbreviate to any unique prefix,
and `<kind>` arguments, which are checked and written canonically (an interface name in
full, an address as `A.B.C.D/len`), so the running-config stores one spelling whatever
was typed. `a|b` is a keyword choice. `parse` finds the one rule a line means, or says
where it went wrong, with the word's index and column for the platform's error text.

    >>> rules = (Rule("show version", "version"), Rule("show vlan", "vlan"))
    >>> parse("sh ver", rules, ARGS).words
    ('show', 'version')
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

# An argument reader: (words, index) -> (words used, canonical text), or None if invalid.
ArgReader = Callable[[Sequence[str], int], "tuple[int, str] | None"]
FailureKind = Literal["invalid", "incomplete", "ambiguous"]


@dataclass(frozen=True)
class Rule:
    """One command: its pattern, what it does, and how its stored line is keyed.

    `key` is how many leading canonical words identify the stored line (`hostname` for
    `hostname X`); None keys on the whole line (many `ntp server`s live side by side).
    `enters` names the sub-mode the command opens; `negative` marks a command whose
    `no` form is itself what the configuration shows (`no switchport`).
    """

    pattern: str
    action: str
    key: int | None = 1
    enters: str = ""
    privileged: bool = False
    negative: bool = False

    @property
    def tokens(self) -> tuple[str, ...]:
        return tuple(self.pattern.split())

    @property
    def keywords(self) -> int:
        """How many keywords lead the pattern (before its first argument)."""
        count = 0
        for token in self.tokens:
            if token.startswith("<"):
                break
            count += 1
        return count


@dataclass(frozen=True)
class Parsed:
    """A line that means one rule: its canonical words and its arguments."""

    rule: Rule
    words: tuple[str, ...]
    args: tuple[str, ...]
    complete: bool = True  # False: a `no` form that names only the start of the command


@dataclass(frozen=True)
class Failure:
    """Why a line means nothing: which word (index in the line's words) went wrong."""

    kind: FailureKind
    index: int


@dataclass
class _Attempt:
    rule: Rule
    stop: int = 0  # index of the first word not consumed
    tokens: int = 0  # tokens matched
    exact: int = 0  # keywords typed in full
    words: tuple[str, ...] = ()
    args: tuple[str, ...] = ()
    failed: bool = False


def parse(
    line: str | Sequence[str],
    rules: Sequence[Rule],
    args: Mapping[str, ArgReader],
    *,
    partial: bool = False,
) -> Parsed | Failure:
    """The rule `line` means. With `partial`, a line that stops after a rule's leading
    keywords (and any arguments typed) also counts, as `no` forms do."""
    words = line.split() if isinstance(line, str) else list(line)
    seen: list[tuple[int, tuple[str, ...], str]] = []
    attempts = [_attempt(rule, words, args, seen) for rule in rules]
    ambiguous = _ambiguity(words, seen)
    if ambiguous is not None:
        return Failure("ambiguous", ambiguous)
    done = [a for a in attempts if not a.failed and a.tokens == len(a.rule.tokens)]
    done = [a for a in done if a.stop == len(words)]
    if done:
        best = max(done, key=lambda a: a.exact)
        return Parsed(best.rule, best.words, best.args)
    started = [a for a in attempts if not a.failed and a.stop == len(words)]
    if partial:
        cut = [a for a in started if a.tokens >= a.rule.keywords]
        if cut:
            best = max(cut, key=lambda a: (a.tokens, a.exact))
            return Parsed(best.rule, best.words, best.args, complete=False)
    if started:
        return Failure("incomplete", len(words))
    return Failure("invalid", max((a.stop for a in attempts), default=0))


def _attempt(
    rule: Rule,
    words: Sequence[str],
    args: Mapping[str, ArgReader],
    seen: list[tuple[int, tuple[str, ...], str]],
) -> _Attempt:
    attempt = _Attempt(rule)
    for token in rule.tokens:
        if attempt.stop >= len(words):
            return attempt
        word = words[attempt.stop]
        if token.startswith("<"):
            read = args[token[1:-1]](words, attempt.stop)
            if read is None:
                attempt.failed = True
                return attempt
            used, text = read
            attempt.words += (text,)
            attempt.args += (text,)
        else:
            keyword = _keyword(token, word, attempt.stop, attempt.words, seen)
            if keyword is None:
                attempt.failed = True
                return attempt
            used = 1
            attempt.exact += keyword.lower() == word.lower()
            attempt.words += (keyword,)
            if "|" in token:
                attempt.args += (keyword,)
        attempt.stop += used
        attempt.tokens += 1
    return attempt


def _keyword(
    token: str,
    word: str,
    index: int,
    before: tuple[str, ...],
    seen: list[tuple[int, tuple[str, ...], str]],
) -> str | None:
    """The keyword of `token` that `word` abbreviates, noting every candidate seen."""
    lowered = word.lower()
    found = None
    for choice in token.split("|"):
        seen.append((index, before, choice))
        if choice.lower().startswith(lowered):
            found = choice if found is None or choice.lower() == lowered else found
    return found


def _ambiguity(words: Sequence[str], seen: list[tuple[int, tuple[str, ...], str]]) -> int | None:
    """The first word that abbreviates two keywords offered at the same place, if any."""
    offered: dict[tuple[int, tuple[str, ...]], set[str]] = {}
    for index, before, keyword in seen:
        offered.setdefault((index, before), set()).add(keyword.lower())
    for (index, _before), keywords in sorted(offered.items()):
        word = words[index].lower()
        hits = {k for k in keywords if k.startswith(word)}
        if len(hits) > 1 and word not in hits:
            return index
    return None


def offered(text: str, rules: Sequence[Rule]) -> list[str]:
    """The keywords (or `<kind>`s) that may come next after `text`: what `?` lists."""
    words = text.split()
    if text and not text[-1].isspace():
        prefix, words = words[-1].lower(), words[:-1]
    else:
        prefix = ""
    found: list[str] = []
    for rule in rules:
        tokens = rule.tokens
        if len(tokens) <= len(words) or not _leads(tokens, words):
            continue
        for choice in tokens[len(words)].split("|"):
            if choice.lower().startswith(prefix) and choice not in found:
                found.append(choice)
    return sorted(found)


def _leads(tokens: Sequence[str], words: Sequence[str]) -> bool:
    for token, word in zip(tokens, words, strict=False):
        if token.startswith("<"):
            continue
        if not any(c.lower().startswith(word.lower()) for c in token.split("|")):
            return False
    return True


def word_column(line: str, index: int) -> int:
    """The column where word `index` of `line` starts (the end of the line past the last)."""
    spans = [m.start() for m in re.finditer(r"\S+", line)]
    return spans[index] if index < len(spans) else len(line.rstrip()) + 1


# -- argument readers shared by both platforms ---------------------------------------------


def _word(words: Sequence[str], i: int) -> tuple[int, str] | None:
    return 1, words[i]


def _line(words: Sequence[str], i: int) -> tuple[int, str] | None:
    return len(words) - i, " ".join(words[i:])


def _number(low: int, high: int) -> ArgReader:
    def read(words: Sequence[str], i: int) -> tuple[int, str] | None:
        word = words[i]
        return (1, str(int(word))) if word.isdigit() and low <= int(word) <= high else None

    return read


def _vlans(words: Sequence[str], i: int) -> tuple[int, str] | None:
    if not re.fullmatch(r"\d+(-\d+)?(,\d+(-\d+)?)*", words[i]):
        return None
    numbers = [int(n) for n in re.findall(r"\d+", words[i])]
    return (1, words[i]) if all(1 <= n <= 4094 for n in numbers) else None


def _ip(words: Sequence[str], i: int) -> tuple[int, str] | None:
    try:
        return 1, str(ipaddress.IPv4Address(words[i]))
    except ValueError:
        return None


def _host(words: Sequence[str], i: int) -> tuple[int, str] | None:
    if _ip(words, i) is not None:
        return _ip(words, i)
    ok = re.fullmatch(r"[A-Za-z][A-Za-z0-9.-]{0,252}", words[i])
    return (1, words[i]) if ok else None


def _prefix(strict: bool) -> ArgReader:
    """`A.B.C.D/len` or `A.B.C.D M.M.M.M`, written as `A.B.C.D/len` (a network if strict)."""

    def read(words: Sequence[str], i: int) -> tuple[int, str] | None:
        text, used = words[i], 1
        if "/" not in text and i + 1 < len(words) and re.fullmatch(r"[\d.]+", words[i + 1]):
            text, used = f"{text}/{words[i + 1]}", 2
        try:
            if strict:
                return used, str(ipaddress.IPv4Network(text, strict=False))
            interface = ipaddress.IPv4Interface(text)
        except ValueError:
            return None
        return used, interface.with_prefixlen

    return read


ARGS: dict[str, ArgReader] = {
    "word": _word,
    "line": _line,
    "int": _number(1, 65535),
    "count": _number(0, 65535),
    "vlan": _number(1, 4094),
    "vlans": _vlans,
    "ip": _ip,
    "host": _host,
    "address": _prefix(strict=False),
    "network": _prefix(strict=True),
}


def interface_reader(types: Sequence[tuple[str, str]]) -> ArgReader:
    """Reads an interface name, `Et1` or `ethernet 1`, as the platform writes it in full.

    `types` pairs each interface type's full name with the pattern of its numbers.
    """

    def read(words: Sequence[str], i: int) -> tuple[int, str] | None:
        for used in (1, 2):
            text = "".join(words[i : i + used])
            if used == 2 and (i + 1 >= len(words) or not words[i + 1][:1].isdigit()):
                return None
            found = re.fullmatch(r"([A-Za-z-]+)(\S*)", text)
            if found is None:
                return None
            kind, number = found.groups()
            names = [n for n, _ in types if n.lower().startswith(kind.lower())]
            for name, numbers in types:
                if name in names[:1] and number and re.fullmatch(numbers, number):
                    return used, name + number
        return None

    return read
