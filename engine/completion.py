"""Shell completion for bash, zsh and fish, made from the command line's own parser.

Sub-commands, options and what each option's value is (a file, a folder, a playbook, a
host pattern, one of a few words) are read from argparse when the script is printed, so a
script never lists an option the command line lacks, or misses one it has. Host and group
names are asked of netplay as you type (`netplay hosts --names`, a hidden option), from the
inventory named with `-i` on the line being typed; a pattern completes after its last
comma (`R1,rou<TAB>`) and after `!` or `&`.
"""

from __future__ import annotations

import argparse
import shlex
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from engine.argtypes import existing_file, existing_folder, folder, new_file
from engine.options import DEFAULT_INVENTORIES
from engine.terminal import printable

# What a value is, when its type does not say: by the option's (or argument's) name.
_BY_DEST = {
    "inventory": "yaml",
    "playbook": "yaml",
    "where": "yaml",
    "limit": "hosts",
    "before": "runs",
    "after": "runs",
}
_FILES = (existing_file, new_file, Path)
_FOLDERS = (existing_folder, folder)


@dataclass(frozen=True)
class Option:
    """An option of a command: its flags, the kind of value it takes (None: a flag)."""

    flags: tuple[str, ...]
    kind: str | None
    choices: tuple[str, ...]
    help: str
    metavar: str
    repeatable: bool


@dataclass(frozen=True)
class Command:
    """`netplay` itself, or a sub-command (`words`: `("vault", "encrypt")`)."""

    words: tuple[str, ...]
    options: tuple[Option, ...]
    subcommands: tuple[tuple[str, str], ...]  # name, help
    positional: str | None  # the kind of value its arguments are
    choices: tuple[str, ...]
    positional_name: str

    @property
    def path(self) -> str:
        return " ".join(self.words)


def commands(parser: argparse.ArgumentParser) -> list[Command]:
    """Every command of the parser, `netplay` first, then depth first."""
    return list(_walk(parser, ()))


def _walk(parser: argparse.ArgumentParser, words: tuple[str, ...]) -> Iterator[Command]:
    options, positionals, subcommands = [], [], []
    children: list[tuple[str, argparse.ArgumentParser]] = []
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            helps = {a.dest: a.help or "" for a in action._choices_actions}
            subcommands = [(name, helps.get(name, "")) for name in action.choices]
            children = list(action.choices.items())
        elif action.help == argparse.SUPPRESS:
            continue
        elif action.option_strings:
            options.append(_option(action))
        else:
            positionals.append(action)
    first = positionals[0] if positionals else None
    yield Command(
        words=words,
        options=tuple(options),
        subcommands=tuple(subcommands),
        positional=_kind(first) if first is not None else None,
        choices=tuple(first.choices or ()) if first is not None else (),
        positional_name=str(first.metavar or first.dest) if first is not None else "",
    )
    for name, child in children:
        yield from _walk(child, (*words, name))


def _option(action: argparse.Action) -> Option:
    return Option(
        flags=tuple(action.option_strings),
        kind=None if action.nargs == 0 else _kind(action),
        choices=tuple(action.choices or ()),
        help=" ".join((action.help or "").split()),
        metavar=str(action.metavar or action.dest.upper()),
        repeatable=isinstance(action, argparse._AppendAction),
    )


def _kind(action: argparse.Action) -> str:
    if action.choices:
        return "words"
    if action.dest in _BY_DEST:
        return _BY_DEST[action.dest]
    if action.type in _FILES:
        return "file"
    if action.type in _FOLDERS:
        return "dir"
    return "text"


def script(shell: str, parser: argparse.ArgumentParser) -> str:
    """The completion script for `shell` (bash, zsh or fish)."""
    made = {"bash": bash, "zsh": zsh, "fish": fish}[shell]
    return made(commands(parser))


