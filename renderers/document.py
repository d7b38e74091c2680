"""The narrative as a list of blocks, in the framework's outline order.

One model feeds every output (Markdown, Word, the site), so the outline,
the 'not answered' markers and the tables are decided once. Blocks carry plan
text as Markdown; each writer turns it into its own format safely.
"""
from __future__ import annotations

import datetime as dt
import functools
import re
from dataclasses import dataclass, field

from bcf_schema.framework import Framework
from bcf_schema.stated import lifecycle_status, shown

NOT_ANSWERED = "Not answered in this plan."
TO_BE_WRITTEN = "To be written."  # the same gap in a draft: work left, not a missing answer
DRAFT_MARK = "DRAFT: this plan is still being written; sections marked \"To be written\" are not yet answered."


def is_draft(plan: dict) -> bool:
    return lifecycle_status(plan) not in ("submitted", "approved")


def unanswered(plan: dict) -> str:
    return TO_BE_WRITTEN if is_draft(plan) else NOT_ANSWERED


@dataclass
class Heading:
    level: int  # 1 = document title
    text: str
    anchor: str = ""  # the outline or section id, for links
    subtitle: str = ""  # the official heading, where the plan words the heading its own way


@dataclass
class Rule:
    """Sets apart a block the document prints without a heading, so it does not read as part of the one before."""


@dataclass
class Text:
    markdown: str  # plan-authored Markdown: untrusted


@dataclass
class Prompt:
    text: str  # the framework's official wording of what to answer
    anchor: str = ""  # the outline id, where the framework's question stands in for a heading


@dataclass
class Caption:
    text: str  # a label above a list, set like a table's title


@dataclass
class Marker:
    text: str  # a visible note: not answered, not stated, not applicable
    kind: str = "note"  # "not_answered" (work left to do) or "note" (an editor's note: where a fact is instead)


@dataclass
class Contents:
    """Where a paged document's contents list goes: after the title block (Markdown and the site have their own
    navigation and leave it out)."""
    levels: int  # the heading levels the framework's outline uses


@dataclass
class Table:
    title: str
    columns: list[str]
    rows: list[list]
    money_columns: frozenset[int] = frozenset()  # indexes of columns holding whole pounds
    total_row: bool = False  # the last row is a total
    notes: str = ""


@dataclass
class Document:
    title: str
    blocks: list = field(default_factory=list)
    subject: str = ""  # the planning period
    author: str = ""  # the HWB(s)
    date: dt.date | None = None  # the plan's own date, for the document's created and modified times
    draft: bool = False  # not yet submitted or approved: every page says DRAFT
    language: str = "en-GB"


# Characters that can start Markdown syntax inside a line (emphasis, code, links, escapes, entities, raw
# HTML, strikethrough, tables) and a line's first character that can start a block (only a letter or digit
# may, and not a numbered list item's "1." or "1)").
_MARKUP = frozenset("\\`*_~[]<>&|")
_PLAIN_LINE_START = re.compile(r"(?!\d+[.)])\w")


def plain_paragraphs(markdown: str) -> list[list[str]] | None:
    """The paragraphs (each a list of its lines) of Markdown that is only prose: text that CommonMark reads
    as paragraphs of plain text and soft line breaks, which the writers then set without parsing it.
    None for anything else (any character that could be markup, a line that could start a list, a heading,
    a quote or code, spaces that could be a hard break or an indent): the Markdown parser reads those.
    With no & < or > in it, nothing in plain prose is HTML or an entity either (the site's tokens start with &).
    A shortcut only: tests/test_plain_prose.py checks it gives what the parser gives."""
    paragraphs = []
    for paragraph in re.split(r"\n{2,}", markdown.strip("\n")):
        lines = paragraph.split("\n")
        for line in lines:
            if not _PLAIN_LINE_START.match(line) or line[-1] == " ":
                return None
            for c in line:
                if c in _MARKUP or (c < " " or c == "\x7f" or (c != " " and c.isspace())):
                    return None
        paragraphs.append(lines)
    return paragraphs


def money(amount) -> str:
    return f"£{amount:,}" if isinstance(amount, int) and not isinstance(amount, bool) else ""


