"""Device-level show commands (`show version`, `inventory`, `clock`, `logging`,
`processes cpu`) and `ping`.

Modelled on a Cisco IOSvL2 switch running IOS 15.2; the wording follows real output
closely enough for the ntc-templates TextFSM templates to parse it.
"""

from __future__ import annotations

import hashlib
import ipaddress
import time
from dataclasses import dataclass, replace

from engine.lab.commands import is_ipv4
from engine.lab.device import Device
from engine.lab.identity import SOFTWARE
from engine.lab.routing import route_for
from engine.lab.store import Line

_BANNER = f"""{SOFTWARE}
Technical Support: http://www.cisco.com/techsupport
Copyright (c) 1986-2021 by Cisco Systems, Inc.
Compiled Tue 19-Jan-21 03:15 by prod_rel_team"""

_CRYPTO_NOTICE = """This product contains cryptographic features and is subject to United
States and local country laws governing import, export, transfer and
use. Delivery of Cisco cryptographic products does not imply
third-party authority to import, export, distribute or use encryption.
Importers, exporters, distributors and users are responsible for
compliance with U.S. and local country laws. By using this product you
agree to comply with applicable laws and regulations. If you are unable
to comply with U.S. and local laws, return this product immediately.

A summary of U.S. laws governing Cisco cryptographic products may be found at:
http://www.cisco.com/wwl/export/crypto/tool/stqrg.html

If you require further assistance please contact us by sending email to
export@cisco.com."""

_STORAGE = """DRAM configuration is 72 bits wide with parity disabled.
256K bytes of non-volatile configuration memory.
2097152K bytes of ATA System CompactFlash 0 (Read/Write)
0K bytes of ATA CompactFlash 1 (Read/Write)
0K bytes of ATA CompactFlash 2 (Read/Write)
0K bytes of ATA CompactFlash 3 (Read/Write)"""

_UNITS = (
    ("year", 365 * 86400),
    ("week", 7 * 86400),
    ("day", 86400),
    ("hour", 3600),
    ("minute", 60),
)


def software_banner() -> str:
    """The first four lines of `show version`, also quoted by CDP neighbours."""
    return _BANNER


def show_version(device: Device) -> str:
    """`show version`."""
    identity = device.identity
    ports = sum(1 for i in device.state.interfaces.values() if i.kind == "GigabitEthernet")
    return (
        f"{_BANNER}\n\n\nROM: Bootstrap program is IOSv\n\n"
        f"{device.state.hostname} uptime is {format_uptime(device.uptime())}\n"
        "System returned to ROM by reload\n"
        'System image file is "flash0:/vios_l2-adventerprisek9-m"\n'
        "Last reload reason: Unknown reason\n\n\n\n"
        f"{_CRYPTO_NOTICE}\n\n"
        "Cisco IOSv () processor (revision 1.0) with 935161K/111616K bytes of memory.\n"
        f"Processor board ID {identity.serial}\n"
        f"{ports} Gigabit Ethernet interfaces\n"
        f"{_STORAGE}\n\n"
        "Configuration register is 0x101\n"
    )


def format_uptime(seconds: int) -> str:
    """`3 weeks, 6 days, 32 minutes`: IOS leaves out the units that are zero."""
    parts = []
    for unit, size in _UNITS:
        count, seconds = divmod(seconds, size)
        if count:
            parts.append(f"{count} {unit}{'s' if count != 1 else ''}")
    return ", ".join(parts) or "0 minutes"


def show_inventory(device: Device) -> str:
    """`show inventory`."""
    serial = device.identity.serial
    return (
        f'NAME: "IOSv", DESCR: "IOSv chassis, Hw Serial#: {serial}, Hw Revision: 1.0"\n'
        f"PID: IOSv              , VID: 1.0, SN: {serial}\n\n"
    )


def show_clock(device: Device, now: float | None = None) -> str:
    """`show clock`; the leading `*` means "not synchronised", as without NTP servers."""
    moment = time.gmtime(time.time() if now is None else now)
    millis = int(((time.time() if now is None else now) % 1) * 1000)
    star = "" if device.state.values("ntp", "server") else "*"
    stamp = time.strftime("%H:%M:%S", moment)
    day = time.strftime("%a %b", moment)
    return f"{star}{stamp}.{millis:03d} UTC {day} {moment.tm_mday} {moment.tm_year}\n"


def show_privilege(level: int) -> str:
    return f"Current privilege level is {level}\n"


@dataclass(frozen=True)
class PingRequest:
    """What a ping sends: to whom, how many, how big, how long to wait, from where."""

    target: str
    repeat: int = 5
    size: int = 100
    timeout: int = 2
    source: str | None = None  # an address or an interface name

    def with_value(self, name: str, value: int) -> PingRequest:
        """The request with `repeat`, `size` or `timeout` set to `value`."""
        numbers = {"repeat": self.repeat, "size": self.size, "timeout": self.timeout}
        numbers[name] = value
        return PingRequest(self.target, source=self.source, **numbers)

    def with_source(self, source: str) -> PingRequest:
        return replace(self, source=source)


