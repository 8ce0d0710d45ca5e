"""Example queries: the first comment line is the question."""

from pathlib import Path

from conflictkg.web.query_examples import load_examples


def test_question_from_first_comment_and_files_in_order(tmp_path: Path) -> None:
    (tmp_path / "b.rq").write_text("# Who claimed what?\nSELECT * {}\n", encoding="utf-8")
    (tmp_path / "a-query.rq").write_text("SELECT * {}\n", encoding="utf-8")
    (tmp_path / "broken.rq").write_bytes(b"\xff\xfe")
    (tmp_path / "notes.txt").write_text("# not a query\n", encoding="utf-8")
    examples = load_examples(tmp_path.iterdir())
    assert [(e.name, e.question) for e in examples] == [("a-query", "a query"), ("b", "Who claimed what?")]
    assert examples[1].text.startswith("# Who claimed what?")


def test_missing_files_give_no_examples(tmp_path: Path) -> None:
    assert load_examples([tmp_path / "absent.rq"]) == () and load_examples([]) == ()
