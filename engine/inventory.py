"""Hosts, groups and connection parameters, from netplay's format or a netmiko devices.yaml.

Precedence, lowest first (a later layer overrides an earlier one key by key):

    defaults  <  groups (in the order the file defines them)  <  the host itself

`vars`, `options` and `lab` mappings merge key by key through the same layers.
String values may read the environment, `password: "{{ env.NET_PASSWORD }}"`, so an
inventory kept in git holds no secrets.
"""

from __future__ import annotations

import fnmatch
import os
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from engine.errors import ExitCode, InputError, KeyPath, NetplayError, Problem, UsageError
from engine.jumphosts import JumpHost, JumpSetting, resolve
from engine.netmiko_args import NETMIKO_ARGUMENTS, NETMIKO_DEVICE_TYPES
from engine.options import DEFAULT_INVENTORIES
from engine.platforms import PLATFORMS, is_netmiko_type, lookup
from engine.schema import suggest, validate
from engine.secrets import secret_values
from engine.source import Document, load_yaml
from engine.templating import TemplateError, is_template, render

DEFAULT_PLATFORM = "cisco_ios"
CONNECTION_KEYS = ("port", "platform", "username", "password", "secret", "jump_host")
# netplay's settings of how a platform is driven, beside `platform`.
PLATFORM_KEYS = ("platform_generic", "config_session")
# A credential read from the environment is kept out of git: it is treated as a secret.
CREDENTIAL_KEYS = ("username", "password", "secret")
MERGED_KEYS = ("vars", "options", "lab")
_ENV_REFERENCE = re.compile(r"\benv(?:\.(\w+)|\[\s*['\"](\w+)['\"]\s*\])")
# netmiko's own keys that netplay models; the rest of a devices.yaml entry passes through.
_NETMIKO_KEYS = {"device_type", "ip", "host", "name", "port", "username", "password", "secret"}
_GENERIC_LIMITS = (
    "netmiko's own session set-up, config mode and save, the default error text, no ensure"
)


@dataclass(frozen=True)
class Host:
    """One device and everything needed to reach it. Secrets are kept out of repr()."""

    name: str
    address: str
    port: int = 22
    platform: str = DEFAULT_PLATFORM
    username: str | None = None
    password: str | None = field(default=None, repr=False)
    secret: str | None = field(default=None, repr=False)
    groups: tuple[str, ...] = ()
    vars: Mapping[str, Any] = field(default_factory=dict, repr=False)
    options: Mapping[str, Any] = field(default_factory=dict, repr=False)
    lab: Mapping[str, Any] = field(default_factory=dict, repr=False)
    env_credentials: frozenset[str] = field(default=frozenset(), repr=False)
    platform_generic: bool = False  # a netmiko device type outside engine.platforms
    config_session: bool = False  # EOS: config lines in a config session, committed
    jump: JumpHost | None = None  # the bastion this host is reached through

    def secrets(self) -> frozenset[str]:
        """This host's secret values: password and secret, credentials read from the
        environment, and values under secret-looking names at any depth of `vars` and
        `options` (see engine.secrets); its jump host's too."""
        values = {v for v in (self.password, self.secret) if v} | set(self.env_credentials)
        values.update(secret_values(self.vars), secret_values(self.options))
        if self.jump is not None:
            values.update(self.jump.secrets)
        return frozenset(values)

    def as_jump_host(self) -> JumpHost:
        """This host as a bastion for others: its address, port and credentials."""
        secrets = self.env_credentials | ({self.password} if self.password else set())
        return JumpHost(
            self.name,
            self.address,
            self.port,
            self.username,
            self.password,
            lab=self.lab,
            secrets=frozenset(secrets),
        )

    def at(self, address: str, port: int) -> Host:
        """The same host reached at another address (used to point hosts at the lab)."""
        return replace(self, address=address, port=port)


class PatternError(NetplayError):
    """A host pattern names nothing in the inventory."""

    exit_code = ExitCode.INVALID_INPUT

    def __init__(self, message: str, hint: str | None = None) -> None:
        super().__init__(message)
        self.hint = hint


