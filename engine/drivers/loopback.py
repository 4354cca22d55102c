"""`--lab` stays on loopback: hosts are served on 127.0.0.0/8 and nothing else is contacted.

An inventory's `options` pass through to netmiko, and some of them decide where or how a
session connects: `host`/`ip`/`port` point it elsewhere, `sock` hands it a socket,
`ssh_config_file` can run a `ProxyCommand`, key and serial settings change the transport.
Under `--lab` only options that tune timing and text handling are kept (`lab_host`), and
the driver factory refuses any session that is not on loopback (`loopback_only`) as a
second line of defence.

A host behind a jump host goes through the lab's bastion for that jump host: whatever
address the inventory gives the bastion (an inventory host or `user@address:port`), the
lab serves it on loopback and the session is pointed there; the guard refuses a bastion
off loopback like any other address.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Mapping, Sequence
from dataclasses import replace

from engine.drivers import ConnectionSettings, Driver, DriverFactory
from engine.errors import Unreachable
from engine.inventory import Host
from engine.netmiko_args import TUNING_OPTIONS

LOOPBACK = ipaddress.IPv4Network("127.0.0.0/8")
_SHOWN = 5  # host names per line of the warning


def lab_host(
    host: Host, address: str, port: int, bastion: tuple[str, int] | None = None
) -> tuple[Host, tuple[str, ...]]:
    """`host` reached at its lab endpoint (through its jump host's lab endpoint,
    `bastion`), with only tuning options kept; and the names of the options dropped."""
    kept = {k: v for k, v in host.options.items() if k in TUNING_OPTIONS}
    dropped = tuple(sorted(k for k in host.options if k not in TUNING_OPTIONS))
    moved = replace(host.at(address, port), options=kept)
    if host.jump is not None and bastion is not None:
        moved = replace(moved, jump=host.jump.at(*bastion))
    return moved, dropped


def ignored_warning(dropped: Mapping[str, Sequence[str]]) -> str | None:
    """One line naming the options `--lab` ignored and on which hosts (None: none)."""
    by_keys: dict[tuple[str, ...], list[str]] = {}
    for host, keys in dropped.items():
        if keys:
            by_keys.setdefault(tuple(keys), []).append(host)
    if not by_keys:
        return None
    parts = []
    for keys, hosts in by_keys.items():
        shown = ", ".join(hosts[:_SHOWN]) + (
            f" and {len(hosts) - _SHOWN} more" if len(hosts) > _SHOWN else ""
        )
        parts.append(f"{', '.join(keys)} ({shown})")
    return (
        "warning: --lab ignores inventory options that choose where or how to connect: "
        + "; ".join(parts)
    )


def on_loopback(address: str) -> bool:
    """True for an IPv4 address in 127.0.0.0/8 (a name is not resolved: False)."""
    try:
        return ipaddress.ip_address(address) in LOOPBACK
    except ValueError:
        return False


def loopback_only(factory: DriverFactory) -> DriverFactory:
    """`factory`, refusing any session `--lab` must not open."""

    def guarded(host: Host, settings: ConnectionSettings) -> Driver:
        redirects = sorted(set(host.options) - TUNING_OPTIONS)
        if not on_loopback(host.address) or redirects:
            where = f"{host.address}:{host.port}" + (
                f" with {', '.join(redirects)}" if redirects else ""
            )
            raise Unreachable(host.name, f"--lab connects only to 127.0.0.0/8, not {where}")
        jump = host.jump
        if jump is not None and not on_loopback(jump.address):
            where = f"bastion {jump.name} at {jump.address}:{jump.port}"
            raise Unreachable(host.name, f"--lab connects only to 127.0.0.0/8, not {where}")
        return factory(host, settings)

    return guarded
