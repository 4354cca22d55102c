"""The variables a step sees on a host during a run, lowest precedence first:

    inventory vars < built-ins (inventory_hostname, hostvars, ...) < play vars
    < step vars < what this host registered or set < extra vars (-e)

Play and step `vars` are templates rendered per host and per step, so they can fail for
one host: `variables` then raises a TemplateError that names the file, line and key,
and the executor turns it into that host's failed result.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from engine.errors import KeyPath, Location, format_path
from engine.inventory import Host, Inventory
from engine.model import Play, Step
from engine.results import StepResult
from engine.source import Document
from engine.templating import TemplateError, render_value


class Scope:
    """Every host's variables for one run; registered results are added as steps finish."""

    def __init__(
        self,
        inventory: Inventory,
        extra_vars: Mapping[str, Any],
        check: bool,
        document: Document | None = None,
    ) -> None:
        self.inventory = inventory
        self.document = document  # the playbook's, to locate a failing play `vars` key
        self.extra_vars = extra_vars
        self.check = check
        self._hosts = {h.name: h for h in inventory.hosts}
        self._registered: dict[str, dict[str, Any]] = {h.name: {} for h in inventory.hosts}

    def variables(self, host: Host, play: Play, step: Step) -> dict[str, Any]:
        """Variables `step` sees on `host`; a failing play or step `vars` template raises
        TemplateError with its location."""
        scope: dict[str, Any] = {**host.vars}
        scope.update(self._builtins(host))
        scope.update(_rendered(play.vars, scope, self.document, play.location))
        scope.update(_rendered(step.vars, scope, step.document, step.location))
        scope.update(self._registered[host.name])
        scope.update(self.extra_vars)
        return scope

    def register(self, step: Step, name: str, result: StepResult) -> None:
        """Keep a result's facts (`set`) and, with `register`, the result itself."""
        self._registered[name].update(result.facts)
        if step.register:
            self._registered[name][step.register] = result.to_vars()

    def _builtins(self, host: Host) -> dict[str, Any]:
        return {
            "inventory_hostname": host.name,
            "hostvars": HostVars(self),
            "groups": {"all": [h.name for h in self.inventory.hosts], **self.inventory.groups},
            "group_names": list(host.groups),
            "check_mode": self.check,
        }

    def host_variables(self, name: str) -> dict[str, Any]:
        """What `hostvars[name]` shows: inventory vars, registered results, extra vars."""
        host = self._hosts[name]
        return {
            **host.vars,
            "inventory_hostname": name,
            "group_names": list(host.groups),
            **self._registered[name],
            **self.extra_vars,
        }


def _rendered(
    values: Mapping[str, Any],
    scope: Mapping[str, Any],
    document: Document | None,
    owner: Location,
) -> dict[str, Any]:
    """A play's or step's `vars` rendered for one host; a failing key is named, with its
    file, line and column."""
    rendered = {}
    for key, value in values.items():
        try:
            rendered[key] = render_value(value, scope)
        except TemplateError as exc:
            path: KeyPath = (*owner.path, "vars", key)
            where = document.locate(path) if document else Location(owner.file, path=path)
            raise TemplateError(f"{where}: {format_path(where.path)}: {exc}") from exc
    return rendered


class HostVars(Mapping[str, Mapping[str, Any]]):
    """`hostvars[name]`: any host's variables, computed when a template reads them."""

    def __init__(self, scope: Scope) -> None:
        self._scope = scope
        self._names = [h.name for h in scope.inventory.hosts]

    def __getitem__(self, name: str) -> Mapping[str, Any]:
        if name not in self._names:
            raise KeyError(name)
        return self._scope.host_variables(name)

    def __iter__(self) -> Iterator[str]:
        return iter(self._names)

    def __len__(self) -> int:
        return len(self._names)
