"""England's 153 Health and Wellbeing Boards, from the bundled reference list.

data/hwbs.csv is copied unchanged from the project's checked reference list
(data/SOURCE.md says where each column comes from). The list's ICBs hold for a span of
dates, its vintage: data/vintages.csv names each list and the dates it is valid for, so a
boundary change is a new list and a new row there, and a plan is checked against the list
for its period's start.
"""
from __future__ import annotations

import csv
import datetime as dt
import functools
import re
from collections import namedtuple
from pathlib import Path

DATA_DIR = Path(__file__).parent / "data"
DATA = DATA_DIR / "hwbs.csv"
VINTAGES = DATA_DIR / "vintages.csv"

# The notes say when a code stopped being used ("Code reissued 1 Apr 2025",
# "New unitary from 1 Apr 2023", "recoded 2013"): a plan for a period that
# starts after that date should carry the current code.
_CHANGE_DATE = re.compile(r"(?:reissued|unitary from|recoded)\s+(?:(\d{1,2}) (\w{3}) )?(\d{4})")
_MONTHS = {m: i for i, m in enumerate(["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"], 1)}


class Hwb(namedtuple("Hwb", "code name region icbs icb_ods_codes previous_codes notes")):
    """One HWB of a list: icbs, icb_ods_codes and previous_codes are tuples of strings."""
    __slots__ = ()

    @property
    def short_name(self) -> str:
        """'Herefordshire, County of' -> 'Herefordshire'; 'Bristol, City of' -> 'Bristol'."""
        return self.name.split(",")[0].strip()

    @property
    def slug(self) -> str:
        return re.sub(r"[^a-z0-9]+", "-", self.short_name.lower()).strip("-")

    @property
    def code_changed_on(self) -> dt.date | None:
        """When the previous code gave way to the current one, where the notes say."""
        match = _CHANGE_DATE.search(self.notes)
        if not self.previous_codes or not match:
            return None
        day, month, year = match.groups()
        return dt.date(int(year), _MONTHS.get(month or "Apr", 4), int(day or 1))

    def matches_name(self, name: str) -> bool:
        wanted = _normalise(name)
        return wanted in {_normalise(self.name), _normalise(self.short_name)} or wanted == _normalise(
            " ".join(reversed([part.strip() for part in self.name.split(",")]))
        )


def _normalise(text: str) -> str:
    text = text.lower().replace("&", "and")
    text = re.sub(r"\b(health and wellbeing board|health and well-being board|council|county council)\b", "", text)
    return re.sub(r"[^a-z0-9]+", " ", text).strip()


def normalise_icb(name: str) -> str:
    text = name.lower().replace("&", "and")
    text = re.sub(r"\bintegrated care board\b", "icb", text)
    text = re.sub(r"^nhs\s+", "", text)
    return re.sub(r"[^a-z0-9]+", " ", text).strip()


class Vintage(namedtuple("Vintage", "path valid_from valid_to describes")):
    """One HWB list (its path) and the dates its ICBs are valid for (both inclusive)."""
    __slots__ = ()

    def covers(self, day: dt.date) -> bool:
        return self.valid_from <= day <= self.valid_to

    def by_code(self) -> dict[str, Hwb]:
        return by_code(self.path)


@functools.cache
def vintages(table: Path) -> tuple[Vintage, ...]:
    """Every vintage of the list, oldest first."""
    with table.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    found = [Vintage(table.parent / row["file"], dt.date.fromisoformat(row["valid_from"]),
                     dt.date.fromisoformat(row["valid_to"]), row["describes"]) for row in rows]
    return tuple(sorted(found, key=lambda v: v.valid_from))


def vintage_for(day: dt.date, table: Path | None = None) -> Vintage:
    """The list to check a plan for a period starting on `day` against: the vintage that covers the day;
    the oldest for a day before them all (its rows carry their earlier codes); the newest for a day after
    them all, which does not cover it (`day > vintage.valid_to`: ICB names may have changed since)."""
    found = vintages(table or VINTAGES)
    covering = [v for v in found if v.covers(day)]
    if covering:
        return covering[-1]
    return found[0] if day < found[0].valid_from else found[-1]


def all_hwbs(path: Path | None = None) -> tuple[Hwb, ...]:
    """The HWBs of one list (the bundled hwbs.csv unless named)."""
    return _read(path or DATA)


@functools.cache
def _read(path: Path) -> tuple[Hwb, ...]:
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    return tuple(
        Hwb(
            code=row["ons_code"],
            name=row["name"],
            region=row["region"],
            icbs=tuple(filter(None, row["icbs"].split(";"))),
            icb_ods_codes=tuple(filter(None, row["icb_ods_codes"].split(";"))),
            previous_codes=tuple(filter(None, row["previous_codes"].split(";"))),
            notes=row["notes"],
        )
        for row in rows
    )


def by_code(path: Path | None = None) -> dict[str, Hwb]:
    """Every code, current and previous, to its HWB."""
    return _by_code(path or DATA)


@functools.cache
def _by_code(path: Path) -> dict[str, Hwb]:
    table: dict[str, Hwb] = {}
    for hwb in all_hwbs(path):
        table[hwb.code] = hwb
        for old in hwb.previous_codes:
            table[old] = hwb
    return table


def find(query: str) -> Hwb | None:
    """An HWB by code, name or slug."""
    if query in by_code():
        return by_code()[query]
    for hwb in all_hwbs():
        if hwb.matches_name(query) or hwb.slug == query.lower():
            return hwb
    return None
