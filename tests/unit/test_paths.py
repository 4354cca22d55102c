"""A playbook reads files from its own folder tree only, unless the user adds folders."""

from __future__ import annotations

from pathlib import Path

import pytest

from engine.paths import FileScope, OutsideTree


def test_a_file_below_the_playbook_folder_is_allowed(tmp_path: Path) -> None:
    (tmp_path / "templates").mkdir()
    (tmp_path / "templates" / "a.textfsm").write_text("x")
    scope = FileScope.around(tmp_path / "site.yml")
    found = scope.resolve("templates/a.textfsm", base=tmp_path)
    assert found == (tmp_path / "templates" / "a.textfsm").resolve()


@pytest.mark.parametrize("name", ["/etc/passwd", "../outside.yml", "a/../../outside.yml"])
def test_absolute_and_climbing_paths_are_refused_by_name(tmp_path: Path, name: str) -> None:
    scope = FileScope.around(tmp_path / "book" / "site.yml")
    with pytest.raises(OutsideTree, match=r"leads outside") as caught:
        scope.resolve(name, base=tmp_path / "book")
    assert repr(name) in str(caught.value)


def test_a_symbolic_link_that_leads_outside_is_refused(tmp_path: Path) -> None:
    book = tmp_path / "book"
    book.mkdir()
    (tmp_path / "secret.txt").write_text("TOPSECRET")
    (book / "innocent.yml").symlink_to(tmp_path / "secret.txt")
    with pytest.raises(OutsideTree) as caught:
        FileScope.around(book / "site.yml").resolve("innocent.yml", base=book)
    assert "TOPSECRET" not in str(caught.value)


def test_an_added_folder_widens_the_scope(tmp_path: Path) -> None:
    shared = tmp_path / "shared"
    shared.mkdir()
    scope = FileScope.around(tmp_path / "book" / "site.yml", shared)
    assert scope.resolve("../shared/x.yml", base=tmp_path / "book") == shared / "x.yml"


def test_a_nul_character_is_refused(tmp_path: Path) -> None:
    with pytest.raises(OutsideTree, match="NUL"):
        FileScope.around(tmp_path / "site.yml").resolve("a\0b", base=tmp_path)


def test_an_absolute_path_is_judged_by_where_it_lands(tmp_path: Path) -> None:
    scope = FileScope.around(tmp_path / "site.yml")
    inside = tmp_path / "vars.yml"
    assert scope.resolve(str(inside), base=tmp_path) == inside.resolve()
    with pytest.raises(OutsideTree, match="'/proc/self/environ' leads outside"):
        scope.resolve("/proc/self/environ", base=tmp_path)


def test_a_widened_scope_keeps_its_folders_and_adds_new_ones(tmp_path: Path) -> None:
    scope = FileScope.of(tmp_path / "a").widened(tmp_path / "b")
    assert scope.roots == ((tmp_path / "a").resolve(), (tmp_path / "b").resolve())


def test_a_refused_path_is_invalid_input_and_names_the_option_that_widens_the_tree(
    tmp_path: Path,
) -> None:
    with pytest.raises(OutsideTree) as caught:
        FileScope.around(tmp_path / "site.yml").resolve("../x", base=tmp_path)
    assert caught.value.exit_code == 4
    assert "--allow-dir" in str(caught.value)
