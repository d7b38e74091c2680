"""Plan text shown by other tools stays text: a pull-request comment (`bcfc diff --format markdown`)
mentions no one and links, embeds and marks up nothing; a terminal gets no control characters."""
import re
import time

import markdown
from markdown_it import MarkdownIt

from bcf_schema import escape
from bcf_schema import plandiff
from conftest import ROOT, run_bcfc
from planbuilder import dump, variant
from test_diff import two_scheme_plan

MARKUP = ("@octocat and @nhs-england/reviewers see [the plan](https://evil.example/x) "
          "![tracker](https://evil.example/pixel.png) <img src=x onerror=alert(1)> <b>bold</b> "
          "&lt;script&gt; https://evil.example/bare www.evil.example mail@evil.example **loud** `code` | cell "
          "<!-- hidden --> #1 \\")
FAKE_SUMMARY = "Home care\x1b[2K\x1b[1A\r\n1 plan file(s) compared: 0 changed\x07\u202e"


def test_a_markdown_diff_of_hostile_text_mentions_links_and_embeds_nothing(tmp_path):
    old = two_scheme_plan()
    new = variant(old)
    new["title"] = MARKUP
    new["schemes"][0]["name"] = MARKUP
    new["history"].append({"version": "1.1", "date": "2023-07-01", "change": MARKUP})
    (tmp_path / "old.yaml").write_text(dump(old), encoding="utf-8")
    (tmp_path / "new [x](https:evil) `.yaml").write_text(dump(new), encoding="utf-8")

    started = time.monotonic()
    result = run_bcfc("diff", "old.yaml", "new [x](https:evil) `.yaml", "--format", "markdown", cwd=tmp_path)

    assert result.returncode == 0 and "Traceback" not in result.stderr
    assert time.monotonic() - started < 30
    comment = result.stdout
    assert comment.count("octocat") >= 3  # the words are all there ...
    for rendered in (MarkdownIt("commonmark").enable("table").render(comment),
                     markdown.markdown(comment, extensions=["tables"])):
        # ... but nothing acts: no element but the comment's own headings, tables and emphasis
        assert set(re.findall(r"<(\w+)", rendered)) <= {"h2", "h3", "table", "thead", "tbody", "tr", "th", "td",
                                                        "p", "strong", "code"}, rendered
        text = re.sub(r"<[^>]+>", "", rendered)
        assert not re.search(r"@[\w-]", text)  # a mention needs a word character after the @
        assert "://" not in text and "www." not in text  # no bare URL for the forge to link
        assert "<!--" not in rendered  # no hidden comment either
    table_rows = [line for line in comment.splitlines() if line.startswith("| ") and "octocat" in line]
    columns = {"| field |": 3, "| scheme |": 6}
    for line in table_rows:  # a "|" in plan text does not add a cell
        cells = re.split(r"(?<!\\)\|", line)[1:-1]
        assert len(cells) in columns.values(), line


def test_markdown_escaping_keeps_the_words():
    rendered = MarkdownIt("commonmark").render(escape.markdown("Reablement (phase 2) *new*: 50% of [budget]"))
    assert re.sub(r"<[^>]+>|\u200b", "", rendered).strip() == "Reablement (phase 2) *new*: 50% of [budget]"


def test_hostile_text_cannot_rewrite_the_terminal(tmp_path):
    old = two_scheme_plan()
    new = variant(old)
    new["schemes"][0]["name"] = FAKE_SUMMARY
    (tmp_path / "old.yaml").write_text(dump(old), encoding="utf-8")
    (tmp_path / "new.yaml").write_text(dump(new), encoding="utf-8")

    diff = run_bcfc("diff", "old.yaml", "new.yaml", cwd=tmp_path)
    assert diff.returncode == 0
    assert not re.search("[\x00-\x09\x0b-\x1f\x7f\u202e]", diff.stdout), repr(diff.stdout)
    assert [line for line in diff.stdout.splitlines() if line.startswith("1 plan file(s)")] == \
        ["1 plan file(s) compared: 1 changed"]
    assert "Home care\\x1b[2K\\x1b[1A\\r\\n1 plan file(s) compared: 0 changed\\x07\\u202e" in diff.stdout


def test_a_finding_quoting_hostile_text_cannot_fake_the_summary(tmp_path):
    plan = ROOT / "plans" / "leicestershire" / "2025-26.yaml"
    text = plan.read_text(encoding="utf-8")
    line = text[:text.index("name: Leicestershire")].count("\n") + 1
    hostile = text.replace("name: Leicestershire",
                           'name: "Leics\\e[2K\\r\\n1 plan file(s) checked: 0 error(s), 0 warning(s), 0 note(s)"', 1)
    path = tmp_path / "plan.yaml"
    path.write_text(hostile, encoding="utf-8")

    result = run_bcfc("validate", path, cwd=tmp_path, timeout=60)

    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert "\x1b" not in result.stdout and "\r" not in result.stdout
    first = result.stdout.splitlines()[0]
    assert first.startswith(f"{path}:{line}:")
    # The control characters are refused (BCF105, naming U+001B); where a finding quotes the name, it shows them
    # as escapes.
    assert "U+001B" in result.stdout
    quoting = [f for f in result.stdout.splitlines() if "Leics" in f]
    assert all("\\x1b[2K\\r\\n1 plan file(s)" in f for f in quoting), quoting
    summaries = [s for s in result.stdout.splitlines() if s.startswith("1 plan file(s) checked")]
    assert len(summaries) == 1 and summaries[0].startswith("1 plan file(s) checked: 2 error(s)"), summaries


def test_the_status_checklist_escapes_plan_text_for_the_comment_and_the_terminal():
    from bcf_schema import status
    checklist = status.PlanStatus("plans/x`y.yaml", "draft", MARKUP, 0,
                                  [status.Item("sign-off", [MARKUP, FAKE_SUMMARY])])
    rendered = MarkdownIt("commonmark").render(status.as_markdown([checklist]))
    assert set(re.findall(r"<(\w+)", rendered)) <= {"h2", "h3", "ul", "li", "p", "strong", "code"}, rendered
    assert not re.search(r"@[\w-]", re.sub(r"<[^>]+>", "", rendered)) and "://" not in rendered
    text = status.as_text([checklist])
    assert not re.search("[\x00-\x09\x0b-\x1f\x7f\u202e]", text), repr(text)
