"""Every finding code bcfc reports, once: its severity, a short title, what it means and what to do.

`Finding` refuses a code that is not here, so a new code is catalogued before it can be reported;
README's findings table is generated from this list (`python -m bcf_schema.catalogue --write README.md`)
and a test fails when the two differ.
"""
from __future__ import annotations

import re
import sys
from collections import namedtuple
from pathlib import Path


class Code(namedtuple("Code", "code severity title explanation hint")):
    """A finding code. severity as a planning lead reads it ("error", "error (a warning in a draft)",
    "info" ...); title a few words, for the summary line of `bcfc validate`; explanation what it means;
    hint what to do about it, in general (each finding's own hint says it for the case)."""
    __slots__ = ()

    @property
    def severities(self) -> tuple[str, ...]:
        """The severities a finding with this code may have."""
        return tuple(s for s in ("error", "warning", "info") if re.search(rf"\b{s}\b", self.severity))



CODES: tuple[Code, ...] = (
    Code("BCF001", "error (exit 2)", "unreadable path", "a path that does not exist or cannot be read, or is not a regular file (a pipe, a device such as `/dev/zero`: refused without reading)",
         "check the path; bcfc reads plans from plans/ by default"),
    Code("BCF002", "error", "file too large", "the file is larger than 5 MiB (checked before it is read)",
         "split appendices into their own documents and link them"),
    Code("BCF003", "error", "not UTF-8 text", "a binary file, or text that is not UTF-8",
         "save the plan as plain UTF-8 text"),
    Code("BCF004", "error", "YAML syntax",
         "YAML syntax (tabs, brackets, quotes), more than one document, non-finite numbers, a number of more than 100 characters or one YAML cannot read (`0b_`)",
         "fix the line named; indent with spaces, quote text that holds ': '"),
    Code("BCF005", "error", "repeated key", "a key repeated in a mapping (at the second key's line)",
         "each key may appear once in a mapping: merge the two entries"),
    Code("BCF006", "error", "YAML tag", "a YAML tag (`!!python/...`, `!custom`, `!!int \"abc\"`: only plain, untagged YAML; `!!str` is allowed) or merge key (`<<`)",
         "remove the tag or merge key; plans are plain YAML"),
    Code("BCF007", "error", "alias expansion", "alias expansion over 200,000 values, or a recursive alias",
         "remove the repeated aliases (*name); plans do not need them"),
    Code("BCF008", "error", "nesting too deep", "nesting deeper than 64 levels",
         "plans nest a few levels deep: look for a runaway indent"),
    Code("BCF009", "error", "not a plan", "an empty file, or a top level that is not a mapping",
         "a plan starts with `framework:`; try `bcfc new`"),
    Code("BCF010", "error", "framework", "no `framework:`, or a period bcfc does not know",
         "start the plan with `framework:` and one of the periods `bcfc schema` lists"),
    Code("BCF011", "error", "file name too long",
         "a plan file or folder name over 100 bytes in UTF-8, about 100 plain letters (the documents are named after them)",
         "shorten the plan's file or folder name"),
    Code("BCF101", "error", "missing field", "a required field is missing", "add the field named"),
    Code("BCF102", "error", "wrong kind of value", "a value of the wrong type (text where a number belongs, `1000.0` or pence where whole pounds belong ...)",
         "write amounts as plain whole numbers; quote text YAML would read as a number or true/false"),
    Code("BCF103", "error", "unknown field", "an unknown field (with the closest known one)",
         "correct the spelling to the field meant"),
    Code("BCF104", "error", "value not allowed",
         "a value that is not one of the framework's ids (funding stream, scheme type, year ...)",
         "use one of the ids the framework lists"),
    Code("BCF105", "error", "value in the wrong form",
         "a value in the wrong form (dates not in the calendar, codes, negative amounts, empty lists), over a limit (amounts over £100,000,000,000, text over its length) or holding a control character",
         "write the value in the form the message gives"),
    Code("BCF106", "error", "schema", "any other schema violation", "see the message"),
    Code("BCF201", "error (draft: warning)", "income and spend",
         "a stream's income in a year is not what its schemes spend (or, where the schemes are elsewhere, the expenditure the plan states for it under `funding: expenditure_by_source:`): income no scheme spends, overspend, or income declared `unallocated` without a reason; a warning for unallocated income declared with its reason",
         "allocate the income to schemes, or declare it under funding: unallocated: with a reason"),
    Code("BCF202", "error", "totals",
         "a stated total differs from the sum of its parts (pooled fund, spend by category, DFG districts, the DFG by purpose; schemes against the stated expenditure by funding source)",
         "correct the total or the parts"),
    Code("BCF203", "error (draft: warning)", "minimum spend",
         "a minimum-spend rule of the framework is not met, or its minimum is not stated (warning: schemes that do not say enough to count)",
         "fund enough schemes of the kind the rule names"),
    Code("BCF204", "error", "ring-fenced spend", "ring-fenced income (DFG) funds a scheme of another type",
         "fund the scheme from another stream, or correct its type"),
    Code("BCF205", "error (draft: warning)", "headings to write",
         "a required heading of the framework is not written",
         "write the answer, or {not_stated: where the document answers it}"),
    Code("BCF206", "info", "left elsewhere",
         "a heading or metric the document leaves elsewhere (`not_stated`), with the reason; a scheme funded "
         "from a source outside the streams (`funding_source_as_stated`)", "nothing to do: it is shown with its reason"),
    Code("BCF207", "error (draft: warning)", "metric goals",
         "a national metric without goals",
         "add goals for each period, or {goals_not_stated: where they are}"),
    Code("BCF208", "error (draft: warning)", "template text",
         'template placeholder or guidance text left in ("Please insert HWB name here"), or a value still marked '
         '"to be written"',
         "replace the placeholder with the plan's own text"),
    Code("BCF209", "info", "check that cannot run",
         "a money check that cannot run on what the plan states: which check, and what is missing",
         "nothing to do if the document really leaves it elsewhere"),
    Code("BCF210", "error", "HWB", "an ONS code that is no HWB in England, or a name that does not match the code",
         "use the HWB's name and ONS code as bcfc's HWB list gives them"),
    Code("BCF211", "error", "HWB code", "an HWB's earlier code used in a period after it changed",
         "use the HWB's code for the period"),
    Code("BCF212", "warning", "ICB", "none of the ICBs named covers the HWB",
         "name the ICB(s) the HWB lies in"),
    Code("BCF213", "error (draft: warning)", "spend without income",
         "a scheme spends from a funding stream or year the plan gives no income",
         "add the stream's income for the year, or fund the schemes from another stream"),
    Code("BCF214", "error (draft: warning)", "funding or schemes",
         "no income stated, or no schemes listed",
         "add the income of each funding stream, and the schemes it pays for"),
    Code("BCF215", "error (draft: warning)", "sign-off",
         "no sign-off; in an approved plan, a sign-off without its body or date",
         "add sign_off: with the body, the date and the decision"),
    Code("BCF216", "error (draft: warning)", "goal periods",
         "a metric's goals miss some of the periods the framework sets (all 12 months of a monthly metric)",
         "add a goal for each period (all 12 months of a monthly metric)"),
    Code("BCF217", "error (draft: warning)", "history",
         "the history has no entry for the plan's version",
         "add a history entry for the version"),
    Code("BCF218", "warning", "ICB list out of date",
         "the plan's period starts after the dates bcfc's HWB and ICB list is valid for, so ICB names may have changed",
         "check the ICB names against NHS England's current list; a newer bcfc may hold a list for the period"),
    Code("BCF219", "error", "review without a plan",
         "an assurance review `reviews/<hwb>/<period>.yaml` with no plan `plans/<hwb>/<period>.yaml` beside it to assure, or one whose plan cannot be read or names no framework bcfc knows",
         "name the review's folder and file as its plan's are, or correct the plan first"),
    Code("BCF300", "error / warning", "house rule", "a local house rule is broken", "see the rule's description"),
    Code("BCF301", "error (exit 2)", "house rules file", "the house rules file itself is wrong",
         "see README, 'Local house rules'"),
    Code("BCF401", "error", "version",
         "(`--base` only) the plan changed since the base revision but its version did not",
         "raise the version"),
    Code("BCF402", "error", "history",
         "(`--base` only) the plan or its version changed but history has no new entry for the new version",
         "add a history entry for the new version"),
    Code("BCF403", "error", "version",
         "(`--base` only) the version went backwards (versions compare by their dotted numbers)",
         "use a version above the base revision's"),
    Code("BCF501", "error", "return's plan", "a return (plans/<hwb>/returns/...) whose `plan:` names no file, a file that does not load, another framework's plan or another HWB's",
         "name the plan beside the returns/ folder: `plan: ../2023-25.yaml`"),
    Code("BCF502", "error", "plan not submitted", "a return for a plan that is still a draft: a return reports on a submitted or approved plan",
         "submit the plan first"),
    Code("BCF503", "error", "not in the plan", "a return reports a scheme or funding stream its plan does not have, or a scheme under another stream than the plan's (with the closest one)",
         "use the plan's scheme ids and funding streams"),
    Code("BCF504", "error (a warning in a draft)", "spend against income", "a funding stream's actual spend to date differs from its actual income and `variance:` does not say why",
         "correct the figures or explain the stream under `variance:`"),
    Code("BCF505", "warning", "verdict against goal", "a metric's verdict (on track, achieved ...) disagrees with its actual figure and the plan's goal (both figures given)",
         "check the actual and the verdict; say why in the comment if both are right"),
    Code("BCF506", "error (a warning in a draft)", "return incomplete", "a national condition not answered, a metric not reported or a section the framework says this return holds left out",
         "answer it; `bcfc new --return` lists everything a return holds"),
    Code("BCF507", "error", "return period", "a return file not named `<period>-<return>.yaml`, a verdict of the other kind of return, or a metric period outside the return's year",
         "name the file after its framework and return; use this return's verdicts and year"),
)

BY_CODE: dict[str, Code] = {c.code: c for c in CODES}


def markdown_table() -> str:
    rows = ["| code | severity | what | what to do |", "| --- | --- | --- | --- |"]
    rows += [f"| {c.code} | {c.severity} | {c.explanation} | {c.hint} |" for c in CODES]
    return "\n".join(rows) + "\n"


START, END = "<!-- findings table: generated by `python -m bcf_schema.catalogue --write README.md` -->", \
    "<!-- end of findings table -->"


def with_table(text: str) -> str:
    """`text` (README.md) with the table between its markers replaced by the catalogue's."""
    before, rest = text.split(START, 1)
    _, after = rest.split(END, 1)
    return f"{before}{START}\n{markdown_table()}{END}{after}"


def main(argv: list[str]) -> int:
    if argv[:1] == ["--write"] and len(argv) == 2:
        path = Path(argv[1])
        path.write_text(with_table(path.read_text(encoding="utf-8")), encoding="utf-8")
    else:
        sys.stdout.write(markdown_table())
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
