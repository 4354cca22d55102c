"""`?` context help and Tab completion at the prompt, as IOS shows them.

`show ?` lists the keywords that may follow, one a line with a short help text;
`sh?` (no space) lists the keywords the partial word may complete to, on one line.
Tab completes an unambiguous keyword and adds a space.
"""

from __future__ import annotations

from engine.lab import config, trees
from engine.lab.cli import Session
from engine.lab.commands import INTERFACE_TYPES, Arg, Choices, Failure, Node, choices

_UNRECOGNIZED = "% Unrecognized command\n"
_HELP = {
    "show": "Show running system information",
    "terminal": "Set terminal line parameters",
    "enable": "Turn on privileged commands",
    "disable": "Turn off privileged commands",
    "exit": "Exit from the EXEC",
    "logout": "Exit from the EXEC",
    "quit": "Exit from the EXEC",
    "ping": "Send echo messages",
    "configure": "Enter configuration mode",
    "write": "Write running configuration to memory, network, or terminal",
    "copy": "Copy from one file to another",
    "dir": "List files on a filesystem",
    "delete": "Delete a file",
    "more": "Display the contents of a file",
    "verify": "Verify a file",
    "version": "System hardware and software status",
    "clock": "Display the system clock",
    "running-config": "Current operating configuration",
    "startup-config": "Contents of startup configuration",
    "interfaces": "Interface status and configuration",
    "interface": "Interface status and configuration",
    "ip": "IP information",
    "length": "Set number of lines on a screen",
    "width": "Set width of the display terminal",
    "hostname": "Set system's network name",
    "end": "Exit from configure mode",
    "do": "To run exec commands in config mode",
    "no": "Negate a command or set its defaults",
    "description": "Interface specific description",
    "shutdown": "Shutdown the selected interface",
    "logging": "Modify message logging facilities",
    "ntp": "Configure NTP",
    "username": "Establish User Name Authentication",
}
# Where config mode means something else by the same word.
_CONFIG_HELP = {"interface": "Select an interface to configure", "exit": "Exit from configure mode"}
_ARG_HELP = {
    Arg.WORD: ("WORD", ""),
    Arg.LINE: ("LINE", ""),
    Arg.IPV4: ("A.B.C.D", "IP address"),
    Arg.VLANS: ("WORD", "VLAN IDs, such as 1,3-5,7"),
    Arg.LEVEL: ("<0-7>", "Logging severity level"),
    Arg.TCP_PORT: ("<0-65535>", "Port number"),
    Arg.UDP_PORT: ("<0-65535>", "Port number"),
}


def root_for(session: Session) -> Node:
    """The command tree the session's prompt reads from."""
    mode = session.context.mode
    return config.tree_for(mode) if mode.configuring else trees.EXEC


def _choices(session: Session, text: str) -> Choices | Failure:
    return choices(text, root_for(session), privileged=session.privilege == 15)


def help_text(session: Session, text: str) -> str:
    """What IOS prints after `?` typed at the end of `text` (lines end with \\n)."""
    found = _choices(session, text)
    if isinstance(found, Failure):
        return _UNRECOGNIZED
    if found.partial:
        words = _partial_words(found)
        return "  ".join(words) + "  \n" if words else _UNRECOGNIZED
    texts = _HELP | _CONFIG_HELP if session.context.mode.configuring else _HELP
    rows = [row for node in found.nodes for row in _rows(node, texts)]
    if found.complete:
        rows.append(("<cr>", ""))
    width = max((len(word) for word, _ in rows), default=0)
    return "".join(f"  {word:<{width}}  {about}".rstrip() + "\n" for word, about in rows)


def complete(session: Session, text: str) -> str | None:
    """`text` with its last word completed (and a space), or None when it is not unique."""
    found = _choices(session, text)
    if isinstance(found, Failure) or not found.partial:
        return None
    words = _partial_words(found)
    if len(words) != 1:
        return None
    return text[: len(text) - len(found.partial)] + words[0] + " "


def _partial_words(found: Choices) -> list[str]:
    words: list[str] = []
    for node in found.nodes:
        if node.keyword is not None:
            words.append(node.keyword)
        elif node.arg is Arg.INTERFACE:
            prefix = found.partial.rstrip("0123456789/.").lower()
            words += [t for t in INTERFACE_TYPES if t.lower().startswith(prefix)]
    return words


def _rows(node: Node, texts: dict[str, str]) -> list[tuple[str, str]]:
    if node.keyword is not None:
        return [(node.keyword, texts.get(node.keyword, ""))]
    if node.arg is Arg.INTERFACE:
        return [(name, f"{name} interface") for name in INTERFACE_TYPES]
    if node.arg is Arg.NUMBER:
        return [(f"<{node.low}-{node.high}>", "")]
    assert node.arg is not None
    return [_ARG_HELP[node.arg]]
