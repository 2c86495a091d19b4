"""Station names as people say them: "Euston", "Waterloo station", "Kings X"... no, not that one,
but "King's Cross", "New Street", "Temple Meads", "Cardiff".

Built from the station list's own names, not a hand list: every name is indexed under the forms
people use for it (the whole name, without its bracket, without "London", without the city before
a city's named station), and a name typed is read as those forms are: without "station" or
"rail", with "&" as "and", "St" as "Saint" or "Street", punctuation gone.

Where several stations fit, they are ranked by how many people use them (the ORR's estimates of
station usage: `station_usage.csv`). A name is settled only when that is safe for routing:
- one station fits; or
- every station that fits is in the same region (the busiest is taken, the others are offered);
- or the busiest is `FAR_BUSIER` times as busy as any other that fits in another region
  ("Waterloo": London Waterloo, with Waterloo (Merseyside) offered as "did you mean").
Otherwise the name is ambiguous: the candidates are offered and nothing is settled.

Pure: no Flask, no database.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from itertools import product
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from reporter.reference import Station

# The busiest station that fits is taken over others in another region only when it is this
# many times as busy as each of them ("Waterloo": 80 times; "Newport": 8 times, so not).
FAR_BUSIER = 20
# A station that fits less well (only the end or start of its name: "Victoria" ends
# Manchester Victoria's) stands in the way only when it is within this factor.
LOOSER_FAR_BUSIER = 5
# Words that say "a station" without naming one.
NOISE = frozenset({"station", "stn", "rail", "railway", "train", "trains", "national", "the"})
# Words that, alone, name no station: "Central" fits forty; "Cardiff Central" fits one.
GENERIC = frozenset(
    {
        "central", "city", "town", "street", "road", "bridge", "fields", "park", "parkway",
        "junction", "international", "north", "south", "east", "west", "halt", "lane",
        "green", "hill", "square", "cross", "main", "line", "high", "new", "saint", "and",
        "airport", "terminal", "terminals", "london", "upper", "lower", "interchange",
    }
)  # fmt: skip
# Trailing words people add to a city's main station ("Leeds City", "Newcastle Central").
TRAILING = ("central", "city", "main", "mainline", "main line")
LONDON = "london"


@dataclass(frozen=True)
class StationMatch:
    """What a typed name resolves to. `station` is set only when it is settled; `candidates`
    are the stations offered to tap: the others that fit (as "did you mean") or, when
    ambiguous, every one that fits, busiest first."""

    station: Station | None
    candidates: tuple[Station, ...] = ()
    typed: str = ""  # the name as typed

    @property
    def ambiguous(self) -> bool:
        return self.station is None and bool(self.candidates)


def words_of(text: str) -> list[str]:
    """Lower-case words without accents or punctuation; "&" is "and", "'" joins ("King's")."""
    text = unicodedata.normalize("NFKD", text.casefold())
    text = "".join(c for c in text if not unicodedata.combining(c))
    text = re.sub(r"['’‘`]", "", text).replace("&", " and ").replace("+", " and ")
    return re.findall(r"[a-z0-9]+", text)


def _readings(words: list[str]) -> list[tuple[str, ...]]:
    """Each way of reading the typed words: "st" is "saint" or "street"; noise words go."""
    words = [w for w in words if w not in NOISE]
    options = [("saint", "street") if w in ("st", "saint") else (w,) for w in words]
    if len(options) > 6:  # a long description: read "st" one way, not 2**n ways
        options = [o[:1] for o in options]
    return [tuple(choice) for choice in product(*options)]


def forms_of(name: str) -> set[tuple[str, ...]]:
    """The forms a station's name is known by: "London St Pancras International" also as
    "St Pancras International"; "Abbey Wood (London)" as "Abbey Wood" and
    "Abbey Wood London"."""
    full = _words_of_name(name.replace("(", " ").replace(")", " "))
    return {full, *plain_forms_of(name)}


def plain_forms_of(name: str) -> set[tuple[str, ...]]:
    """The forms without the bracket that tells stations of one name apart: only these are
    matched by their start or end ("Cardiff" is not Grangetown (Cardiff))."""
    forms = {_words_of_name(name.split("(")[0])}
    for form in list(forms):
        if form[:1] == (LONDON,) and _names_something(form[1:]):
            forms.add(form[1:])
    return forms


def _words_of_name(name: str) -> tuple[str, ...]:
    return tuple("saint" if w in ("st", "saint") else w for w in words_of(name) if w not in NOISE)


def _names_something(words: tuple[str, ...]) -> bool:
    """Two words or more, or one that is not a generic word: "New Street", "Euston"; not
    "Central", "London" or "5"."""
    return len(words) > 1 or (
        len(words) == 1 and words[0] not in GENERIC and not words[0].isdigit()
    )


class StationFinder:
    """Finds stations by name. `usage(station)` ranks stations that fit; `region(station)`
    says where a station's reports go, so a name is never settled across regions silently."""

    def __init__(self, stations: Iterable, usage: Callable, region: Callable):
        self._stations = list(stations)
        self._usage = usage
        self._region = region
        self._by_form: dict[tuple[str, ...], list] = {}
        self._by_plain_form: dict[tuple[str, ...], list] = {}
        self._by_name = {
            _words_of_name(s.name.replace("(", " ").replace(")", " ")): s for s in self._stations
        }
        for station in self._stations:
            for form in forms_of(station.name):
                self._by_form.setdefault(form, []).append(station)
            for form in plain_forms_of(station.name):
                self._by_plain_form.setdefault(form, []).append(station)

    def match(self, text: str) -> StationMatch:
        """A name typed in a station field: the whole text names the station. A station's
        full name is that station ("Chester", whatever else starts with it). Else, in order of
        fit: a name ("Waterloo": London Waterloo and Waterloo (Merseyside)); the end of one
        ("New Street", "Piccadilly"); the same without a trailing "Central" or "City"; the
        start of one ("Cardiff"). The best fit is settled as `_settle` says."""
        readings = _readings(words_of(text))
        named = [self._by_name[r] for r in readings if r in self._by_name]
        if len(named) == 1:  # a station's own full name is that station
            return StationMatch(
                named[0], tuple(s for s in self._ending(readings) if s not in named)
            )
        trimmed = _without_trailing(readings)
        fits = [
            self._named(readings),
            self._ending(readings),
            self._named(trimmed) + self._ending(trimmed),
            self._starting(readings) + self._starting(trimmed),
        ]
        tier = next((i for i, fit in enumerate(fits) if fit), None)
        if tier is None:
            return self.named_in(text)
        best = fits[tier]
        looser = _unique(s for loose in fits[tier + 1 :] for s in loose if s not in best)
        # Offered as "did you mean": the stations the same words end ("Brighton": New
        # Brighton); not those they merely start ("Cardiff Central": not Cardiff Bay).
        similar = [s for s in looser if s in fits[1]]
        return self._settle(_unique(best), looser, similar)

    def named_in(self, text: str) -> StationMatch:
        """A station named somewhere in a description ("outside Euston, by the taxis"): the
        longest name that appears wins ("New Brighton" over "Brighton")."""
        best: list = []
        best_length = 0
        for reading in _readings(words_of(text))[:8]:
            for length in range(min(len(reading), 6), 0, -1):
                if length < best_length:
                    break
                for start in range(len(reading) - length + 1):
                    form = reading[start : start + length]
                    if form in self._by_form and _names_something(form):
                        if length > best_length:
                            best, best_length = [], length
                        best.extend(self._by_form[form])
        return self._settle(_unique(best))

    def _named(self, readings) -> list:
        """Stations known by these words ("Waterloo": London Waterloo and Waterloo
        (Merseyside); "Abbey Wood": Abbey Wood (London))."""
        return _unique(s for r in readings for s in self._by_form.get(r, ()))

    def _ending(self, readings) -> list:
        """Stations whose name ends with these words: "Piccadilly" is Manchester Piccadilly,
        "Brighton" also New Brighton."""
        return _unique(self._around(readings, lambda form, r: form[-len(r) :] == r))

    def _starting(self, readings) -> list:
        """Stations whose name starts with these words: "Cardiff" is Cardiff Central, Cardiff
        Queen Street and Cardiff Bay."""
        return _unique(self._around(readings, lambda form, r: form[: len(r)] == r))

    def _around(self, readings, fits: Callable) -> list:
        found = []
        for reading in readings:
            if not _names_something(reading):
                continue
            for form, stations in self._by_plain_form.items():
                if len(form) > len(reading) and fits(form, reading):
                    found.extend(stations)
        return found

    def _settle(self, fits: list, looser: Sequence = (), similar: Sequence = ()) -> StationMatch:
        """The busiest station that fits, unless a station in another region fits as well
        and is not `FAR_BUSIER` times less used, or fits more loosely and is not
        `LOOSER_FAR_BUSIER` times less used: then none, and every one is offered."""
        if not fits:
            return StationMatch(None)
        ranked = sorted(fits, key=self._rank)
        busiest = ranked[0]
        usage = self._usage(busiest)
        region = self._region(busiest)

        def rivals(stations: Sequence, times: int) -> bool:
            return any(
                self._region(s) != region and usage < times * max(self._usage(s), 1)
                for s in stations
            )

        if rivals(ranked[1:], FAR_BUSIER) or rivals(looser, LOOSER_FAR_BUSIER):
            return StationMatch(None, (*ranked, *sorted(looser, key=self._rank)))
        return StationMatch(busiest, (*ranked[1:], *sorted(similar, key=self._rank)))

    def _rank(self, station) -> tuple:
        return (-self._usage(station), station.name)


def _without_trailing(readings) -> list[tuple[str, ...]]:
    out = []
    for reading in readings:
        for trailing in TRAILING:
            tail = tuple(trailing.split())
            if reading[-len(tail) :] == tail and _names_something(reading[: -len(tail)]):
                out.append(reading[: -len(tail)])
    return out


def _unique(stations: Iterable) -> list:
    return list({id(s): s for s in stations}.values())