@dataclass(frozen=True)
class Inventory:
    """Hosts in file order, and group name → member host names."""

    file: str
    hosts: tuple[Host, ...]
    groups: Mapping[str, tuple[str, ...]]

    def host(self, name: str) -> Host:
        return next(h for h in self.hosts if h.name == name)

    def select(self, patterns: str | Sequence[str]) -> tuple[Host, ...]:
        """Hosts matching Ansible-style patterns, in inventory order.

        A pattern is `all`, a group, a host, or a glob (`core-*`), combined with commas:
        `routers,!R2` (all routers but R2), `routers,&core` (routers that are in core).
        `all` leaves out the hosts others jump through: a bastion is a target only when
        a pattern names it (or its group).
        """
        terms = _split_patterns(patterns)
        chosen: set[str] = set()
        for term in terms:
            if term.startswith(("!", "&")):
                continue
            chosen |= self._resolve(term)
        for term in terms:
            if term.startswith("&"):
                chosen &= self._resolve(term[1:])
            elif term.startswith("!"):
                chosen -= self._resolve(term[1:])
        return tuple(h for h in self.hosts if h.name in chosen)

    def _resolve(self, term: str) -> set[str]:
        names = {h.name for h in self.hosts}
        if term in ("all", "*"):
            return names - {h.jump.name for h in self.hosts if h.jump is not None}
        if term in self.groups:
            return set(self.groups[term])
        if term in names:
            return {term}
        if any(ch in term for ch in "*?["):
            matched = set(fnmatch.filter(names, term))
            for group in fnmatch.filter(self.groups, term):
                matched |= set(self.groups[group])
            return matched
        hint = suggest(term, [*names, *self.groups])
        raise PatternError(f"'{term}' is not a host or group of {self.file}", hint)

    def secrets(self) -> frozenset[str]:
        """Every secret value in the inventory, so output can be masked."""
        return frozenset(value for host in self.hosts for value in host.secrets())


def _split_patterns(patterns: str | Sequence[str]) -> list[str]:
    items = [patterns] if isinstance(patterns, str) else list(patterns)
    return [term.strip() for item in items for term in item.split(",") if term.strip()]


def load_inventory(path: str | os.PathLike[str]) -> Inventory:
    """Read, validate and resolve an inventory file in either supported format."""
    doc = load_yaml(path)
    validate(doc, "inventory")
    found = (_option_problem(doc, where) for where in _option_keys(doc.data))
    problems = [problem for problem in found if problem is not None]
    if problems:
        raise InputError(problems)
    data = doc.data
    if isinstance(data, Mapping) and isinstance(data.get("hosts"), Mapping):
        return _NetplayFormat(doc).build()
    return _netmiko_format(doc)


# netmiko arguments an inventory may not set: an inventory is data, yet these would run a
# command on this machine or write a file wherever they point.
REFUSED = {
    "ssh_config_file": "its ProxyCommand would run a command on this machine",
    "session_log": "it writes a file wherever it points; use --session-logs DIR",
    "session_log_file_mode": "session logs are netplay's: use --session-logs DIR",
    "session_log_record_writes": "session logs are netplay's: use --session-logs DIR",
    "sock": "an open socket cannot come from a file",
    "auto_connect": "netplay opens the session itself",
}
# netplay's own keys in a devices.yaml entry, beside netmiko's.
_DEVICE_KEYS = {"name", "lab", *PLATFORM_KEYS}


def _option_keys(data: Any) -> list[KeyPath]:
    """The path of every netmiko argument key in an inventory, in either format."""
    if isinstance(data, Mapping) and isinstance(data.get("hosts"), Mapping):
        layers: list[tuple[KeyPath, Any]] = [(("defaults",), data.get("defaults"))]
        layers += [(("groups", g), d) for g, d in (data.get("groups") or {}).items()]
        layers += [(("hosts", h), d) for h, d in data["hosts"].items()]
        return [
            (*path, "options", key)
            for path, layer in layers
            for key in ((layer or {}).get("options") or {})
        ]
    sections = [((), data)] if isinstance(data, list) else [((g,), d) for g, d in data.items()]
    return [
        (*path, i, key)
        for path, devices in sections
        for i, device in enumerate(devices)
        for key in device
        if key not in _DEVICE_KEYS
    ]


def _option_problem(doc: Document, path: KeyPath) -> Problem | None:
    """What is wrong with a netmiko argument key: refused, or not one of netmiko's."""
    name = str(path[-1])
    if name in REFUSED:
        message = f"'{name}' cannot be set in an inventory: {REFUSED[name]}"
        return doc.problem(path, message, key=True)
    if name in NETMIKO_ARGUMENTS:
        return None
    hint = suggest(name, sorted(NETMIKO_ARGUMENTS))
    return doc.problem(path, f"unknown netmiko connection option '{name}'", hint=hint, key=True)


