"""Shared test set-up: the lab fixture (`lab_factory`), `interrupts`, `read_page`, the `heavy`
marker, and no run history unless a test asks for it."""

from __future__ import annotations

import os
import signal
import threading
from collections.abc import Callable, Iterator
from html.parser import HTMLParser
from types import FrameType

import pytest

from engine.runner import Stop

pytest_plugins = ["engine.lab.pytest_plugin"]


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "heavy: a bounded slow test (load, packaging), part of the default run "
        "(deselect with -m 'not heavy')",
    )


@pytest.fixture(autouse=True, scope="session")
def no_history() -> Iterator[None]:
    """Runs keep no history beside the playbooks of the repository, module-scoped fixtures'
    runs included; a test of the history itself removes this with
    `monkeypatch.delenv("NETPLAY_NO_HISTORY")`."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("NETPLAY_NO_HISTORY", "1")
        yield


@pytest.fixture
def interrupts() -> Iterator[Callable[[Stop], Callable[[], None]]]:
    """`interrupts(stop)` routes SIGUSR1 to `stop.request()`, as the command line routes
    SIGINT and SIGTERM (pytest keeps its own SIGINT), and returns `interrupt()`: send one
    and wait until the main thread has handled it. Callable from any thread."""
    previous = signal.getsignal(signal.SIGUSR1)
    handled = threading.Event()

    def route(stop: Stop) -> Callable[[], None]:
        def on_signal(signum: int, frame: FrameType | None) -> None:
            handled.set()
            stop.request()

        def interrupt() -> None:
            handled.clear()
            os.kill(os.getpid(), signal.SIGUSR1)
            assert handled.wait(10)

        signal.signal(signal.SIGUSR1, on_signal)
        return interrupt

    yield route
    signal.signal(signal.SIGUSR1, previous)


class Page(HTMLParser):
    """The elements of a page and the text inside each element with an id."""

    def __init__(self, text: str) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.text: dict[str, str] = {}
        self._open: list[str | None] = []
        self.feed(text)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        if tag not in ("meta", "link", "br", "rect"):
            self._open.append(dict(attrs).get("id"))

    def handle_endtag(self, tag: str) -> None:
        if tag not in ("meta", "link", "br", "rect") and self._open:
            self._open.pop()

    def handle_data(self, data: str) -> None:
        for ident in filter(None, self._open):
            self.text[ident] = f"{self.text.get(ident, '')} {data}"


@pytest.fixture
def read_page() -> Callable[[str], Page]:
    """`read_page(html)`: its elements, and the text inside each element with an id."""
    return Page
