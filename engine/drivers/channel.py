"""Reading a device's output from its SSH channel: block until data comes, never poll.

netmiko's own reads poll the channel every few milliseconds; here a read waits on the
paramiko channel itself, so a session costs nothing while the device thinks and answers
are seen the moment they arrive. Text is then processed exactly as netmiko's
`read_channel` does it, so outputs are unchanged.
"""

from __future__ import annotations

import codecs
import time
from typing import Any

import paramiko

_CHUNK = 65536


class ChannelReader:
    """Reads what the device sends, blocking on the SSH channel instead of polling it.

    Text is processed the way netmiko's `read_channel` does it (line feeds normalised, ANSI
    codes stripped when the platform asks, session log written), so outputs are the same.
    """

    def __init__(self, conn: Any) -> None:  # a netmiko BaseConnection
        self._conn = conn
        self._decoder = codecs.getincrementaldecoder(conn.encoding)("ignore")
        self._held = ""  # a trailing "\r" waiting to see whether "\n" follows

    def read(self, timeout: float) -> str:
        """What arrived within `timeout` ("" if nothing); EOFError once the device closed."""
        channel = self._conn.remote_conn
        if not isinstance(channel, paramiko.Channel):
            return self._poll(timeout)  # telnet or serial: netmiko's own non-blocking read
        data = _receive(channel, timeout)
        text = self._held + self._decoder.decode(data)
        self._held = "\r" if text.endswith("\r") else ""
        text = text[: len(text) - len(self._held)]
        return self._process(text)

    def _poll(self, timeout: float) -> str:
        text = str(self._conn.read_channel())
        if not text:
            time.sleep(min(0.01, timeout))
        return text

    def _process(self, text: str) -> str:
        conn = self._conn
        text = str(conn.normalize_linefeeds(text))
        if conn.ansi_escape_codes:
            text = str(conn.strip_ansi_escape_codes(text))
        if conn.session_log and text:
            conn.session_log.write(text)
        return text


def _receive(channel: paramiko.Channel, timeout: float) -> bytes:
    """Block until data (all that is ready), b"" on timeout; EOFError when closed."""
    previous = channel.gettimeout()
    channel.settimeout(timeout)
    try:
        data: bytes = channel.recv(_CHUNK)
    except TimeoutError:
        return b""
    finally:
        channel.settimeout(previous)
    if not data:
        raise EOFError("the device closed the session")
    while channel.recv_ready() and len(data) < 16 * _CHUNK:
        data += channel.recv(_CHUNK)
    return data