def _render_env(doc: Document, path: KeyPath, value: Any) -> Any:
    """Resolve `{{ env.NAME }}` in an inventory string (`| default(...)` works too)."""
    if not isinstance(value, str) or not is_template(value):
        return value
    try:
        return render(value, {"env": dict(os.environ)})
    except TemplateError as exc:
        unset = [m.group(1) or m.group(2) for m in _ENV_REFERENCE.finditer(value)]
        unset = [name for name in unset if name not in os.environ]
        message = f"environment variable {unset[0]} is not set" if unset else str(exc)
        raise InputError([doc.problem(path, message)]) from exc


def _env_credentials(raw: Mapping[str, Any], rendered: Mapping[str, Any]) -> frozenset[str]:
    """The credentials a template filled in (from the environment): secrets too."""
    return frozenset(
        str(rendered[key])
        for key in CREDENTIAL_KEYS
        if isinstance(raw.get(key), str) and is_template(raw[key]) and rendered.get(key)
    )


def _merge(layers: Iterable[Mapping[str, Any]]) -> dict[str, Any]:
    merged: dict[str, Any] = {}
    for layer in layers:
        for key, value in layer.items():
            if key in MERGED_KEYS:
                merged[key] = {**merged.get(key, {}), **(value or {})}
            else:
                merged[key] = value
    return merged


class _NetplayFormat:
    """Resolves netplay's own format: defaults, groups and hosts."""

    def __init__(self, doc: Document) -> None:
        self.doc = doc
        self.defaults: Mapping[str, Any] = doc.data.get("defaults") or {}
        self.group_defs: Mapping[str, Any] = doc.data.get("groups") or {}
        self.host_defs: Mapping[str, Any] = doc.data["hosts"]
        self.problems: list[Problem] = []
        self.jumps: dict[str, JumpSetting] = {}

    def build(self) -> Inventory:
        members = self._memberships()
        hosts = tuple(self._host(name, members[name]) for name in self.host_defs)
        if self.problems:
            raise InputError(list(dict.fromkeys(self.problems)))  # one per place
        hosts = self._with_jump_hosts(hosts)
        groups = {
            group: tuple(h for h in self.host_defs if group in members[h])
            for group in self.group_defs
        }
        return Inventory(self.doc.file, hosts, groups)

    def _memberships(self) -> dict[str, list[str]]:
        """Host name → its groups, in the order the file defines the groups."""
        members: dict[str, set[str]] = {name: set() for name in self.host_defs}
        problems: list[Problem] = []
        for group, gdef in self.group_defs.items():
            for i, name in enumerate((gdef or {}).get("hosts") or []):
                if name in members:
                    members[name].add(group)
                else:
                    problems.append(self._unknown(("groups", group, "hosts", i), "host", name))
        for name, hdef in self.host_defs.items():
            for i, group in enumerate((hdef or {}).get("groups") or []):
                if group in self.group_defs:
                    members[name].add(group)
                else:
                    problems.append(self._unknown(("hosts", name, "groups", i), "group", group))
        if problems:
            raise InputError(problems)
        order = list(self.group_defs)
        return {name: sorted(groups, key=order.index) for name, groups in members.items()}

    def _with_jump_hosts(self, hosts: tuple[Host, ...]) -> tuple[Host, ...]:
        """The hosts, each with the bastion its `jump_host:` names (engine.jumphosts)."""
        if not self.jumps:
            return hosts
        named = {host.name: host.as_jump_host() for host in hosts}
        password = _render_env(self.doc, ("defaults", "password"), self.defaults.get("password"))
        chosen = resolve(self.doc, self.jumps, named, password)
        return tuple(replace(host, jump=chosen.get(host.name)) for host in hosts)

    def _unknown(self, path: KeyPath, kind: str, name: str) -> Problem:
        known = self.host_defs if kind == "host" else self.group_defs
        return self.doc.problem(path, f"unknown {kind} '{name}'", hint=suggest(name, known))

    def _host(self, name: str, groups: list[str]) -> Host:
        hdef = self.host_defs[name] or {}
        layers = [
            (("defaults",), self.defaults),
            *((("groups", g), self.group_defs[g] or {}) for g in groups),
            (("hosts", name), hdef),
        ]
        merged = _merge(layer for _, layer in layers)
        raw = dict(merged)
        origins: dict[str, KeyPath] = {}
        for key in (*CONNECTION_KEYS, *PLATFORM_KEYS):
            origin = next((p for p, layer in reversed(layers) if key in layer), None)
            if origin is not None:
                origins[key] = (*origin, key)
                merged[key] = _render_env(self.doc, origins[key], merged[key])
                if key == "jump_host":
                    inherited = origin[0] != "hosts"
                    self.jumps[name] = JumpSetting(merged[key], origins[key], inherited)
        platform = str(merged.get("platform", DEFAULT_PLATFORM))
        problem = _platform_problem(self.doc, origins, platform, merged)
        if problem is not None:
            self.problems.append(problem)
        return Host(
            name=str(name),
            address=str(hdef.get("host", name)),
            port=int(merged.get("port", 22)),
            platform=platform,
            platform_generic=bool(merged.get("platform_generic", False)),
            config_session=bool(merged.get("config_session", False)),
            username=merged.get("username"),
            password=merged.get("password"),
            secret=merged.get("secret"),
            groups=tuple(groups),
            vars=merged.get("vars", {}),
            options=merged.get("options", {}),
            lab=merged.get("lab", {}),
            env_credentials=_env_credentials(raw, merged),
        )