def inventory_names(path: Path | None) -> list[str]:
    """The host and group names of an inventory, without resolving anything in it (its
    secrets may come from an environment this shell lacks): empty when there is none."""
    from engine.source import load_yaml

    candidates = [Path(name) for name in DEFAULT_INVENTORIES]
    found = [path] if path is not None else [p for p in candidates if p.is_file()]
    if not found:
        return []
    data = load_yaml(found[0]).data
    if isinstance(data, dict) and isinstance(data.get("hosts"), dict):
        groups = data.get("groups") or {}
        return ["all", *map(str, groups), *map(str, data["hosts"])]
    sections = [(None, data)] if isinstance(data, list) else list((data or {}).items())
    names = ["all", *(str(g) for g, _ in sections if g is not None)]
    for _, devices in sections:
        for device in devices if isinstance(devices, list) else []:
            name = device.get("name") or device.get("ip") or device.get("host")
            names.append(str(name))
    return list(dict.fromkeys(names))


def print_names(path: Path | None) -> int:
    """`netplay hosts --names`: the names `inventory_names` finds, one a line."""
    for name in inventory_names(path):
        print(printable(name))
    return 0


# -- bash ---------------------------------------------------------------------------------

_BASH_HEAD = r"""# bash completion for netplay, made from its parser by `netplay completion bash`.
#   source <(netplay completion bash)        # in ~/.bashrc

_netplay_names() {
    local i inventory=()
    for ((i = 1; i < ${#COMP_WORDS[@]} - 1; i++)); do
        case ${COMP_WORDS[i]} in
        -i | --inventory) inventory=(-i "${COMP_WORDS[i + 1]}") ;;
        =) [[ ${COMP_WORDS[i - 1]} == --inventory ]] && inventory=(-i "${COMP_WORDS[i + 1]}") ;;
        esac
    done
    command netplay hosts --names "${inventory[@]}" 2>/dev/null
}

_netplay_runs() {
    local run
    for run in .netplay/runs/*/; do
        [[ -d $run ]] && run=${run%/} && printf '%s\n' "${run##*/}"
    done
}

_netplay_value() {
    local cur=$2 head tail mark=""
    case $1 in
    file) compopt -o filenames 2>/dev/null
        mapfile -t COMPREPLY < <(compgen -f -- "$cur") ;;
    dir) compopt -o filenames 2>/dev/null
        mapfile -t COMPREPLY < <(compgen -d -- "$cur") ;;
    yaml) compopt -o filenames 2>/dev/null
        mapfile -t COMPREPLY < <(compgen -d -- "$cur"; compgen -f -X '!*.yml' -- "$cur"
            compgen -f -X '!*.yaml' -- "$cur") ;;
    runs) compopt -o filenames 2>/dev/null
        mapfile -t COMPREPLY < <(compgen -W "$(_netplay_runs)" -- "$cur"; compgen -f -- "$cur") ;;
    hosts)
        tail=${cur##*,}
        head=${cur%"$tail"}
        case $tail in
        '!'* | '&'*) mark=${tail:0:1} tail=${tail:1} ;;
        esac
        mapfile -t COMPREPLY < <(compgen -P "$head$mark" -W "$(_netplay_names)" -- "$tail") ;;
    words) mapfile -t COMPREPLY < <(compgen -W "$3" -- "$cur") ;;
    esac
}

_netplay() {
    local cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD - 1]}
    # bash splits `--option=value` at the `=`
    if [[ $cur == = ]]; then cur=""; fi
    if [[ $prev == = ]]; then prev=${COMP_WORDS[COMP_CWORD - 2]}; fi
    local command="" i=1
    while ((i < COMP_CWORD)); do
        case "$command:${COMP_WORDS[i]}" in
"""


def bash(found: Sequence[Command]) -> str:
    """The bash script: one `case` line per command with its options, sub-commands and
    what its arguments are, and one per option value that can be completed."""
    steps = " | ".join(_q(_step(c)) for c in found if c.words)
    lines = [_BASH_HEAD.rstrip("\n")]
    lines.append(f"        {steps}) command=${{command:+$command }}${{COMP_WORDS[i]}} ;;")
    lines += ["        *) break ;;", "        esac", "        ((i++))", "    done"]
    lines.append('    local options="" commands="" positional="" choices="" kind="" values=""')
    lines.append("    case $command in")
    for command in found:
        flags = " ".join(flag for option in command.options for flag in option.flags)
        subs = " ".join(name for name, _ in command.subcommands)
        parts = [f"options={_q(flags)}", f"commands={_q(subs)}"]
        parts += [
            f"positional={_q(command.positional or '')}",
            f"choices={_q(' '.join(command.choices))}",
        ]
        lines.append(f"    {_q(command.path)}) {' '.join(parts)} ;;")
    lines.append("    esac")
    lines.append('    case "$command:$prev" in')
    for command in found:
        for option in (o for o in command.options if o.kind is not None):
            patterns = " | ".join(_q(f"{command.path}:{flag}") for flag in option.flags)
            values = f" values={_q(' '.join(option.choices))}" if option.choices else ""
            lines.append(f"    {patterns}) kind={option.kind}{values} ;;")
    lines += [
        "    esac",
        "    if [[ $kind == text ]]; then return; fi",
        '    if [[ -n $kind ]]; then _netplay_value "$kind" "$cur" "$values"; return; fi',
        '    if [[ $cur == -* ]]; then _netplay_value words "$cur" "$options"; return; fi',
        '    if [[ -n $commands ]]; then _netplay_value words "$cur" "$commands"; return; fi',
        '    _netplay_value "$positional" "$cur" "$choices"',
        "}",
        "",
        "complete -F _netplay netplay",
    ]
    return "\n".join(lines) + "\n"


