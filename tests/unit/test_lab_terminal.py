"""The lab's line editor and pager, byte by byte, as IOS echoes and pages."""

from __future__ import annotations

from engine.lab.terminal import ERASE_MORE, MORE, Event, LineEditor, Pager, TerminalSettings


def feed_all(editor: LineEditor, data: str) -> tuple[str, list[Event]]:
    """Echo and events for everything in `data`, fed in one piece."""
    index, echoes, events = 0, [], []
    while index < len(data):
        index, echo, event = editor.feed(data, index)
        echoes.append(echo)
        if event is not None:
            events.append(event)
    return "".join(echoes), events


def keystrokes(editor: LineEditor, data: str) -> tuple[str, list[Event]]:
    """The same, one key at a time, as a person types."""
    echoes, events = [], []
    for key in data:
        echo, found = feed_all(editor, key)
        echoes.append(echo)
        events += found
    return "".join(echoes), events


def test_every_printable_key_is_echoed_as_it_arrives() -> None:
    editor = LineEditor()
    assert [editor.feed(key)[1] for key in "sh ver"] == list("sh ver")
    assert editor.text == "sh ver"


def test_enter_ends_the_line_with_crlf_echoed() -> None:
    assert feed_all(LineEditor(), "show clock\r") == (
        "show clock\r\n",
        [Event("line", "show clock")],
    )


def test_cr_lf_and_crlf_each_end_one_line() -> None:
    echo, events = feed_all(LineEditor(), "a\nb\rc\r\nd\n")
    assert [e.text for e in events] == ["a", "b", "c", "d"]
    assert echo == "a\r\nb\r\nc\r\nd\r\n"


def test_a_crlf_split_across_reads_is_still_one_line_end() -> None:
    _, events = keystrokes(LineEditor(), "show clock\r\nshow version\r\n")
    assert [e.text for e in events] == ["show clock", "show version"]


def test_an_empty_line_is_a_line() -> None:
    assert feed_all(LineEditor(), "\r\n\r\n")[1] == [Event("line", ""), Event("line", "")]


def test_feeding_stops_at_the_first_event_so_type_ahead_waits() -> None:
    index, echo, event = LineEditor().feed("conf t\rint lo1\r")
    assert (index, echo, event) == (7, "conf t\r\n", Event("line", "conf t"))


def test_backspace_and_delete_erase_one_character_on_screen() -> None:
    editor = LineEditor()
    echo, events = keystrokes(editor, "shx\b\x7fow\r")
    assert echo == "shx\b \b\b \bow\r\n"
    assert events == [Event("line", "sow")]


def test_backspace_on_an_empty_line_echoes_nothing() -> None:
    assert feed_all(LineEditor(), "\b\x7f") == ("", [])


def test_ctrl_u_erases_the_whole_line() -> None:
    editor = LineEditor()
    echo, _ = feed_all(editor, "abc\x15")
    assert echo == "abc" + "\b\b\b   \b\b\b"
    assert editor.text == ""


def test_ctrl_w_erases_the_last_word() -> None:
    editor = LineEditor()
    feed_all(editor, "show version\x17")
    assert editor.text == "show "


def test_ctrl_c_and_ctrl_z_end_the_line_with_their_own_events() -> None:
    assert feed_all(LineEditor(), "sh ver\x03")[1] == [Event("interrupt", "sh ver")]
    editor = LineEditor()
    assert feed_all(editor, "int gi0/1\x1a")[1] == [Event("suspend", "int gi0/1")]
    assert editor.text == ""


def test_question_mark_asks_for_help_without_echo_or_losing_the_line() -> None:
    editor = LineEditor()
    echo, events = feed_all(editor, "show ?")
    assert (echo, events) == ("show ", [Event("help", "show ")])
    assert editor.text == "show "


def test_tab_asks_for_completion() -> None:
    assert feed_all(LineEditor(), "sh\t")[1] == [Event("complete", "sh")]


def test_while_the_device_asks_a_question_question_mark_is_text_and_tab_nothing() -> None:
    editor = LineEditor()
    editor.assist = False
    assert feed_all(editor, "a?b\tc\r") == ("a?bc\r\n", [Event("line", "a?bc")])


def test_a_secret_is_never_echoed_not_even_its_enter() -> None:
    editor = LineEditor()
    editor.echo = False
    assert feed_all(editor, "s3cr\x7fet\r") == ("", [Event("line", "s3cet")])


