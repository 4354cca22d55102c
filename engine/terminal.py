"""Device text made safe for a terminal: control characters shown, never obeyed.

A device (or a playbook, or an inventory) can hold bytes a terminal acts on: an escape
sequence that sets the window title, clears the screen, moves the cursor or rewrites a
line already printed, a carriage return that hides what precedes it, Unicode direction
overrides that reorder what is read. Everything netplay prints goes through `printable`,
which turns these into visible text (`cat -v` style: ESC → ``^[``); files and JSON keep
the text as the device sent it.
"""

from __future__ import annotations

import re

# C0 controls but tab and newline, DEL, C1 controls, and the Unicode bidirectional
# controls (U+061C, U+200E/F, U+202A–E, U+2066–9).
_UNSAFE = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029]"
)


def _visible(match: re.Match[str]) -> str:
    code = ord(match.group())
    if code < 0x20:
        return "^" + chr(code + 0x40)  # ESC → ^[, BEL → ^G, CR → ^M
    if code == 0x7F:
        return "^?"
    if code <= 0x9F:
        return f"\\x{code:02x}"
    return f"\\u{code:04x}"


def printable(text: str) -> str:
    """`text` with every control character made visible; newlines and tabs are kept, and
    a CR before a newline (a line end some devices send) is dropped."""
    return _UNSAFE.sub(_visible, text.replace("\r\n", "\n"))


def json_safe(encoded: str) -> str:
    """JSON text with the characters `printable` guards against written as ``\\uXXXX``
    escapes: the same JSON value, inert on a terminal (json.dumps with ensure_ascii=False
    escapes C0 controls itself, but leaves C1 and direction controls raw)."""
    return _UNSAFE.sub(lambda m: f"\\u{ord(m.group()):04x}", encoded)
