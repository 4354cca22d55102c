"""The platforms netplay knows, as data: one frozen record per network operating system.

Everything that differs between platforms lives here, in the manner of scrapli's platform
definitions: the prompts, the terminal settings sent after login, how to enter and leave
config mode, the candidate configuration of platforms that commit (Junos, IOS-XR), the
optional config session (EOS), how to save, the device's error text, the command that
shows the running-config and the hier_config platform `ensure` compares with. The driver,
`ensure`, the running-config copy and the inventory check read this table; none keeps a
dict of its own.

Any other netmiko device type is *generic*: allowed with `platform_generic: true`, it gets
netmiko's own session preparation, config mode and save, the default error text, and no
`ensure` (see README, "Platforms").
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from engine.netmiko_args import NETMIKO_DEVICE_TYPES

# Error text every platform may print; a platform adds its own (`Platform.errors`).
DEFAULT_ERRORS: tuple[str, ...] = (
    r"% ?Invalid input",
    r"% ?Incomplete command",
    r"% ?Ambiguous command",
    r"% ?Unknown command",
    r"% ?Bad (?:IP address|mask|secret)",
    r"% ?Error",
)
# A config-mode prompt (`R1(config-if)#`), or the exec prompt a line such as `end` leaves.
CISCO_CONFIG_PROMPT = r"(?:\(config[^)\n]*\)#|[\w.:/-]+#)[ \t]*$"
CISCO_EXEC_PROMPT = r"[\w.:/()-]{1,80}[>#][ \t]*$"


@dataclass(frozen=True)
class Commit:
    """How a candidate configuration (or a config session) is committed or dropped.

    `commit_leaves` / `abort_leaves`: the command itself returns to exec mode (an EOS
    session; IOS-XR's `abort`); otherwise the platform's `config_exit` follows it.
    """

    commit: str
    abort: str
    check: str | None = None  # validates the candidate without committing it
    compare: str | None = None  # shows the candidate's difference from the running config
    changes: str | None = None  # a regex for a line of compare's answer that shows a change
    top: str | None = None  # back to the top level first, so compare sees the whole candidate
    commit_leaves: bool = False
    abort_leaves: bool = False


@dataclass(frozen=True)
class Archive:
    """How a platform archives its running-config and puts an archive back whole
    (`rollback_on_failure`, engine.rollback)."""

    folder: str  # where archives go, e.g. "flash:"
    archive: str  # the command, given the file
    restore: str
    copied: str  # a regex the archive command's answer matches when the copy worked
    restored: str  # likewise for the restore


@dataclass(frozen=True)
class Platform:
    """One network operating system: how netplay talks to it."""

    name: str  # the netmiko device type
    hier_config: str  # hier_config's Platform name, for `ensure`
    # The Cisco-style CLI most platforms share is the default.
    exec_prompt: str = CISCO_EXEC_PROMPT  # regexes, matched at the end of the text received
    config_prompt: str = CISCO_CONFIG_PROMPT
    prepare: tuple[str, ...] = ("terminal width 511", "terminal length 0")  # no paging/wrap
    config_enter: str = "configure terminal"
    config_exit: str = "end"
    show_running: str = "show running-config"
    errors: tuple[str, ...] = ()
    save: str | None = None  # None: nothing to save (a commit is already persistent)
    enable: bool = True  # has an enable (privileged exec) mode
    candidate: Commit | None = None  # config lines go to a candidate, committed at the end
    session: Commit | None = None  # an optional config session (`config_session: true`)
    session_enter: str | None = None  # with `{name}` for the session's name
    archive: Archive | None = None  # for rollback_on_failure

    @property
    def commits(self) -> bool:
        """True when config lines go to a candidate that `commit` applies."""
        return self.candidate is not None


_IOS = Platform(
    name="cisco_ios",
    hier_config="CISCO_IOS",
    errors=(
        r"^%\s?Inconsistent address and mask",
        r"^%\s?Command rejected",
        r"^%\s?Hostname contains",
        r"^Bad mask /\d+ for address",
        r"^%\s?Removal of physical interfaces",
        r"^%\s?Default VLAN 1 may not be deleted",
    ),
    save="write memory",
    archive=Archive(
        folder="flash:",
        archive="copy running-config {file}",
        restore="configure replace {file} force",
        copied=r"\d+ bytes copied",
        restored=r"Rollback Done",
    ),
)

PLATFORMS: dict[str, Platform] = {
    p.name: p
    for p in (
        _IOS,
        replace(_IOS, name="cisco_xe"),
        Platform(
            name="cisco_nxos",
            hier_config="CISCO_NXOS",
            errors=(r"% ?Invalid command", r"% ?Invalid parameter", r"% ?Invalid number"),
            save="copy running-config startup-config",
        ),
        Platform(
            name="arista_eos",
            hier_config="ARISTA_EOS",
            errors=(r"% ?Cannot commit", r"% ?Unavailable command"),
            save="write memory",
            session=Commit(
                commit="commit",
                abort="abort",
                compare="show session-config diffs",
                changes=r"^[+-](?![+-]{2} )",  # a unified diff's line, not its header
                commit_leaves=True,
                abort_leaves=True,
            ),
            session_enter="configure session {name}",
        ),
        Platform(
            name="cisco_xr",
            hier_config="CISCO_XR",
            errors=(r"% ?Failed to commit", r"% ?Invalid input"),
            candidate=Commit(
                commit="commit",
                abort="abort",
                compare="show configuration",  # in config mode: the candidate's changes
                changes=r"^(?!Building configuration|!!|!\s*$|end\s*$|\w{3} \w{3} [ \d]\d \d\d:)\S",
                abort_leaves=True,
            ),
        ),
        Platform(
            name="juniper_junos",
            exec_prompt=r"[\w\-@()/:.]{1,63}>[ \t]*$",
            config_prompt=r"[\w\-@()/:.]{1,63}#[ \t]*$",
            prepare=(
                "set cli screen-length 0",
                "set cli screen-width 511",
                "set cli complete-on-space off",
            ),
            # a private candidate: a commit carries this step's lines and nobody else's, and
            # Junos refuses it while others' changes wait uncommitted in the shared one
            config_enter="configure private",
            config_exit="exit configuration-mode",
            show_running="show configuration | display set",
            hier_config="JUNIPER_JUNOS",
            errors=(
                r"^error: ",
                r"syntax error",
                r"missing argument",
                r"invalid value",
                r"is ambiguous",
                r"^unknown command",
            ),
            enable=False,
            candidate=Commit(
                commit="commit",
                abort="rollback 0",
                check="commit check",
                compare="show | compare",
                top="top",  # `show | compare` under `edit system` shows only that level
                changes=r"^[+-]\s",
            ),
        ),
    )
}
# Generic netmiko device types whose configuration hier_config can compare (`ensure`).
GENERIC_HIER_CONFIG = {
    "hp_procurve": "HP_PROCURVE",
    "hp_comware": "HP_COMWARE5",
    "huawei": "HUAWEI_VRP",
    "huawei_vrp": "HUAWEI_VRP",
    "aruba_aoscx": "ARUBA_AOSCX",
    "fortinet": "FORTINET_FORTIOS",
    "ruckus_fastiron": "RUCKUS_FASTIRON",
    "nokia_srl": "NOKIA_SRL",
    "vyos": "VYOS",
}
# Other names netmiko gives the same platforms.
ALIASES = {"juniper": "juniper_junos", **{f"{name}_ssh": name for name in PLATFORMS}}


def lookup(name: str) -> Platform | None:
    """The table's record for a device type (or one of its aliases); None for any other."""
    return PLATFORMS.get(ALIASES.get(name, name))


def is_netmiko_type(name: str) -> bool:
    """True for a device type netmiko knows (over SSH): usable with `platform_generic`."""
    return name in NETMIKO_DEVICE_TYPES


def show_running(name: str) -> str:
    """The command that shows a platform's running configuration."""
    platform = lookup(name)
    return platform.show_running if platform is not None else "show running-config"


def saves(name: str) -> bool:
    """False on a platform whose commit is already persistent: `save: true` sends nothing."""
    platform = lookup(name)
    return platform is None or platform.save is not None


def error_texts(name: str) -> tuple[str, ...]:
    """The regexes of a platform's error text: the defaults and its own."""
    platform = lookup(name)
    return (*DEFAULT_ERRORS, *(platform.errors if platform is not None else ()))


def hier_config_platform(name: str) -> str | None:
    """hier_config's name for a platform, or None where `ensure` cannot compare configs."""
    platform = lookup(name)
    return platform.hier_config if platform is not None else GENERIC_HIER_CONFIG.get(name)
