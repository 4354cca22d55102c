"""Text for a terminal: control characters and escape sequences shown, never obeyed."""

from __future__ import annotations

import json

import pytest

from engine.terminal import json_safe, printable


@pytest.mark.parametrize(
    "raw, shown",
    [
        ("\x1b]0;owned\x07", "^[]0;owned^G"),  # OSC: set the window title
        ("\x1b[2J\x1b[H", "^[[2J^[[H"),  # clear the screen, cursor home
        ("ok\rFAKE", "ok^MFAKE"),  # a carriage return that would overwrite the line
        ("a\x00b\x7f", "a^@b^?"),
        ("\x9b31m", "\\x9b31m"),  # C1 CSI
        ("abc\u202edef", "abc\\u202edef"),  # right-to-left override
    ],
)
def test_control_characters_become_visible(raw: str, shown: str) -> None:
    assert printable(raw) == shown


def test_newlines_tabs_and_ordinary_text_are_kept() -> None:
    text = "Interface\tStatus\r\nGi0/1 up — café ✓\n"
    assert printable(text) == "Interface\tStatus\nGi0/1 up — café ✓\n"


def test_json_keeps_the_same_value_with_no_raw_control_character() -> None:
    value = {"R1": "\x1b]0;t\x07 \x9b2J \u202e é"}
    encoded = json_safe(json.dumps(value, ensure_ascii=False))
    assert json.loads(encoded) == value
    assert printable(encoded) == encoded and "é" in encoded