def number(value) -> str:
    if isinstance(value, float):
        return f"{value:,.2f}".rstrip("0").rstrip(".")
    return f"{value:,}" if isinstance(value, int) and not isinstance(value, bool) else str(value)


_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September",
           "October", "November", "December")  # not calendar.month_name: that follows the locale


def long_date(value) -> str:
    """An ISO date as a reader in England writes it: 2023-06-22 -> 22 June 2023, 2023-09 -> September 2023.
    Anything else (a date the document words its own way) is shown as it is."""
    text = "" if value is None else str(value)
    match = re.fullmatch(r"(\d{4})-(0[1-9]|1[0-2])(?:-(\d{2}))?", text)
    if not match:
        return text
    year, month, day = match.groups()
    return " ".join(part for part in (str(int(day)) if day else "", _MONTHS[int(month) - 1], year) if part)


def funding_source_text(scheme: dict, stream_names: dict) -> str:
    """A scheme's funding stream by name, or the source in the document's words where it is no stream."""
    if "funding_source" in scheme:
        return stream_names.get(scheme["funding_source"], scheme["funding_source"])
    return scheme.get("funding_source_as_stated", "")


def hwb_names(plan: dict) -> str:
    return " and ".join(h["name"] for h in plan.get("hwbs", []))


def plan_title(plan: dict, fw: Framework) -> str:
    return f"{hwb_names(plan)}: {fw.title} plan"


def document_title(plan: dict, fw: Framework) -> str:
    """The plan's own title, or the standard one where it gives none."""
    return str(plan.get("title") or plan_title(plan, fw))


def plan_date(plan: dict) -> dt.date | None:
    """The plan's date (the first of the month where it gives only the month), else its latest history date."""
    dates = [plan.get("date")] + [h.get("date") for h in reversed(plan.get("history") or [])]
    for value in dates:
        match = re.fullmatch(r"(\d{4})-(\d{2})(?:-(\d{2}))?", str(value or ""))
        if match:
            try:
                return dt.date(int(match[1]), int(match[2]), int(match[3] or 1))
            except ValueError:
                continue
    return None


def build(plan: dict, fw: Framework) -> Document:
    doc = Document(document_title(plan, fw), subject=fw.title, author=hwb_names(plan), date=plan_date(plan),
                   draft=is_draft(plan))
    add = doc.blocks.extend
    add([Heading(1, doc.title)])
    if is_draft(plan):
        add([Marker(DRAFT_MARK, "draft")])
    cover = _cover(plan, fw)
    add(cover[:1])  # the plan details: the title block
    add([Contents(min(3, max(e.depth for e in fw.outline)))])
    add(cover[1:])
    extras = plan.get("extra_sections") or []
    placed = _placements(fw)
    tables_by_section = placed_blocks(plan, fw)
    known_ids = {e.id for e in fw.outline} | {x["id"] for x in extras}

    for extra in extras:
        if not extra.get("after"):
            add(_extra(extra, 2, tables_by_section))
    for entry_id in in_plans_order([e.id for e in fw.outline if e.depth == 1], plan):
        add(_entry(plan, fw, entry_id, 2, extras, placed, tables_by_section))
    for extra in extras:
        if extra.get("after") == "end" or (extra.get("after") and extra["after"] not in known_ids):
            add(_extra(extra, 2, tables_by_section))

    # Whatever the framework does not place under a heading goes in a closing summary.
    placed_kinds = {kind for kinds in placed.values() for kind in kinds}
    summary = [block for kind, builder in SUMMARY_TABLES.items() if kind not in placed_kinds
               for block in builder(plan, fw)]
    orphans = [t for section, tables in tables_by_section.items() if section not in known_ids for t in tables]
    if summary or orphans:
        add([Heading(2, "Planning summary", "planning-summary")])
        add(summary)
        add(orphans)
    doc.blocks = in_readers_words(doc.blocks, plan, fw)
    return doc


def outline_titles(plan: dict, fw: Framework) -> dict[str, str]:
    """Every heading id a plan may refer to (the framework's outline and the plan's own sections) -> its title."""
    return {e.id: e.title for e in fw.outline} | {x["id"]: x["title"] for x in plan.get("extra_sections") or []}