def test_nul_and_other_control_keys_are_ignored() -> None:
    assert feed_all(LineEditor(), "\0sh\0ow\x07\r") == ("show\r\n", [Event("line", "show")])


def test_arrow_keys_and_escape_sequences_are_not_text() -> None:
    editor = LineEditor()
    feed_all(editor, "sh\x1b[A\x1b[Dow\x1bOP")
    assert editor.text == "show"


def test_replace_echoes_only_what_completion_adds() -> None:
    editor = LineEditor()
    feed_all(editor, "sh")
    assert editor.replace("show ") == "ow "
    assert editor.text == "show "


def test_replace_redraws_a_line_whose_start_changed() -> None:
    editor = LineEditor()
    feed_all(editor, "SH")
    assert editor.replace("show ") == "\b\bshow "


def test_terminal_settings_record_length_and_width() -> None:
    settings = TerminalSettings()
    assert (settings.length, settings.width) == (24, 80)
    settings.set(("terminal", "length"), ("0",))
    settings.set(("terminal", "width"), ("511",))
    settings.set(("terminal", "monitor"), ())
    assert (settings.length, settings.width) == (0, 511)


def lines(count: int) -> str:
    return "".join(f"line {n}\n" for n in range(1, count + 1))


def test_short_output_is_not_paged() -> None:
    pager = Pager(lines(23), 24)
    assert pager.first() == lines(23)
    assert pager.done


def test_length_zero_never_pages() -> None:
    pager = Pager(lines(100), 0)
    assert pager.first() == lines(100)
    assert pager.done


def test_long_output_stops_after_length_minus_one_lines_at_more() -> None:
    pager = Pager(lines(30), 24)
    first = pager.first()
    assert first == lines(23) + MORE
    assert not pager.done


def test_space_shows_the_next_screen_and_erases_more() -> None:
    pager = Pager(lines(60), 24)
    pager.first()
    assert pager.press(" ") == ERASE_MORE + "".join(f"line {n}\n" for n in range(24, 47)) + MORE
    assert pager.press(" ") == ERASE_MORE + "".join(f"line {n}\n" for n in range(47, 61))
    assert pager.done


def test_enter_shows_one_more_line() -> None:
    pager = Pager(lines(30), 24)
    pager.first()
    assert pager.press("\r") == ERASE_MORE + "line 24\n" + MORE


def test_any_other_key_ends_the_output() -> None:
    pager = Pager(lines(30), 24)
    pager.first()
    assert pager.press("q") == ERASE_MORE
    assert pager.done


def test_more_is_erased_by_backspacing_over_blanks() -> None:
    assert ERASE_MORE == "\b" * 10 + " " * 10 + "\b" * 10
    assert MORE == " --More-- "


def narrow(room: int) -> LineEditor:
    editor = LineEditor()
    editor.room = room
    return editor


def test_a_line_wider_than_the_terminal_scrolls_left_behind_a_dollar() -> None:
    editor = narrow(20)
    echo, _ = feed_all(editor, "a" * 20)
    assert echo == "a" * 20
    echo, _ = feed_all(editor, "b")
    assert echo == "\b" * 20 + "$" + "a" * 8 + "b" + " " * 10 + "\b" * 10
    assert editor.visible == "$" + "a" * 8 + "b"
    assert editor.text == "a" * 20 + "b"


def test_a_scrolled_line_still_ends_as_typed() -> None:
    editor = narrow(20)
    _, events = feed_all(editor, "x" * 45 + "\r")
    assert events == [Event("line", "x" * 45)]
    assert editor.visible == ""


def test_erasing_back_into_the_hidden_start_scrolls_right_again() -> None:
    editor = narrow(20)
    feed_all(editor, "a" * 21)
    feed_all(editor, "\x15")
    assert editor.text == "" and editor.visible == ""


def test_without_a_width_nothing_scrolls() -> None:
    echo, _ = feed_all(LineEditor(), "a" * 600)
    assert echo == "a" * 600


def test_width_counts_wrapped_lines_towards_the_page() -> None:
    pager = Pager("x" * 100 + "\n" + lines(30), 24, width=80)
    assert pager.first() == "x" * 100 + "\n" + lines(21) + MORE
