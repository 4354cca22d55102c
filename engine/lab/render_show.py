"""Device-level show commands (`show version`, `inventory`, `clock`) and `ping`.

Modelled on a Cisco IOSvL2 switch running IOS 15.2; the wording follows real output
closely enough for the ntc-templates TextFSM templates to parse it.
"""

from __future__ import annotations

import hashlib
import ipaddress
import time

from engine.lab.commands import is_ipv4
from engine.lab.device import Device
from engine.lab.identity import SOFTWARE
from engine.lab.routing import route_for

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
    star = "" if device.state.ntp_servers else "*"
    stamp = time.strftime("%H:%M:%S", moment)
    day = time.strftime("%a %b", moment)
    return f"{star}{stamp}.{millis:03d} UTC {day} {moment.tm_mday} {moment.tm_year}\n"


def show_privilege(level: int) -> str:
    return f"Current privilege level is {level}\n"


def ping(device: Device, target: str) -> str:
    """`ping A.B.C.D`: answered when the device has a route to the target."""
    if not is_ipv4(target):
        return "% Unrecognized host or address, or protocol not running.\n\n"
    head = (
        "Type escape sequence to abort.\n"
        f"Sending 5, 100-byte ICMP Echos to {target}, timeout is 2 seconds:\n"
    )
    if route_for(device, ipaddress.IPv4Address(target)) is None:
        return head + ".....\nSuccess rate is 0 percent (0/5)\n"
    low = hashlib.sha256(f"{device.identity.serial}|{target}".encode()).digest()[0] % 4 + 1
    times = f"{low}/{low + 1}/{low + 3}"
    return head + f"!!!!!\nSuccess rate is 100 percent (5/5), round-trip min/avg/max = {times} ms\n"