def in_readers_words(blocks: list, plan: dict, fw: Framework) -> list:
    """The blocks with every outline id a plan's text or tables use shown as the heading's title."""
    return _titles_for_ids(blocks, outline_titles(plan, fw))


def readers_text(text: str, plan: dict, fw: Framework) -> str:
    """One piece of plan text (an editor's note, a reason) with its outline ids as the headings' titles."""
    marker = Marker(str(text))
    _titles_for_ids([marker], outline_titles(plan, fw))
    return marker.text


def _titles_for_ids(blocks: list, titles: dict[str, str]) -> list:
    """A reader sees headings by their titles, never the outline ids a plan uses to refer to them: a table cell
    that is an id becomes the heading's title, an id in prose (one with a dot or underscore, so no plain word)
    the title in quotes."""
    pattern = _id_pattern(frozenset(i for i in titles if "." in i or "_" in i))
    if pattern is None:
        return blocks

    def prose(text: str) -> str:
        return pattern.sub(lambda m: f'"{titles[m[1]]}"', text)

    def cell(value):
        if isinstance(value, str):
            return titles.get(value.strip(), None) or prose(value)
        return value

    for block in blocks:
        if isinstance(block, Text):
            block.markdown = prose(block.markdown)
        elif isinstance(block, Marker):
            block.text = prose(block.text)
        elif isinstance(block, Table):
            block.rows = [[cell(v) for v in row] for row in block.rows]
            block.notes = prose(block.notes)
    return blocks


@functools.lru_cache(maxsize=64)
def _id_pattern(ids: frozenset[str]) -> re.Pattern | None:
    """The outline ids as one pattern, longest first; made once for a framework's outline (and a plan's own
    sections), not for every table and note."""
    if not ids:
        return None
    return re.compile(r"(?<![\w.])(" + "|".join(map(re.escape, sorted(ids, key=lambda i: (-len(i), i)))) + r")(?![\w])")


def _placements(fw: Framework) -> dict[str, list[str]]:
    """outline id -> the summary tables placed under it, from framework.yaml's narrative_tables."""
    placed: dict[str, list[str]] = {}
    for kind, outline_id in (fw.data.get("narrative_tables") or {}).items():
        placed.setdefault(outline_id, []).append(kind)
    return placed


def _cover(plan: dict, fw: Framework) -> list:
    partners = {"icbs": "Integrated Care Boards", "ccgs": "Clinical Commissioning Groups"}[fw.nhs_partners]
    rows = [
        ["Health and Wellbeing Board", "; ".join(f"{h['name']} ({h['code']})" for h in plan.get("hwbs", []))],
        [partners, "; ".join(plan.get(fw.nhs_partners) or [])],
        ["Planning period", fw.title],
        ["Version", shown(plan.get("version", ""))],
        ["Status", shown(plan["status"]) if isinstance(plan.get("status"), dict)
         else str(plan.get("status", "")).capitalize()],
    ]
    if plan.get("date"):
        rows.append(["Date", long_date(plan["date"])])
    if plan.get("title"):
        rows.insert(0, ["Document", plan["title"]])
    blocks: list = [Table("Plan details", ["Item", "Detail"], rows)]
    if plan.get("history"):
        blocks.append(Table("Document history", ["Version", "Date", "Summary of changes", "Author"],
                            [[h.get("version"), long_date(h.get("date")), h.get("change"), h.get("author", "")]
                             for h in plan["history"]]))
    if plan.get("sign_off"):
        blocks.append(Table("Sign-off", ["Body", "Organisation", "Date", "Decision"],
                            [[shown(s.get("body")), s.get("organisation", ""), long_date(s.get("date")), s.get("decision", "")]
                             for s in plan["sign_off"]]))
    raci = plan.get("raci") or {}
    if raci:
        blocks.append(Table("Responsibilities for preparing the plan (RACI)", ["Role", "Who"],
                            [[role.capitalize(), "; ".join(raci[role])] for role in
                             ("responsible", "accountable", "consulted", "informed") if raci.get(role)]))
    if plan.get("priorities"):
        blocks += [Caption("Priorities"), Text("\n".join(f"- {p}" for p in plan["priorities"]))]
    return blocks


