"""Reading lines off an SSH channel the way clients actually send them."""

from __future__ import annotations

import asyncio

import asyncssh

from engine.lab.server import _LineReader


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


def lines(*chunks: str | Exception) -> list[str]:
    async def read_all() -> list[str]:
        reader = _LineReader(FakeStream(*chunks))  # type: ignore[arg-type]
        found = []
        while (line := await reader.readline()) is not None:
            found.append(line)
        return found

    return asyncio.run(read_all())


def test_cr_lf_and_crlf_each_end_one_line() -> None:
    assert lines("a\nb\rc\r\nd\n") == ["a", "b", "c", "d"]


def test_a_crlf_split_across_reads_is_still_one_line_end() -> None:
    assert lines("show clock\r", "\nshow version\r", "\n") == ["show clock", "show version"]


def test_a_line_may_arrive_in_pieces() -> None:
    assert lines("sh", "ow ver", "sion\n") == ["show version"]


def test_nul_bytes_are_dropped() -> None:
    assert lines("\0\n", "show\0 clock\n") == ["", "show clock"]


def test_a_window_resize_or_break_is_not_input() -> None:
    resize = asyncssh.TerminalSizeChanged(80, 24, 0, 0)
    assert lines("en", resize, asyncssh.BreakReceived(0), "able\n") == ["enable"]


def test_an_unfinished_last_line_is_dropped_at_end_of_input() -> None:
    assert lines("exit\n", "half") == ["exit"]
