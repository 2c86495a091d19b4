"""Offline resolution of a UK postcode to the territorial police force that covers it.

Pure: no Flask, no database. The table `reference/postcodes.json` is derived from the ONS
Postcode Directory by `scripts/build_postcodes.py` (`make postcodes`). It maps every postcode
district (outward code, "S40") to the force covering most of its postcodes, and adds sector
("DA1 1") and full postcode rows only where they disagree with the row above them. Looking up
the most specific row first is therefore exact for every postcode in the directory, and a
well-formed postcode that is not in the directory gets its sector's or district's answer.

A force of None means the postcode is outside England and Wales (Scotland, Northern Ireland,
the Channel Islands, the Isle of Man): no region, national guidance only. The force's region is
looked up in `reference/regions.toml` by the caller.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

DEFAULT_TABLE = Path(__file__).parent / "reference" / "postcodes.json"

# The standard UK postcode pattern (BS 7666, as published for GOV.UK data standards), with the
# special case GIR 0AA. It rejects letters never used in a given position, so junk such as
# "ABC DEF" or "12345" fails, and so do a few long-terminated formats (W1M, NPT) that nobody
# can still have on an envelope.
_OUTWARD = r"[A-PR-UWYZ](?:[0-9]{1,2}|[A-HK-Y][0-9](?:[0-9]|[ABEHMNPRV-Y])?|[0-9][A-HJKPS-UW])"
_INWARD = r"[0-9][ABD-HJLNP-UW-Z]{2}"
_FULL_RE = re.compile(rf"(?:GIR 0AA|{_OUTWARD} {_INWARD})")
_OUTWARD_RE = re.compile(_OUTWARD)


# Python's whitespace (what str.split and str.strip remove), spelled out for regular expressions
# that other languages read: their \s is not the same set.
SPACE_CHARS = "".join(f"\\u{ord(c):04x}" for c in map(chr, range(0x3001)) if c.isspace())


def _any_case(pattern: str) -> str:
    return re.sub(r"\[([^\]]*)\]", lambda m: f"[{m.group(1)}{m.group(1).lower()}]", pattern)


# What normalise_postcode accepts, as one regular expression for the OpenAPI document: any
# case, spaces around and between the two halves, an outward code alone.
ACCEPTED_PATTERN = (
    rf"^[{SPACE_CHARS}]*(?:[Gg][Ii][Rr][{SPACE_CHARS}]*0[Aa][Aa]|{_any_case(_OUTWARD)}"
    rf"(?:[{SPACE_CHARS}]*{_any_case(_INWARD)})?)[{SPACE_CHARS}]*$"
)

Level = Literal["postcode", "sector", "district"]


def normalise_postcode(raw: str) -> str | None:
    """Return the postcode in canonical form ("S40 1AA") or its outward code alone ("S40").

    Case and whitespace do not matter ("s401aa", " sw1a  1aa "). Returns None when the input
    is not shaped like a UK postcode or outward code.
    """
    compact = "".join(raw.split()).upper()
    if len(compact) >= 5:
        candidate = f"{compact[:-3]} {compact[-3:]}"
        return candidate if _FULL_RE.fullmatch(candidate) else None
    return compact if _OUTWARD_RE.fullmatch(compact) else None


@dataclass(frozen=True, slots=True)
class PostcodeMatch:
    """The answer for one postcode.

    `force` is a force id from regions.toml, or None outside England and Wales. `known` is
    False when the district is not in the directory at all (well-formed but nonexistent, or a
    non-geographic district such as GIR with no local authority) or the input is not a postcode,
    and then `force` is None too. `level` names the row that answered: "postcode", "sector" or
    "district".
    """

    force: str | None
    known: bool
    level: Level


@dataclass(frozen=True, slots=True)
class CouncilMatch:
    """The council that runs children's services for most of a postcode sector or district
    (never for one address: a sector can straddle two councils)."""

    name: str
    level: Literal["sector", "district"]


class PostcodeIndex:
    """The derived table held as three plain dicts, loaded once per process, and the councils."""

    def __init__(
        self,
        districts: dict[str, str | None],
        sectors: dict[str, str | None],
        postcodes: dict[str, str | None],
        source: str = "",
        councils: dict | None = None,
    ) -> None:
        self.districts = districts
        self.sectors = sectors
        self.postcodes = postcodes
        self.source = source
        councils = councils or {}
        self.council_names: list[str] = councils.get("council_names", [])
        self.council_districts: dict[str, int] = councils.get("council_districts", {})
        self.council_sectors: dict[str, int] = councils.get("council_sectors", {})

    @classmethod
    def from_file(cls, path: Path | str = DEFAULT_TABLE) -> PostcodeIndex:
        with open(path, encoding="utf-8") as file:
            data = json.load(file)
        tables = [data.get(name) for name in ("districts", "sectors", "postcodes")]
        if not all(isinstance(table, dict) for table in tables):
            raise ValueError(f"{path}: expected districts, sectors and postcodes tables")
        districts, sectors, postcodes = tables
        councils = {k: v for k, v in data.items() if k.startswith("council_")}
        return cls(
            districts, sectors, postcodes, source=str(data.get("source", "")), councils=councils
        )

    def council_for(self, postcode: str) -> CouncilMatch | None:
        """The council for most of the postcode's sector (or district); None when unknown."""
        normalised = normalise_postcode(postcode) or ""
        outward, _, inward = normalised.partition(" ")
        if inward and (position := self.council_sectors.get(normalised[:-2])) is not None:
            return CouncilMatch(self.council_names[position], "sector")
        if (position := self.council_districts.get(outward)) is not None:
            return CouncilMatch(self.council_names[position], "district")
        return None

    def force_for(self, postcode: str) -> PostcodeMatch:
        """Resolve a postcode or outward code, in any case and spacing.

        Malformed input is not an error but an unknown place (known=False): callers pass
        postcodes picked out of free text, and an unknown place falls back to other clues.
        """
        normalised = normalise_postcode(postcode)
        outward, _, inward = (normalised or "").partition(" ")
        if outward not in self.districts:
            return PostcodeMatch(force=None, known=False, level="district")
        if inward and normalised:
            if normalised in self.postcodes:
                return PostcodeMatch(self.postcodes[normalised], known=True, level="postcode")
            sector = normalised[:-2]
            if sector in self.sectors:
                return PostcodeMatch(self.sectors[sector], known=True, level="sector")
        return PostcodeMatch(self.districts[outward], known=True, level="district")