def _entry(plan, fw, entry_id, level, extras, placed, tables_by_section) -> list:
    entry = fw.outline_by_id[entry_id]
    answer = (plan.get("narrative") or {}).get(entry.id)
    if entry.kind == "prompt":
        # The framework's question is guidance, not a heading: the plan's own heading (where it gives one)
        # stands above it.
        local = answer.get("title") if isinstance(answer, dict) else None
        blocks: list = [Heading(min(level, 6), local)] if local else []
        blocks.append(Prompt("\n\n".join(t for t in (entry.title, entry.wording) if t), entry.id))
        if local:
            answer = {k: v for k, v in answer.items() if k != "title"}
    else:
        local = answer.get("title") if isinstance(answer, dict) else None
        # A local title and its official heading are one heading: the local wording, the official as a subtitle.
        blocks = [Heading(min(level, 6), local, entry.id, subtitle=entry.title) if local
                  else Heading(min(level, 6), entry.title, entry.id)]
        if entry.wording:
            blocks.append(Prompt(entry.wording))
        if local:
            answer = {k: v for k, v in answer.items() if k != "title"}
    # sub-headings nest one level below the heading they stand under (a prompt without a local heading has none
    # of its own: they stand under its parent's)
    below = level + 1 if any(isinstance(b, Heading) for b in blocks) else level
    blocks.extend(_answer(answer, below, entry.answer == "required", unanswered(plan)))
    blocks.extend(tables_by_section.get(entry.id, []))
    for kind in placed.get(entry.id, []):
        blocks.extend(SUMMARY_TABLES[kind](plan, fw))
    for child in in_plans_order(entry.children, plan):
        blocks.extend(_entry(plan, fw, child, level + 1, extras, placed, tables_by_section))
    # Scaffolding is never printed: a heading and its guidance with nothing of the plan under them (a question
    # the plan marks not applicable, an optional one it leaves, template guidance it does not answer).
    if not any(not isinstance(b, (Heading, Prompt)) for b in blocks):
        blocks = []
    for extra in extras:  # the plan's own sections placed after this heading stay, whatever it holds
        if extra.get("after") == entry.id:
            blocks.extend(_extra(extra, level, tables_by_section))
    return blocks


def _answer(answer, level: int, expected: bool, missing: str = NOT_ANSWERED) -> list:
    if isinstance(answer, str) and answer.strip():
        return [Text(answer)]
    if isinstance(answer, dict):
        blocks: list = []
        if answer.get("not_stated"):
            blocks.append(Marker(f"Not stated in this document: {answer['not_stated']}"))
        if answer.get("not_applicable"):
            return []  # nothing to print: the plan says the question does not apply to it
        if answer.get("text"):
            blocks.append(Text(answer["text"]))
        blocks.extend(_sections(answer.get("subsections") or [], level))
        if blocks:
            return blocks
    return [Marker(missing, "not_answered")] if expected else []


def _sections(sections: list[dict], level: int) -> list:
    blocks: list = []
    for section in sections:
        # a block the document prints without a heading is set apart, not run on under the heading before it
        blocks.append(Heading(min(level, 6), section["title"]) if section.get("title") else Rule())
        if section.get("text"):
            blocks.append(Text(section["text"]))
        blocks.extend(_sections(section.get("subsections") or [], level + 1))
    return blocks


def _extra(extra: dict, level: int, tables_by_section) -> list:
    blocks: list = [Heading(level, extra["title"], extra["id"])]
    if extra.get("text"):
        blocks.append(Text(extra["text"]))
    blocks.extend(_sections(extra.get("subsections") or [], level + 1))
    blocks.extend(tables_by_section.get(extra["id"], []))
    return blocks


def in_plans_order(ids, plan: dict) -> list[str]:
    """Sibling outline ids in the document's own order (narrative_order): the ids it lists take the places of
    the listed ones, in its order; the others keep the framework's places."""
    order = [i for i in plan.get("narrative_order") or [] if i in ids]
    listed = iter(order)
    return [next(listed) if i in order else i for i in ids]


