"""`netplay init DIR`: a runbook repository to start from, which validates and runs with `--lab`.

It holds an inventory whose secrets come from the environment, a playbook that reads each
router's version and configuration, the schemas the files name for an editor, a README,
and a `.gitignore` for what runs leave behind (the history, results, session logs, keys).
Files are created whole and private (0600), never through a symbolic link; a folder that
already holds files (besides `.git`) is refused unless `force`, which adds what is missing,
keeps every file already there and adds the missing lines to an existing `.gitignore`.
"""

from __future__ import annotations

from pathlib import Path

from engine.errors import UsageError
from engine.files import atomic_write, private_folder, refuse_link, write_new
from engine.keyref import schema_text

PLAYBOOK = "check.yml"
INVENTORY = "inventory.yml"
SCHEMAS = ("playbook", "inventory")

IGNORED = """\
# What netplay runs leave behind: the run history, results and their journals, session
# logs, saved outputs, and vault keys.
.netplay/
results*.json
results*.jsonl
logs/
out/
*.key
"""

INVENTORY_TEXT = """\
# yaml-language-server: $schema=schemas/inventory.schema.json
# The devices, and how to reach them. Secrets come from the environment, never from git:
#   export NET_PASSWORD=... NET_SECRET=...
defaults:
  platform: cisco_ios
  username: netops
  password: "{{ env.NET_PASSWORD }}"
  secret: "{{ env.NET_SECRET }}"
  vars:
    ntp_server: 192.0.2.123

groups:
  routers:
    hosts: [R1, R2]

hosts:
  R1:
    host: 192.0.2.1
  R2:
    host: 192.0.2.2
"""

PLAYBOOK_TEXT = """\
# yaml-language-server: $schema=schemas/playbook.schema.json
# What every router runs and how it is configured; `netplay diff` shows what changed
# between two runs of it.
#   netplay run check.yml -i inventory.yml --lab
name: Check the routers
hosts: routers
steps:
  - name: Software version
    send: show version
    parse: textfsm
    register: version

  - name: Version is known
    assert:
      that: version.parsed[0].version != ''
      success_msg: "{{ inventory_hostname }} runs {{ version.parsed[0].version }}"

  - name: Running configuration
    send: show running-config
"""

README_TEXT = """\
# Runbooks

Playbooks for our network, run with netplay.

## Set up

```sh
export NET_PASSWORD=...  NET_SECRET=...      # the inventory reads its secrets from here
netplay validate check.yml -i inventory.yml  # schema, hosts and templates; touches no device
```

## Run

```sh
netplay run check.yml -i inventory.yml --lab   # against simulated devices first
netplay run check.yml -i inventory.yml         # then against the network
netplay history                                # every run is kept in .netplay/runs/
netplay diff                                   # what changed between the last two runs
```

`schemas/` holds the JSON Schemas the YAML files name on their first line, for editors with
a YAML language server; refresh them after upgrading netplay with
`netplay schema playbook > schemas/playbook.schema.json` (and `inventory`).
"""


def files() -> dict[str, str]:
    """Every file of a new runbook repository, by its path in it."""
    made = {
        "README.md": README_TEXT,
        ".gitignore": IGNORED,
        INVENTORY: INVENTORY_TEXT,
        PLAYBOOK: PLAYBOOK_TEXT,
    }
    made.update({f"schemas/{name}.schema.json": schema_text(name) for name in SCHEMAS})
    return made


def create(folder: Path, *, force: bool = False) -> str:
    """Write the repository into `folder` (made if missing); what was done, one line each."""
    if folder.is_dir() and any(p.name != ".git" for p in folder.iterdir()) and not force:
        raise UsageError(
            f"{folder} is not empty; --force adds the missing files and keeps every one there"
        )
    private_folder(folder)
    done = []
    for name, text in files().items():
        target = folder / name
        private_folder(target.parent)
        if name == ".gitignore" and (target.exists() or target.is_symlink()):
            done.append(_merge_ignored(target, text))
        elif target.exists() or target.is_symlink():
            done.append(f"kept     {target}")
        else:
            write_new(target, text)
            done.append(f"created  {target}")
    done.append(f"next: cd {folder} && netplay validate {PLAYBOOK} -i {INVENTORY}")
    return "\n".join(done) + "\n"


def _merge_ignored(target: Path, wanted: str) -> str:
    """An existing .gitignore with the lines netplay needs added at its end."""
    refuse_link(target)
    text = target.read_text(encoding="utf-8")
    present = {line.strip() for line in text.splitlines()}
    missing = [line for line in wanted.splitlines() if line not in present]
    if not any(line and not line.startswith("#") for line in missing):
        return f"kept     {target}"
    joined = text if text.endswith("\n") or not text else text + "\n"
    atomic_write(target, joined + "\n".join(missing) + "\n")
    return f"updated  {target}"
