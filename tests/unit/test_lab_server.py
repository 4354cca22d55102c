"""Reading keys off an SSH channel the way clients actually send them."""

from __future__ import annotations

import asyncio

import asyncssh

from engine.lab.server import _Input


class FakeStream:
    """Hands out chunks (or raises) in order, then end of input."""

    def __init__(self, *chunks: str | Exception) -> None:
        self._chunks = list(chunks)

    async def read(self, size: int) -> str:
        if not self._chunks:
            return ""
        chunk = self._chunks.pop(0)
        if isinstance(chunk, Exception):
            raise chunk
        return chunk


def typed(*chunks: str | Exception) -> str:
    async def read_all() -> str:
        keys = _Input(FakeStream(*chunks))  # type: ignore[arg-type]
        while await keys.more():
            pass
        return keys.pending

    return asyncio.run(read_all())


def test_input_keeps_every_chunk_in_order_until_end_of_input() -> None:
    assert typed("sh", "ow ver", "sion\r") == "show version\r"


def test_a_window_resize_or_break_is_not_input() -> None:
    resize = asyncssh.TerminalSizeChanged(80, 24, 0, 0)
    assert typed("en", resize, asyncssh.BreakReceived(0), "able\n") == "enable\n"