def placed_blocks(plan: dict, fw: Framework) -> dict[str, list]:
    """section id -> the blocks the plan places under it: its tables, the figures and milestones it quotes,
    figures lost from its text and the change-model self-assessment ('' for those placed nowhere)."""
    placed: dict[str, list] = {}
    for table in plan.get("tables") or []:
        placed.setdefault(table.get("section") or "", []).append(_plan_table(table))
    for section, rows in _by_section(plan.get("statistics")).items():
        placed.setdefault(section, []).append(Table(
            "Figures quoted", ["Measure", "Value", "Unit", "Period", "Source"],
            [[s["label"], " ".join(p for p in (s.get("qualifier", ""), number(s["value"])) if p), s["unit"],
              period_text(s.get("period")), s.get("source", "")] for s in rows]))
    for section, rows in _by_section(plan.get("milestones")).items():
        placed.setdefault(section, []).append(Table(
            "Milestones and timescales", ["When", "What happens"], [[period_text(m["when"]), m["what"]] for m in rows]))
    for figure in plan.get("lost_figures") or []:
        note = f" ({figure['note']})" if figure.get("note") else ""
        placed.setdefault(figure.get("section") or "", []).append(
            Marker(f"Figure not in the text: \"{figure['caption']}\"{note}"))
    model = fw.change_model
    if model and plan.get("change_model"):
        placed.setdefault(model["section"], []).append(change_model_table(plan, model))
    return placed


def _by_section(items) -> dict[str, list]:
    grouped: dict[str, list] = {}
    for item in items or []:
        grouped.setdefault(item.get("section") or "", []).append(item)
    return grouped


def period_text(period) -> str:
    """A typed period or date in words: financial year 2022-23, calendar year 2022, Q1 2023-24, April 2023."""
    if not isinstance(period, dict) or not period:
        return ""
    kind, value = next(iter(period.items()))
    return {"financial_year": f"Financial year {value}", "calendar_year": f"Calendar year {value}",
            "quarter": " ".join(reversed(str(value).split(" "))), "month": long_date(value),
            "date": long_date(value)}.get(kind, str(value))


def change_model_table(plan: dict, model: dict) -> Table:
    changes = {c["id"]: c["name"] for c in model["changes"]}
    levels = {lv["id"]: lv["name"] for lv in model["levels"]}

    def level(value) -> str:
        return shown(value) if isinstance(value, dict) else levels.get(value, value or "")

    return Table(model["name"], ["Change", "Current level", "Planned level", "By", "Narrative"],
                 [[changes.get(r["change"], r["change"]), level(r.get("current")), level(r.get("planned")),
                   long_date(r.get("planned_by")), r.get("narrative", "")] for r in plan["change_model"]])


def _plan_table(table: dict) -> Table:
    return Table(table["title"], list(table["columns"]), [list(r) for r in table["rows"]], notes=table.get("notes", ""))


# Summary tables built from the plan's structured data ---------------------------------

def income_table(plan, fw) -> list:
    years = fw.financial_years
    streams = (plan.get("funding") or {}).get("streams") or {}
    rows, totals, any_stated = [], [0] * len(years), False
    for stream in fw.items("funding_streams"):
        value = streams.get(stream["id"])
        if value is None:
            continue
        if "not_stated" in value:
            rows.append([stream["name"]] + [f"Not stated: {value['not_stated']}"] + [""] * (len(years) - 1))
            continue
        amounts = [value.get(y) for y in years]
        totals = [t + (a or 0) for t, a in zip(totals, amounts)]
        any_stated = True
        rows.append([stream["name"]] + amounts)
    if not rows:
        return [Caption("Income by funding stream"), Marker(TO_BE_WRITTEN)] if is_draft(plan) else []
    if any_stated:  # a total of streams the document leaves elsewhere would be a made-up £0
        partial = len(rows) > sum(1 for r in rows if not str(r[1]).startswith("Not stated"))
        rows.append(["Total of the stated streams" if partial else "Total"] + totals)
    stated = (plan.get("funding") or {}).get("stated_total")
    table = Table("Income by funding stream", ["Funding stream"] + years, rows,
                  frozenset(range(1, len(years) + 1)), total_row=any_stated,
                  notes=(plan.get("funding") or {}).get("notes", ""))
    blocks: list = [table]
    names = fw.names("funding_streams")
    for stream, amounts in ((plan.get("funding") or {}).get("unallocated") or {}).items():
        reason = f" ({amounts['reason']})" if amounts.get("reason") else ""
        blocks.append(Marker(f"Not yet allocated to schemes: {names.get(stream, stream)} "
                             + "; ".join(f"{y} {money(v)}" for y, v in amounts.items() if y != "reason") + reason))
    if stated:
        blocks.append(Marker("Total stated in the plan: " + "; ".join(f"{y} {money(v)}" for y, v in stated.items())))
    return blocks + shares_tables(plan, fw)