def ping(device: Device, request: PingRequest) -> str:
    """`ping A.B.C.D [repeat N] [size N] [source X] [timeout N]`: answered when the device
    has a route to the target."""
    target = request.target
    if not is_ipv4(target):
        return "% Unrecognized host or address, or protocol not running.\n\n"
    source = _source(device, request.source)
    if source is None:
        return "% Invalid source address- IP address not on any of our up interfaces\n"
    head = (
        "Type escape sequence to abort.\n"
        f"Sending {request.repeat}, {request.size}-byte ICMP Echos to {target}, "
        f"timeout is {request.timeout} seconds:\n"
    )
    if source:
        head += f"Packet sent with a source address of {source} \n"
    count = request.repeat
    if route_for(device, ipaddress.IPv4Address(target)) is None:
        return head + _marks("." * count) + f"Success rate is 0 percent (0/{count})\n"
    low = hashlib.sha256(f"{device.identity.serial}|{target}".encode()).digest()[0] % 4 + 1
    times = f"{low}/{low + 1}/{low + 3}"
    summary = (
        f"Success rate is 100 percent ({count}/{count}), round-trip min/avg/max = {times} ms\n"
    )
    return head + _marks("!" * count) + summary


def _marks(marks: str) -> str:
    """IOS wraps the row of `!` at 70 characters."""
    return "".join(marks[i : i + 70] + "\n" for i in range(0, len(marks), 70))


def _source(device: Device, source: str | None) -> str | None:
    """The source address (`` for none); None when no up interface owns it."""
    if not source:
        return ""
    for interface in device.state.ordered(brief=True):
        if interface.address is None or interface.protocol != "up":
            continue
        names = (interface.name.lower(), interface.short_name.lower())
        if str(interface.address.ip) == source or source.lower() in names:
            return str(interface.address.ip)
    return None


def show_logging(device: Device) -> str:
    """`show logging`: the settings, then the buffer (when buffered logging is on)."""
    state, log = device.state, device.log
    buffered = state.root.get("logging", "buffered")
    size = next((a for a in buffered.args if a.isdigit()), "8192") if buffered else "8192"
    level = _level(buffered, "debugging")
    trap = _level(state.root.get("logging", "trap"), "informational")
    hosts = state.values("logging", "host")
    lines = [
        "Syslog logging: enabled (0 messages dropped, 0 messages rate-limited, 0 flushes, "
        "0 overruns, xml disabled, filtering disabled)",
        "",
        "No Active Message Discriminator.",
        "",
        "",
        "No Inactive Message Discriminator.",
        "",
        "",
        f"    Console logging: level debugging, {log.logged} messages logged, xml disabled,",
        "                     filtering disabled",
        "    Monitor logging: level debugging, 0 messages logged, xml disabled,",
        "                     filtering disabled",
        f"    Buffer logging:  level {level}, {log.logged} messages logged, xml disabled,",
        "                    filtering disabled",
        "    Exception Logging: size (4096 bytes)",
        "    Count and timestamp logging messages: disabled",
        "    Persistent logging: disabled",
        "",
        "No active filter modules.",
        "",
        f"    Trap logging: level {trap}, {log.logged} message lines logged",
        *(line for host in hosts for line in _host_lines(host, log.logged)),
        "",
    ]
    synced = bool(state.values("ntp", "server"))
    lines += [f"Log Buffer ({size} bytes):", ""] + [m.line(synced) for m in log.messages]
    return "\n".join(lines) + "\n"


def _level(line: Line | None, default: str) -> str:
    words = line.text.split() if line is not None else []
    return next(
        (w for w in words if not w.isdigit() and w not in ("logging", "buffered", "trap")), default
    )


def _host_lines(host: str, count: int) -> list[str]:
    return [
        f"        Logging to {host}  (udp port 514, audit disabled,",
        "              link up),",
        f"              {count} message lines logged, ",
        "              0 message lines rate-limited, ",
        "              0 message lines dropped-by-MD, ",
        "              xml disabled, sequence number disabled",
        "              filtering disabled",
    ]


_PROCESSES = (
    "Chunk Manager", "Load Meter", "SpanTree Helper", "Retransmission of", "IPC ISSU Dispatch",
    "Check heaps", "Pool Manager", "DiscardQ Backgro", "Timers", "WATCH_AFS", "ARP Input",
    "ARP Background", "CEF background", "IP Input", "OSPF-1 Hello", "OSPF-1 Router",
    "CDP Protocol", "SSH Process", "Net Background", "Logger",
)  # fmt: skip


def show_processes_cpu(device: Device) -> str:
    """`show processes cpu`: low, steady utilisation that differs by device."""
    seed = hashlib.sha256(device.identity.serial.encode()).digest()
    uptime = device.uptime()
    five = seed[0] % 4 + 1
    lines = [
        f"CPU utilization for five seconds: {five}%/0%; one minute: {seed[1] % 3 + 1}%; "
        f"five minutes: {seed[2] % 3 + 1}%",
        " PID Runtime(ms)     Invoked      uSecs   5Sec   1Min   5Min TTY Process ",
    ]
    for pid, name in enumerate(_PROCESSES, 1):
        invoked = uptime // (seed[pid % 32] % 50 + 1) + pid
        usecs = seed[(pid * 3) % 32] % 90 + 10
        runtime = invoked * usecs // 1000
        share = (seed[(pid * 5) % 32] % 8) / 100 if pid % 4 == 0 else 0.0
        lines.append(
            f"{pid:>4}{runtime:>12}{invoked:>12}{usecs:>11}  {share:.2f}%  {share:.2f}%  "
            f"{share:.2f}%   0 {name:<16} "
        )
    return "\n".join(lines) + "\n"
