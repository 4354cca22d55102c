"""Exec commands that ask before they act, as IOS 15 words its questions.

Each returns the output, or a `Question` whose answer leads to the next question or the
output; the session asks them one line at a time (netmiko's `send_command_timing` and
playbook `answers:` reply to them).
"""

from __future__ import annotations

from collections.abc import Callable

from engine.lab import config
from engine.lab.device import Device
from engine.lab.modes import Question
from engine.lab.render_show import PingRequest, ping

Step = str | Question
_YES, _NO = ("y", "ye", "yes"), ("n", "no")


def save(device: Device) -> str:
    """`write memory`: the running configuration becomes the startup configuration."""
    device.state.startup = device.running_text()
    return "Building configuration...\n[OK]\n"


def modified(device: Device) -> bool:
    """Whether the running configuration differs from the saved one."""
    return device.state.startup != device.running_text()


def confirm(text: str, then: Callable[[], str]) -> Question:
    """`... [confirm]`: Enter or `y` goes on, anything else gives up silently."""

    def answer(line: str) -> str:
        return then() if line.strip().lower() in ("", *_YES) else ""

    return Question(text, answer)


def reload(device: Device, restart: Callable[[], None]) -> Step:
    """`reload`: offer to save unsaved changes, then confirm; the session then ends."""

    def go() -> str:
        restart()
        return ""

    proceed = confirm("Proceed with reload? [confirm]", go)
    if not modified(device):
        return proceed
    ask = "System configuration has been modified. Save? [yes/no]: "

    def answer(line: str) -> Step:
        word = line.strip().lower()
        if word in _YES:
            return Question(save(device) + proceed.text, proceed.answer)
        if word in _NO:
            return proceed
        return Question("% Please answer 'yes' or 'no'.\n" + ask, answer)

    return Question("\n" + ask, answer)


def clear_counters(device: Device, interface: str | None) -> Question:
    where = "on this interface" if interface else "on all interfaces"

    def clear() -> str:
        device.clear_counters(interface)
        return ""

    return confirm(f'Clear "show interface" counters {where} [confirm]', clear)


def erase_startup(device: Device) -> Question:
    def erase() -> str:
        device.state.startup = None
        return "[OK]\nErase of nvram: complete\n"

    return confirm(
        "Erasing the nvram filesystem will remove all configuration files! Continue? [confirm]",
        erase,
    )


def copy_startup_running(device: Device, ask: bool = True) -> Step:
    """`copy startup-config running-config`: merge the saved configuration into the running one."""

    def merge(line: str) -> str:
        if line.strip() not in ("", "running-config"):
            return f"%Error opening system:/{line.strip()} (Permission denied)\n"
        saved = device.state.startup
        if saved is None:
            return "%Error opening nvram:/startup-config (No such file or directory)\n"
        config.load(device, saved)
        size = len(saved)
        return f"{size} bytes copied in 0.071 secs ({size * 1000 // 71} bytes/sec)\n"

    return Question("Destination filename [running-config]? ", merge) if ask else merge("")


def configure(enter: Callable[[], str], memory: Callable[[], Step]) -> Question:
    """`configure` alone asks where from."""

    def answer(line: str) -> Step:
        source = line.strip().lower() or "terminal"
        if "terminal".startswith(source):
            return enter()
        if "memory".startswith(source):
            return memory()
        return '?Must be "terminal" or "memory"\n'  # there is no network to read from

    return Question("Configuring from terminal, memory, or network [terminal]? ", answer)


# -- extended ping -------------------------------------------------------------------------

_PING_QUESTIONS = (
    ("repeat", "Repeat count [5]: ", 1, 2147483647),
    ("size", "Datagram size [100]: ", 36, 18024),
    ("timeout", "Timeout in seconds [2]: ", 0, 3600),
)
_EXTENDED = (
    "Source address or interface: ",
    "Type of service [0]: ",
    "Set DF bit in IP header? [no]: ",
    "Validate reply data? [no]: ",
    "Data pattern [0xABCD]: ",
    "Loose, Strict, Record, Timestamp, Verbose[none]: ",
)


def extended_ping(device: Device) -> Question:
    """`ping` alone: protocol, target, then the parameters, each with its default."""

    def protocol(line: str) -> Step:
        word = line.strip().lower() or "ip"
        if word != "ip":
            return f'% Unknown protocol - "{line.strip()}", type "ping ?" for help\n'
        return Question("Target IP address: ", target)

    def target(line: str) -> Step:
        if not line.strip():
            return "% Bad IP address\n"
        return _parameters(device, PingRequest(line.strip()), 0)

    return Question("Protocol [ip]: ", protocol)


def _parameters(device: Device, request: PingRequest, index: int) -> Step:
    if index == len(_PING_QUESTIONS):
        return Question("Extended commands [n]: ", lambda line: _extended(device, request, line))
    name, text, low, high = _PING_QUESTIONS[index]

    def answer(line: str) -> Step:
        value = line.strip()
        if not value:
            return _parameters(device, request, index + 1)
        if not value.isdigit() or not low <= int(value) <= high:
            return f"% A decimal number between {low} and {high}.\n"
        return _parameters(device, request.with_value(name, int(value)), index + 1)

    return Question(text, answer)


def _extended(device: Device, request: PingRequest, line: str) -> Step:
    if line.strip().lower() not in _YES:
        return _sweep(device, request)
    return _extended_question(device, request, 0)


def _extended_question(device: Device, request: PingRequest, index: int) -> Step:
    if index == len(_EXTENDED):
        return _sweep(device, request)

    def answer(line: str) -> Step:
        changed = request.with_source(line.strip()) if index == 0 and line.strip() else request
        return _extended_question(device, changed, index + 1)

    return Question(_EXTENDED[index], answer)


def _sweep(device: Device, request: PingRequest) -> Question:
    return Question("Sweep range of sizes [n]: ", lambda line: ping(device, request))