def _step(command: Command) -> str:
    """How the scripts match a sub-command's word: `PARENT:WORD` (`vault:encrypt`, `:run`)."""
    return f"{' '.join(command.words[:-1])}:{command.words[-1]}"


def _q(text: str) -> str:
    """A shell word: quoted unless it is safe as it is."""
    return shlex.quote(text) if text else "''"


# -- zsh ----------------------------------------------------------------------------------

_ZSH_HEAD = r"""#compdef netplay
# zsh completion for netplay, made from its parser by `netplay completion zsh`.
#   source <(netplay completion zsh)      # in ~/.zshrc, after compinit
# or save it as _netplay in a folder of your $fpath.

_netplay_names() {
  local -a inventory names
  local i
  for (( i = 2; i < CURRENT; i++ )); do
    case ${words[i]} in
      (-i|--inventory) inventory=(-i ${words[i+1]}) ;;
      (--inventory=*) inventory=(-i ${words[i]#--inventory=}) ;;
    esac
  done
  names=(${(f)"$(command netplay hosts --names $inventory 2>/dev/null)"})
  compset -P '*,'
  compset -P '[&!]'
  compadd -a names
}

_netplay_runs() {
  local -a ids
  ids=(.netplay/runs/*(N/:t))
  compadd -a ids
  _files
}

_netplay() {
  local command="" word
  local -a commands
  integer depth=0
  while (( depth + 2 < CURRENT )); do
    word=${words[depth+2]}
    case "$command:$word" in
"""

_ZSH_TAIL = """\
if [[ $zsh_eval_context[-1] == loadautofunc ]]; then
  _netplay "$@"
else
  compdef _netplay netplay
fi
"""

_ZSH_ACTIONS = {
    "file": "_files",
    "dir": "_files -/",
    "yaml": '_files -g "*.(yml|yaml)"',
    "hosts": "_netplay_names",
    "runs": "_netplay_runs",
    "text": " ",
}


def zsh(found: Sequence[Command]) -> str:
    """The zsh script: `_arguments` specs per command, with each option's help."""
    steps = "|".join(_q(_step(c)) for c in found if c.words)
    lines = [_ZSH_HEAD.rstrip("\n")]
    lines.append(f"      ({steps}) command=${{command:+$command }}$word ;;")
    lines += ["      (*) break ;;", "    esac", "    (( depth++ ))", "  done"]
    lines += ["  shift $depth words", "  (( CURRENT -= depth ))", "  case $command in"]
    for command in found:
        lines.append(f"    ({_q(command.path)})")
        specs = [_zsh_option(option) for option in command.options]
        if command.subcommands:
            entries = " ".join(_q(f"{name}:{about}") for name, about in command.subcommands)
            lines.append(f"      commands=({entries})")
            specs.append("'1:command:{_describe command commands}'")
        elif command.positional is not None:
            action = _zsh_action(command.positional, command.choices)
            specs.append(_q(f"*:{_zsh_text(command.positional_name)}:{action}"))
        lines.append("      _arguments -s " + " \\\n        ".join(specs) + " ;;")
    lines += ["  esac", "}", "", _ZSH_TAIL.rstrip("\n")]
    return "\n".join(lines) + "\n"