def shares_tables(plan, fw) -> list:
    """An allocation shared between contributing bodies (framework stream_groups: the discharge funding's
    local authority and ICB shares) as a table of its own, a row a body, with the total the plan states
    (or, where it states none, the shares' sum, so called)."""
    funding = plan.get("funding") or {}
    streams, totals = funding.get("streams") or {}, funding.get("group_totals") or {}
    bodies = fw.names("commissioner_kinds")
    blocks = []
    for group in fw.items("stream_groups"):
        shares = [(s, streams.get(s)) for s in group["streams"]]
        if not all(isinstance(v, dict) and "not_stated" not in v for _, v in shares):
            continue
        years = [y for y in fw.financial_years if any(y in v for _, v in shares)]
        by_stream = {item["id"]: item for item in fw.items("funding_streams")}
        rows = [[by_stream[s]["name"], bodies.get(by_stream[s].get("contributor"), "")] + [v.get(y) for y in years]
                for s, v in shares]
        stated = totals.get(group["id"]) or {}
        rows.append(["Total" if stated else "Total of the shares", ""]
                    + [stated.get(y, sum(v.get(y) or 0 for _, v in shares)) for y in years])
        blocks.append(Table(f"{group['name']} by contributing body", ["Share", "Contributing body"] + years, rows,
                            frozenset(range(2, len(years) + 2)), total_row=True))
    return blocks


def expenditure_table(plan, fw) -> list:
    schemes = plan.get("schemes")
    if isinstance(schemes, dict):
        return [Heading(3, "Expenditure by scheme"), Marker(f"Not stated in this document: {schemes['not_stated']}")] \
            + spend_by_source_table(plan, fw)
    if not schemes:
        return [Caption("Expenditure by scheme"), Marker(TO_BE_WRITTEN)] if is_draft(plan) else []
    years = fw.financial_years
    streams, types = fw.names("funding_streams"), fw.names("scheme_types")
    areas, commissioners = fw.names("areas_of_spend"), fw.names("commissioner_kinds")
    rows, totals = [], [0] * len(years)
    for s in schemes:
        amounts = [(s.get("expenditure") or {}).get(y) for y in years]
        totals = [t + (a or 0) for t, a in zip(totals, amounts)]
        rows.append([str(s["id"]), s["name"], types.get(s.get("type"), s.get("type", "")),
                     funding_source_text(s, streams),
                     commissioners.get(s.get("commissioner"), s.get("commissioner", "")), s.get("provider", "")]
                    + amounts)
    rows.append(["", "Total", "", "", "", ""] + totals)
    return [Table("Expenditure by scheme", ["Ref", "Scheme", "Type", "Funding source", "Commissioner", "Provider"]
                  + years, rows, frozenset(range(6, 6 + len(years))), total_row=True)]


def spend_by_source_table(plan, fw) -> list:
    """Expenditure by funding source as the plan states it (issue 18): income, expenditure and the
    difference per stream and year, for a plan whose scheme list is elsewhere."""
    spend = (plan.get("funding") or {}).get("expenditure_by_source") or {}
    if not spend:
        return []
    streams = (plan.get("funding") or {}).get("streams") or {}
    blocks = []
    for year in [y for y in fw.financial_years if any(y in v for v in spend.values())]:
        # a table a year (source, income, expenditure, difference) stays whole on a portrait page
        rows = []
        for stream in fw.items("funding_streams"):
            if year not in spend.get(stream["id"], {}):
                continue
            income = streams.get(stream["id"]) or {}
            got, spent = None if "not_stated" in income else income.get(year), spend[stream["id"]][year]
            rows.append([stream["name"], got, spent, got - spent if isinstance(got, int) else None])
        totals = [sum(r[i] for r in rows) if all(isinstance(r[i], int) for r in rows) else None for i in (1, 2, 3)]
        rows.append(["Total"] + totals)
        blocks.append(Table(f"Expenditure by funding source, {year}", ["Funding source", "Income", "Expenditure",
                                                                      "Difference"], rows, frozenset({1, 2, 3}),
                            total_row=True))
    return blocks


