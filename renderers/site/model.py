"""The plans as the site sees them: where each goes, and the sums the pages show.

Money stays in whole pounds (integers); the only division is spend per head,
done in Decimal and rounded to pence for display.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from functools import cached_property
from pathlib import Path

from bcf_schema.framework import Framework
from bcf_schema.return_diff import _of, _planned, _spend
from bcf_schema.returns import period_of, plan_path_of

from .. import document as d
from ..outputs import PlanSource


@dataclass(frozen=True)
class StreamRow:
    id: str
    name: str
    amounts: dict  # financial year -> whole pounds
    not_stated: str = ""


@dataclass(eq=False)
class SiteReturn:
    """A checked return against a plan (plans/<hwb>/returns/<period>-<return>.yaml)."""
    path: Path
    data: dict
    fw: Framework
    raw: bytes = b""

    @property
    def stem(self) -> str:  # 2023-25-y1-q2: the name of its documents in the build
        return self.path.stem

    @property
    def period(self) -> dict:
        return period_of(self.fw, self.data["return"]) or {}

    @property
    def order(self) -> int:
        return [p["id"] for p in self.fw.data["returns"]["periods"]].index(self.data["return"])

    @property
    def name(self) -> str:
        return self.period.get("name", self.data["return"])

    def money(self, plan: dict) -> dict:
        """Income and spend by stream against the plan's for the return's year (return_diff's sums)."""
        year = self.period["financial_year"]
        income, spend = self.data.get("income") or {}, _spend(self.data)
        plan_income, plan_spend = _planned(plan, year)
        streams = list(dict.fromkeys([*income, *spend]))
        spent, of = sum(spend.values()), sum(plan_spend.get(s, 0) for s in streams)
        return {"year": year, "streams": streams, "income": income, "spend": spend, "plan_income": plan_income,
                "plan_spend": plan_spend, "spent": spent, "planned": of,
                "summary": f"spend to date {_of(spent, of)}" if streams else "no income or spend reported"}


def attach_returns(plans: list, returns: list[SiteReturn]) -> None:
    """Give each plan its returns, latest first (returns of plans not shown are dropped)."""
    by_path = {p.source.path.resolve(): p for p in plans}
    for plan in plans:
        plan.returns = []
    for ret in returns:
        plan = by_path.get(plan_path_of(ret.path, ret.data))
        if plan is not None:
            plan.returns.append(ret)
    for plan in plans:
        plan.returns.sort(key=lambda r: -r.order)


@dataclass(eq=False)
class SitePlan:
    source: PlanSource
    review: dict | None = None  # its assurance review (reviews/<hwb>/<period>.yaml), checked by the plugin
    review_raw: bytes = b""  # the review file's bytes, for the page cache's key
    returns: list[SiteReturn] = field(default_factory=list)  # its published returns, latest first

    @property
    def latest_return(self) -> SiteReturn | None:
        return self.returns[0] if self.returns else None

    @property
    def data(self) -> dict:
        return self.source.data

    @property
    def fw(self) -> Framework:
        return self.source.framework

    @property
    def period(self) -> str:
        return self.fw.period

    @property
    def slug(self) -> str:  # worcestershire/2023-25
        return self.source.slug

    @property
    def file_stem(self) -> str:  # worcestershire-2023-25, for download names
        return self.slug.replace("/", "-")

    @property
    def folder(self) -> str:  # the site folder of the plan's pages
        return f"plans/{self.slug}"

    def page(self, name: str = "index") -> str:
        return f"{self.folder}/{name}.md"

    @property
    def hwb_name(self) -> str:
        return d.hwb_names(self.data)

    @property
    def label(self) -> str:
        return f"{self.hwb_name} {self.period}"

    @property
    def title(self) -> str:
        return d.plan_title(self.data, self.fw)

    @property
    def partners_label(self) -> str:
        return {"icbs": "ICBs", "ccgs": "CCGs"}.get(self.fw.nhs_partners, self.fw.nhs_partners)

    @property
    def partners(self) -> list[str]:
        return list(self.data.get(self.fw.nhs_partners) or [])

    @cached_property
    def streams(self) -> list[StreamRow]:
        given = (self.data.get("funding") or {}).get("streams") or {}
        rows = []
        for stream in self.fw.items("funding_streams"):
            value = given.get(stream["id"])
            if value is None:
                continue
            if "not_stated" in value:
                rows.append(StreamRow(stream["id"], stream["name"], {}, str(value["not_stated"])))
            else:
                rows.append(StreamRow(stream["id"], stream["name"], {y: value[y] for y in self.fw.financial_years
                                                                     if isinstance(value.get(y), int)}))
        return rows

    @cached_property
    def totals(self) -> dict:
        """Financial year -> the sum of the streams the plan states for it (years with none left out)."""
        out = {}
        for year in self.fw.financial_years:
            amounts = [s.amounts[year] for s in self.streams if year in s.amounts]
            if amounts:
                out[year] = sum(amounts)
        return out

    @property
    def totals_partial(self) -> bool:
        """Some stream is left to another document, or missing for a year others state."""
        return any(s.not_stated for s in self.streams) or any(
            year not in s.amounts for s in self.streams if not s.not_stated for year in self.totals)

    @property
    def version_number(self) -> str:
        """The plan's version where the document gives one ("V0.4", "1.0"); '' where it gives none."""
        version = self.data.get("version") or ""
        version = "" if isinstance(version, dict) else str(version)  # {not_stated: ...}: none given
        return version if any(c.isdigit() for c in version) else ""

    def unstated_in(self, year: str) -> list[str]:
        """The plan's funding streams with no figure for a year: left to another document, or given for other
        years only. Where there are any, the year's sum is not the pooled fund, only what is stated of it."""
        return [s.name for s in self.streams if year not in s.amounts]

    def stated_in(self, year: str) -> list[str]:
        return [s.name for s in self.streams if year in s.amounts]

    @property
    def comparable_years(self) -> list[str]:
        """The years with a figure for every stream stated for any year: a chart of these compares like with
        like (a year with fewer streams stated would look as if the fund fell)."""
        stated = {s.id for s in self.streams if s.amounts}
        return [y for y in self.totals if {s.id for s in self.streams if y in s.amounts} == stated]

    @property
    def stated_total(self) -> dict:
        return dict((self.data.get("funding") or {}).get("stated_total") or {})

    @property
    def schemes(self) -> list[dict]:
        schemes = self.data.get("schemes")
        return schemes if isinstance(schemes, list) else []

    @property
    def population(self) -> dict:
        return dict(self.data.get("population") or {})

    def spend_per_head(self, year: str) -> Decimal | None:
        count = self.population.get("count")
        if not count or year not in self.totals:
            return None
        return (Decimal(self.totals[year]) / Decimal(count)).quantize(Decimal("0.01"), ROUND_HALF_UP)

    def latest_date(self) -> str:
        """The newest date the plan states (its date, history, sign-off), as YYYY-MM-DD; '' if none."""
        dates = [self.data.get("date")]
        dates += [h.get("date") for h in self.data.get("history") or []]
        dates += [s.get("date") for s in self.data.get("sign_off") or []]
        full = [str(x) if len(str(x)) == 10 else f"{x}-01" for x in dates if x]
        return max(full, default="")


def money_text(amount) -> str:
    return d.money(amount) if isinstance(amount, int) else ""


period_words = d.period_words  # 2025-26 M01 -> April 2025: one definition, the documents'


def numeric_periods(values: dict | None) -> list[tuple[str, float]]:
    return [(str(k), v) for k, v in (values or {}).items()
            if isinstance(v, (int, float)) and not isinstance(v, bool)]