def _zsh_option(option: Option) -> str:
    about = _zsh_text(option.help).replace("[", "\\[").replace("]", "\\]")
    value = ""
    if option.kind is not None:
        value = f":{_zsh_text(option.metavar)}:{_zsh_action(option.kind, option.choices)}"
    tail = _q(f"[{about}]{value}")
    if len(option.flags) == 1:
        head = "'*'" if option.repeatable else ""
        return f"{head}{option.flags[0]}{tail}"
    group = "'*'" if option.repeatable else _q(f"({' '.join(option.flags)})")
    return f"{group}{{{','.join(option.flags)}}}{tail}"


def _zsh_action(kind: str, choices: Sequence[str]) -> str:
    if kind == "words":
        return f"({' '.join(choices)})"
    return _ZSH_ACTIONS[kind]


def _zsh_text(text: str) -> str:
    return text.replace("\\", "\\\\").replace(":", "\\:")


# -- fish ---------------------------------------------------------------------------------

_FISH_HEAD = r"""# fish completion for netplay, made from its parser by `netplay completion fish`.
#   netplay completion fish > ~/.config/fish/completions/netplay.fish

function __netplay_command --description 'the netplay sub-command typed so far'
    set -l command ''
    for word in (commandline -opc)[2..-1]
        switch "$command:$word"
"""

_FISH_FUNCTIONS = r"""
function __netplay_is --argument-names wanted
    set -l command (__netplay_command)
    test "$command" = "$wanted"
end

function __netplay_names --description 'host and group names of the inventory given with -i'
    set -l words (commandline -opc)
    set -l inventory
    for i in (seq (count $words))
        if contains -- $words[$i] -i --inventory; and test $i -lt (count $words)
            set inventory -i $words[(math $i + 1)]
        else if string match -q -- '--inventory=*' $words[$i]
            set inventory -i (string replace -- '--inventory=' '' $words[$i])
        end
    end
    set -l token (commandline -ct)
    set -l head (string match -r '^.*,' -- $token)
    set -l tail (string replace -r '^.*,' '' -- $token)
    set -l mark (string match -r '^[!&]' -- $tail)
    for name in (command netplay hosts --names $inventory 2>/dev/null)
        echo "$head$mark$name"
    end
end

function __netplay_runs --description 'runs kept in .netplay/runs, and files'
    for run in .netplay/runs/*/
        basename $run
    end
    __fish_complete_path (commandline -ct)
end

complete -c netplay -f
"""

_FISH_VALUES = {
    "file": "-r -F",
    "dir": "-x -a '(__fish_complete_directories)'",
    "yaml": "-x -a '(__fish_complete_suffix .yml; __fish_complete_suffix .yaml)'",
    "hosts": "-x -a '(__netplay_names)'",
    "runs": "-x -a '(__netplay_runs)'",
    "text": "-x",
}


def fish(found: Sequence[Command]) -> str:
    """The fish script: one `complete` line per sub-command, option and argument kind."""
    steps = " ".join(_q(_step(c)) for c in found if c.words)
    lines = [_FISH_HEAD.rstrip("\n")]
    lines.append(f"            case {steps}")
    lines.append('                set command (string trim -- "$command $word")')
    lines += ["            case '*'", "                break", "        end", "    end"]
    lines += ["    echo $command", "end", _FISH_FUNCTIONS.rstrip("\n")]
    for command in found:
        when = f"-n '__netplay_is \"{command.path}\"'"
        for name, about in command.subcommands:
            lines.append(f"complete -c netplay {when} -a {_q(name)} -d {_q(about)}")
        for option in command.options:
            lines.append(f"complete -c netplay {when} {_fish_option(option)}")
        if command.positional is not None and not command.subcommands:
            lines.append(
                f"complete -c netplay {when} {_fish_value(command.positional, command.choices)}"
            )
    return "\n".join(lines) + "\n"


def _fish_option(option: Option) -> str:
    flags = [f"-s {flag[1:]}" if len(flag) == 2 else f"-l {flag[2:]}" for flag in option.flags]
    value = "" if option.kind is None else " " + _fish_value(option.kind, option.choices)
    return f"{' '.join(flags)}{value} -d {_q(option.help)}"


def _fish_value(kind: str, choices: Sequence[str]) -> str:
    if kind == "words":
        return f"-x -a {_q(' '.join(choices))}"
    return _FISH_VALUES[kind]