def _netmiko_format(doc: Document) -> Inventory:
    """Each top-level key is a group holding a list of netmiko connection dicts; or the
    file is one such list, whose hosts are in no group (but `all`)."""
    hosts: dict[str, Host] = {}
    groups: dict[str, list[str]] = {}
    data = doc.data
    sections = [(None, data)] if isinstance(data, list) else list(data.items())
    for group, devices in sections:
        for i, device in enumerate(devices):
            path: KeyPath = (i,) if group is None else (group, i)
            name = str(device.get("name") or device.get("ip") or device.get("host"))
            if name in hosts and (group is None or group in hosts[name].groups):
                raise InputError([doc.problem(path, f"host '{name}' is listed twice")])
            host = hosts.get(name) or _netmiko_host(doc, path, name, device)
            hosts[name] = host if group is None else replace(host, groups=(*host.groups, group))
            if group is not None:
                groups.setdefault(group, []).append(name)
    return Inventory(doc.file, tuple(hosts.values()), {g: tuple(m) for g, m in groups.items()})


def _netmiko_host(doc: Document, path: KeyPath, name: str, device: Mapping[str, Any]) -> Host:
    def get(key: str) -> Any:
        return _render_env(doc, (*path, key), device.get(key))

    options = {k: v for k, v in device.items() if k not in _NETMIKO_KEYS | _DEVICE_KEYS}
    credentials = {key: get(key) for key in CREDENTIAL_KEYS}
    platform = str(get("device_type"))
    origins: dict[str, KeyPath] = {"platform": (*path, "device_type")}
    origins |= {key: (*path, key) for key in PLATFORM_KEYS if key in device}
    problem = _platform_problem(doc, origins, platform, device)
    if problem is not None:
        raise InputError([problem])
    return Host(
        name=name,
        address=str(device.get("ip") or device.get("host")),
        port=int(device.get("port", 22)),
        platform=platform,
        platform_generic=bool(device.get("platform_generic", False)),
        config_session=bool(device.get("config_session", False)),
        username=credentials["username"],
        password=credentials["password"],
        secret=credentials["secret"],
        options=options,
        lab=device.get("lab") or {},
        env_credentials=_env_credentials(device, credentials),
    )


def _platform_problem(
    doc: Document, origins: Mapping[str, KeyPath], platform: str, settings: Mapping[str, Any]
) -> Problem | None:
    """What is wrong with a host's platform: unknown, generic without the opt-in, or a
    config session on a platform that has none. `origins` says where each key was set."""
    known = lookup(platform)
    where = origins.get("platform", ("platform",))
    if known is None and not is_netmiko_type(platform):
        hint = suggest(platform, PLATFORMS) or suggest(platform, NETMIKO_DEVICE_TYPES)
        message = f"unknown platform '{platform}': netplay knows {', '.join(PLATFORMS)}"
        return doc.problem(where, message, hint=hint)
    if known is None and not settings.get("platform_generic"):
        message = f"platform '{platform}' is a netmiko device type outside netplay's platforms"
        hint = f"set platform_generic: true to drive it as netmiko does ({_GENERIC_LIMITS})"
        return doc.problem(where, message, hint=hint)
    if settings.get("config_session") and (known is None or known.session is None):
        sessions = ", ".join(p.name for p in PLATFORMS.values() if p.session is not None)
        message = f"platform '{platform}' has no config sessions (only {sessions})"
        return doc.problem(origins.get("config_session", where), message)
    return None


def inventory_from_paths(path: str | None) -> Inventory:
    """The inventory named on the command line, or `inventory.yml` beside the cwd."""
    if path is not None:
        return load_inventory(path)
    for candidate in DEFAULT_INVENTORIES:
        if Path(candidate).is_file():
            return load_inventory(candidate)
    raise UsageError("no inventory given and none found here: pass one with -i INVENTORY")
