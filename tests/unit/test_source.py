"""YAML is read into plain data with the position of every value; bad files get located errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from engine.errors import InputError, Location, Problem
from engine.source import MAX_BYTES, MAX_DEPTH, Document, load_yaml, parse_yaml


def problems_of(text: str) -> tuple[Problem, ...]:
    with pytest.raises(InputError) as caught:
        parse_yaml(text, "site.yaml")
    return caught.value.problems


def only_problem(text: str) -> Problem:
    problems = problems_of(text)
    assert len(problems) == 1, [p.render() for p in problems]
    return problems[0]


def load_error(path: Path, display: str | None = None) -> Problem:
    with pytest.raises(InputError) as caught:
        load_yaml(path, display=display)
    assert len(caught.value.problems) == 1
    return caught.value.problems[0]


PLAYBOOK = """\
name: Describe uplinks
hosts: routers
steps:
  - name: Read interfaces
    send: show ip interface brief
  - config:
      - interface Gi0/1
"""


# --- data and positions -------------------------------------------------------------------


def test_data_is_plain_python() -> None:
    doc = parse_yaml(PLAYBOOK, "site.yaml")
    assert doc.data == {
        "name": "Describe uplinks",
        "hosts": "routers",
        "steps": [
            {"name": "Read interfaces", "send": "show ip interface brief"},
            {"config": ["interface Gi0/1"]},
        ],
    }


def test_values_are_located_by_key_path() -> None:
    doc = parse_yaml(PLAYBOOK, "site.yaml")
    assert doc.locate(("hosts",)) == Location("site.yaml", 2, 8, ("hosts",))
    assert doc.locate(("steps", 0, "send")) == Location("site.yaml", 5, 11, ("steps", 0, "send"))
    assert doc.locate(("steps", 1, "config", 0)).line == 7


def test_keys_are_located_when_asked_for() -> None:
    doc = parse_yaml(PLAYBOOK, "site.yaml")
    location = doc.locate(("steps", 0, "send"), key=True)
    assert (location.line, location.column) == (5, 5)


def test_a_missing_path_falls_back_to_its_deepest_existing_ancestor() -> None:
    doc = parse_yaml(PLAYBOOK, "site.yaml")
    location = doc.locate(("steps", 1, "register"))
    assert (location.line, location.column) == (6, 5)
    assert location.path == ("steps", 1, "register")


def test_an_empty_value_is_located_at_its_key() -> None:
    doc = parse_yaml("hosts:\n  R1:\n  R2: {}\n", "inv.yaml")
    assert doc.data == {"hosts": {"R1": None, "R2": {}}}
    assert (doc.locate(("hosts", "R1")).line, doc.locate(("hosts", "R1")).column) == (2, 3)


def test_problem_carries_the_source_line_and_renders_with_a_caret() -> None:
    doc = parse_yaml(PLAYBOOK, "site.yaml")
    problem = doc.problem(("steps", 0, "send"), "expected a list", hint="use - items")
    assert problem.render() == (
        "site.yaml:5:11: steps[0].send: expected a list\n"
        "     5 |     send: show ip interface brief\n"
        "       |           ^\n"
        "  hint: use - items"
    )


def test_a_document_without_positions_still_makes_problems() -> None:
    problem = Document("x.yaml", "", {}).problem(("a",), "bad")
    assert problem.location == Location("x.yaml", None, None, ("a",))


def test_scalars_keep_json_types_and_dates_stay_text() -> None:
    doc = parse_yaml("a: 22\nb: 1.5\nc: yes\nd: ~\ne: 2024-01-01\nf: '22'\ng: =\n", "v.yaml")
    assert doc.data == {
        "a": 22,
        "b": 1.5,
        "c": True,
        "d": None,
        "e": "2024-01-01",
        "f": "22",
        "g": "=",
    }


def test_aliases_share_their_anchor_value() -> None:
    doc = parse_yaml("base: &creds {username: admin}\nR1: *creds\n", "inv.yaml")
    assert doc.data["R1"] == {"username": "admin"}
    assert doc.locate(("R1", "username")).line == 1  # where the shared value is written


def test_a_utf8_byte_order_mark_is_ignored(tmp_path: Path) -> None:
    path = tmp_path / "bom.yaml"
    path.write_bytes(b"\xef\xbb\xbfname: x\n")
    assert load_yaml(path).data == {"name": "x"}


def test_the_display_name_is_the_one_shown(tmp_path: Path) -> None:
    path = tmp_path / "site.yaml"
    path.write_text("a: 1\n", encoding="utf-8")
    assert load_yaml(path, display="site.yaml").file == "site.yaml"


def test_a_500_host_inventory_loads_with_every_host() -> None:
    lines = ["defaults: {platform: cisco_ios}", "hosts:"]
    for i in range(500):
        lines += [f"  R{i}:", f"    host: 10.0.{i // 250}.{i % 250}", "    port: 22"]
        lines += ["    groups: [core, edge]", "    vars: {asn: 65000, site: lon}"]
    text = "\n".join(lines) + "\n"
    doc = parse_yaml(text, "inventory.yaml")
    assert len(doc.data["hosts"]) == 500
    assert doc.locate(("hosts", "R499", "host")).line == lines.index("  R499:") + 2


# --- YAML that is not acceptable ----------------------------------------------------------


def test_duplicate_keys_are_rejected_with_where_the_first_one_is() -> None:
    problem = only_problem("hosts: all\nname: a\nhosts: core\n")
    assert problem.render() == (
        "site.yaml:3:1: hosts: duplicate key 'hosts' (first defined at line 1)\n"
        "     3 | hosts: core\n"
        "       | ^\n"
        "  hint: remove one of the two"
    )


def test_every_duplicate_key_is_reported_at_once() -> None:
    problems = problems_of("a: 1\na: 2\nb:\n  c: 1\n  c: 2\n")
    assert [(p.location.line, p.location.path) for p in problems] == [(2, ("a",)), (5, ("b", "c"))]


def test_duplicate_keys_in_flow_mappings_are_rejected_too() -> None:
    assert only_problem("x: {a: 1, a: 2}\n").location.column == 11


def test_tabs_in_indentation_get_a_plain_message() -> None:
    problem = only_problem("steps:\n\t- send: show version\n")
    assert problem.message == "tabs are not allowed for indentation; use spaces"
    assert (problem.location.line, problem.location.column) == (2, 1)


def test_an_unquoted_colon_in_a_value_is_explained() -> None:
    problem = only_problem("name: uplink: to R2\n")
    assert problem.message == "unexpected ':' in a value"
    assert problem.hint == "quote a value that contains ': '"
    assert (problem.location.line, problem.location.column) == (1, 13)
    assert problem.source_line == "name: uplink: to R2"


def test_bad_indentation_is_explained() -> None:
    problem = only_problem("name: x\nsteps:\n  - send: a\n send: b\n")
    assert problem.message.startswith("bad indentation")
    assert problem.location.line == 4


def test_an_unclosed_quote_points_where_it_opened() -> None:
    problem = only_problem("name: 'Describe\nhosts: all\n")
    assert problem.message == "the file ends inside a quoted string"
    assert (problem.location.line, problem.location.column) == (1, 7)


def test_unknown_syntax_errors_still_say_where() -> None:
    problem = only_problem("a: [1, 2\n")
    assert problem.message == "a '[' list is not closed"
    assert problem.location.line == 1


def test_a_second_document_is_rejected() -> None:
    problem = only_problem("a: 1\n---\nb: 2\n")
    assert problem.message == "a second YAML document starts here"
    assert problem.location.line == 2


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "file is empty"),
        ("\n  \n", "file is empty"),
        ("# nothing\n", "file has no YAML content"),
        ("---\n", "file has no YAML content"),
    ],
)
def test_an_empty_file_is_rejected(text: str, message: str) -> None:
    assert only_problem(text).message == message


@pytest.mark.parametrize(
    "tag",
    ["!!python/object:os.system", "!!python/name:os.system", "!!binary", "!!timestamp", "!vault"],
)
def test_tags_beyond_plain_yaml_are_rejected(tag: str) -> None:
    problem = only_problem(f"a: {tag} x\n")
    assert problem.message.startswith("tag '") and "is not allowed" in problem.message
    assert problem.location.column == 4


def test_sets_and_ordered_maps_are_rejected() -> None:
    assert "'!!set'" in only_problem("a: !!set {x}\n").message
    assert "'!!omap'" in only_problem("a: !!omap [x: 1]\n").message


def test_an_explicit_tag_must_fit_its_value() -> None:
    assert only_problem("port: !!int twenty\n").message == "'twenty' is not a valid int"


def test_merge_keys_are_rejected_with_the_alternative() -> None:
    problem = only_problem("base: &b {port: 22}\nR1:\n  <<: *b\n")
    assert problem.message == "merge keys ('<<') are not supported"
    assert problem.location.line == 3


def test_a_mapping_key_must_be_a_single_value() -> None:
    problem = only_problem("? [a, b]\n: 1\n")
    assert problem.message == "a mapping key must be a single value, not a list"


def test_an_alias_bomb_is_rejected_before_it_expands() -> None:
    lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for previous, name in zip("abcdefgh", "bcdefghi", strict=True):
        lines.append(f"{name}: &{name} [" + ",".join([f"*{previous}"] * 9) + "]")
    problem = only_problem("\n".join(lines) + "\n")
    assert problem.message == "aliases expand to over 100000 values"


def test_a_recursive_alias_is_rejected() -> None:
    assert only_problem("a: &a [1, *a]\n").message == "an alias is inside the value it refers to"


def test_an_undefined_alias_is_rejected() -> None:
    problem = only_problem("a: *nowhere\n")
    assert "no anchor" in problem.message
    assert (problem.location.line, problem.location.column) == (1, 4)


@pytest.mark.parametrize(
    "text",
    [
        "[" * (MAX_DEPTH + 5) + "]" * (MAX_DEPTH + 5),
        "".join(" " * i + "k:\n" for i in range(MAX_DEPTH + 5)),
        "[" * 5000,
    ],
    ids=["flow", "block", "libyaml-limit"],
)
def test_very_deep_nesting_is_a_clean_error(text: str) -> None:
    assert only_problem(text).message.startswith("nesting is too deep")


def test_control_characters_are_located() -> None:
    problem = only_problem("name: a\nhosts: b\x07c\n")
    assert problem.message == "control character U+0007 is not allowed in YAML"
    assert (problem.location.line, problem.location.column) == (2, 9)
    assert problem.source_line == "hosts: b?c"


# --- files --------------------------------------------------------------------------------


def test_a_missing_file_is_reported_with_a_close_name(tmp_path: Path) -> None:
    (tmp_path / "inventory.yaml").write_text("hosts: {}\n", encoding="utf-8")
    problem = load_error(tmp_path / "inventroy.yaml", display="lab/inventroy.yaml")
    assert problem.message == "file not found"
    assert problem.hint == "did you mean 'lab/inventory.yaml'?"
    assert problem.location.file == "lab/inventroy.yaml"


def test_a_directory_is_not_a_file(tmp_path: Path) -> None:
    assert load_error(tmp_path).message == "this is a directory, not a file"


def test_an_unreadable_file_is_reported(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*_: object, **__: object) -> None:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(Path, "open", refuse)  # root may read anything: simulate the refusal
    assert load_error(tmp_path / "secret.yaml").message == "cannot read the file: Permission denied"


def test_a_file_over_the_size_limit_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "huge.yaml"
    with path.open("wb") as stream:
        stream.truncate(MAX_BYTES + 1)  # sparse: costs no disk
    assert load_error(path).message == "file is too large (10.0 MiB; limit 10 MiB)"


def test_text_that_is_not_utf8_is_located(tmp_path: Path) -> None:
    path = tmp_path / "latin1.yaml"
    path.write_bytes("name: x\ndescription: café\n".encode("latin-1"))
    problem = load_error(path)
    assert problem.message == "file is not valid UTF-8 text (byte 0xe9)"
    assert (problem.location.line, problem.location.column) == (2, 17)
    assert problem.hint == "save the file as UTF-8"


def test_a_utf16_file_is_named_as_such(tmp_path: Path) -> None:
    path = tmp_path / "utf16.yaml"
    path.write_bytes("name: x\n".encode("utf-16"))
    assert load_error(path).message == "file is UTF-16, not UTF-8"


def test_a_binary_file_is_called_binary(tmp_path: Path) -> None:
    path = tmp_path / "image.yaml"
    path.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\xff\xd8")
    assert load_error(path).hint == "this looks like a binary file, not YAML"