def period_words(label) -> str:
    """A metric period as a reader says it: 2025-26 M01 -> April 2025, 2023-24 Q1 -> April to June 2023.
    A financial year (2023-24) stays as it is."""
    match = re.fullmatch(r"(\d{4})-\d{2} (?:M(\d{2})|Q([1-4]))", str(label))
    if not match or (match[2] and not 1 <= int(match[2]) <= 12):
        return str(label)
    start = int(match[1])
    if match[2]:
        month = (int(match[2]) + 2) % 12  # M01 is April
        return f"{_MONTHS[month]} {start + (month < 3)}"
    first = (int(match[3]) * 3) % 12  # Q1: April (3) to June (5); Q4: January (0) to March (2)
    return f"{_MONTHS[first]} to {_MONTHS[first + 2]} {start + (first < 3)}"


def _periods(values: dict | None) -> str:
    return "; ".join(f"{period_words(k)}: {number(v)}" for k, v in (values or {}).items())


_GOALS_IN_A_CELL = 2


def _goal_dicts(plan, fw) -> list[dict]:
    """Each metric's goals by period, in the order of metrics_table's rows ({} where there are none)."""
    metrics = plan.get("metrics") or {}
    national = [(metrics.get(m["id"]) or {}).get("goals") for m in fw.items("metrics")]
    local = [m.get("goals") for m in plan.get("local_metrics") or []]
    return [g if isinstance(g, dict) else {} for g in national + local]


def metrics_table(plan, fw) -> list:
    metrics = plan.get("metrics") or {}
    rows = []
    for metric in fw.items("metrics"):
        value = metrics.get(metric["id"])
        if value is None:
            rows.append([metric["name"], metric["unit"], "", unanswered(plan)])
        elif "not_stated" in value:
            rows.append([metric["name"], metric["unit"], "", f"Not stated: {value['not_stated']}"])
        else:
            goals = (_periods(value.get("goals")) or value.get("goal_as_stated")
                     or (f"Not stated: {value['goals_not_stated']}" if value.get("goals_not_stated") else "")
                     or (TO_BE_WRITTEN if is_draft(plan) else ""))
            rows.append([metric["name"], metric["unit"], _periods(value.get("baseline")), goals])
    for local in plan.get("local_metrics") or []:
        rows.append([f"{local['name']} (local)", local.get("unit", ""), _periods(local.get("baseline")),
                     _periods(local.get("goals"))])
    # Goals for more periods than fit a cell (months, quarters) go in a table of their own, a row a period.
    by_periods: dict[tuple, list] = {}
    for row, goals in zip(rows, _goal_dicts(plan, fw)):
        if len(goals) > _GOALS_IN_A_CELL:
            by_periods.setdefault(tuple(goals), []).append((row[0], goals))
            row[3] = "By period, in the table below"
    blocks: list = [Table("Metric goals", ["Metric", "Unit", "Baseline", "Goals"], rows)]
    for periods, metrics_in in by_periods.items():
        blocks.append(Table(f"Metric goals by period, {period_words(periods[0])} to {period_words(periods[-1])}",
                            ["Period"] + [name for name, _ in metrics_in],
                            [[period_words(period)] + [goals[period] for _, goals in metrics_in] for period in periods]))
    for metric in fw.items("metrics"):
        rationale = (metrics.get(metric["id"]) or {}).get("rationale")
        if rationale:
            blocks.append(Text(f"**{metric['name']}.** {rationale}"))
    return blocks


