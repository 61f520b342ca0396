"""`bench run --write-docs` puts the newest tables first in its section, as readable Markdown."""

from groundbreak.benchmark import harness


def test_new_tables_go_first_with_a_blank_line_before_the_previous_run(tmp_path, monkeypatch):
    docs = tmp_path / "performance.md"
    docs.write_text(
        f"# Performance\n\n{harness.SECTION}\n\nIntro.\n\n<!-- results -->\n\n### old run\n\n| a |\n\n"
        f"{harness.SECTION_END}\n",
        encoding="utf-8",
    )
    monkeypatch.setattr(harness, "DOCS", docs)
    harness.write_docs(["### new run\n\n| b |\n\nAll targets met.\n"])
    text = docs.read_text(encoding="utf-8")
    assert "<!-- results -->\n\n### new run\n\n| b |\n\nAll targets met.\n\n### old run\n" in text
    assert text.index("### new run") < text.index("### old run") < text.index(harness.SECTION_END)
