"""TTP at work in the isolated child process (`engine.isolated`): compile a template from its
text alone, parse one command's output, and return plain records and TTP's logged errors.

Imported only in that child, where it blinds TTP's file loader for good: TTP takes any text
it is given for a file or folder name first (and reads it, when one by that name exists), and
`ttp://` for a template of its collection; here every name is only text. The template itself
was checked by `engine.ttp_guard` before it was sent.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import ttp.utils.loaders
from ttp import ttp as Ttp

Record = dict[str, Any]
_CACHED = 32  # compiled templates kept, by text


def _text_only(path: Any, *args: Any, **kwargs: Any) -> list[tuple[str, Any]]:
    """TTP's loader, made blind to the filesystem: whatever it is given is the text itself."""
    return [("text_data", path)] if isinstance(path, str) else []


# Each TTP parser finds its loaders by name in this module when first used, so all get this.
ttp.utils.loaders.load_files = _text_only
_parsers: dict[str, Any] = {}


def handle(request: dict[str, Any]) -> dict[str, Any]:
    """`{"template": text, "output": text or None}` → `{"records": [...], "errors": [...]}`:
    without output, the template is only compiled."""
    template, output = request["template"], request.get("output")
    records: list[Record] = []
    with _errors() as errors:
        try:
            parser = _parser(template, errors)
            if parser is not None and output is not None:
                # Flattened at once: the next parse clears TTP's result lists in place.
                records = _flatten(_run(parser, output))
        except MemoryError:
            raise  # the worker reports it as such
        except (Exception, SystemExit) as exc:  # TTP raises (or exits on) what its code hits
            errors.append(f"{type(exc).__name__}: {exc}")
    return {"records": records, "errors": [_first_line(message) for message in errors]}


def _parser(template: str, errors: list[str]) -> Any:
    """The compiled template, None when TTP logged errors compiling it (not kept)."""
    if template in _parsers:
        return _parsers[template]
    parser = Ttp(template=template, log_level="ERROR")
    if errors:
        return None
    if len(_parsers) >= _CACHED:
        del _parsers[next(iter(_parsers))]
    _parsers[template] = parser
    return parser


def _first_line(message: str) -> str:
    """A message without the traceback TTP appends to some."""
    lines = message.strip().splitlines() or [""]
    return lines[0].removesuffix(", traceback:")


def _run(parser: Any, output: str) -> Any:
    parser.clear_result()
    parser.clear_input()
    # Not parser.add_input: given text, it would look for a file or folder of that name.
    for template in parser._templates:
        template.update_input(data=[("text_data", output)])
    parser.parse(one=True)
    return parser.result()


class _Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


@contextmanager
def _errors() -> Iterator[list[str]]:
    """What TTP logs at ERROR and above: it logs failures rather than raising."""
    logger = logging.getLogger("ttp")
    handler = _Collect()
    logger.addHandler(handler)
    logger.setLevel(logging.ERROR)
    logger.propagate = False
    try:
        yield handler.messages
    finally:
        logger.removeHandler(handler)


def _flatten(result: Any) -> list[Record]:
    """TTP's nested results as a list of records (the rule is in `engine.parsing`)."""
    if isinstance(result, list):
        return [record for item in result for record in _flatten(item)]
    if not isinstance(result, dict) or not result:
        return []
    if len(result) == 1:
        (only,) = result.values()
        if isinstance(only, dict):
            return [only] if only else []
        if isinstance(only, list) and only and all(isinstance(x, dict) for x in only):
            return list(only)
    return [result]