def dfg_table(plan, fw) -> list:
    dfg = plan.get("dfg") or {}
    if not dfg:
        return []
    parts = [(d["name"], d) for d in dfg.get("districts") or []] + _dfg_purposes(dfg)
    years = [y for y in fw.financial_years if y in (dfg.get("allocation") or {})
             or any(y in d["allocation"] for _, d in parts)]
    noted = any(d.get("notes") for _, d in parts)  # a purpose's note ("projected", say) gets a column
    rows = [[name] + [d["allocation"].get(y) for y in years] + ([d.get("notes", "")] if noted else [])
            for name, d in parts]
    if dfg.get("allocation"):
        rows.append(["Total DFG allocation"] + [dfg["allocation"].get(y) for y in years] + ([""] if noted else []))
    blocks: list = []
    if rows:
        first = "District council or purpose" if dfg.get("districts") and dfg.get("purposes") \
            else "Purpose" if dfg.get("purposes") else "District council"
        blocks.append(Table("Disabled Facilities Grant", [first] + years + (["Notes"] if noted else []), rows,
                            frozenset(range(1, len(years) + 1)), total_row=bool(dfg.get("allocation"))))
    for key in ("discretionary_use", "notes"):
        if dfg.get(key):
            blocks.append(Text(dfg[key]))
    return blocks


def _dfg_purposes(dfg: dict) -> list[tuple[str, dict]]:
    """The DFG's split by purpose (issue 18), as (label, entry) rows beside the districts'."""
    return [(p["purpose"], p) for p in dfg.get("purposes") or []]


def spend_by_category_table(plan, fw) -> list:
    rows_in = plan.get("spend_by_category") or []
    if not rows_in:
        return []
    years = fw.financial_years
    rows = [[r["category"]] + [r["amounts"].get(y) for y in years]
            + [(r.get("new_investment") or {}).get(y) for y in years] for r in rows_in]
    columns = ["Category"] + [f"Total {y}" for y in years] + [f"New investment {y}" for y in years]
    return [Table("Spend by category", columns, rows, frozenset(range(1, 1 + 2 * len(years))))]


def capacity_demand_table(plan, fw) -> list:
    rows_in = plan.get("capacity_demand")
    if isinstance(rows_in, dict):
        return [Marker(f"Capacity and demand: not stated in this document: {rows_in['not_stated']}")]
    if not rows_in:
        return []
    months = sorted({m for r in rows_in for m in r["months"]})
    blocks: list = []
    for start in range(0, len(months), 12):  # a year of months per table keeps it readable on a page
        chunk = months[start:start + 12]
        rows = [[r["service"], r["kind"], r.get("source", "")] + [r["months"].get(m) for m in chunk] for r in rows_in]
        blocks.append(Table(f"Capacity and demand, {chunk[0]} to {chunk[-1]}", ["Service", "Demand or capacity",
                                                                                "Source"] + chunk, rows))
    return blocks


def risks_table(plan, fw) -> list:
    risks = plan.get("risks") or []
    if not risks:
        return []
    return [Table("Risks and mitigations", ["Risk", "Mitigation", "Likelihood", "Impact", "Owner"],
                  [[r["risk"], r.get("mitigation", ""), r.get("likelihood", ""), r.get("impact", ""),
                    r.get("owner", "")] for r in risks])]


def uec_table(plan, fw) -> list:
    rows = plan.get("uec_mapping") or []
    if not rows:
        return []
    return [Table("Urgent and emergency care priorities and the BCF schemes that support them",
                  ["UEC priority", "BCF schemes", "Notes"],
                  [[r["priority"], "; ".join(r.get("schemes") or []), r.get("notes", "")] for r in rows])]


def documents_table(plan, fw) -> list:
    docs = plan.get("related_documents") or []
    if not docs:
        return []
    return [Table("Related documents", ["No.", "Document", "Description", "Link"],
                  [[d.get("number", ""), d["title"], d.get("description", ""), d.get("link", "")] for d in docs])]


SUMMARY_TABLES = {
    "income": income_table,
    "expenditure": expenditure_table,
    "metrics": metrics_table,
    "dfg": dfg_table,
    "spend_by_category": spend_by_category_table,
    "capacity_demand": capacity_demand_table,
    "risks": risks_table,
    "uec_mapping": uec_table,
    "related_documents": documents_table,
}
