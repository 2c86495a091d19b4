"""Speed of routing a report, which runs on every submission and every guidance request,
against a bare dictionary lookup of a postcode district (the baseline) in the same run."""

from bench._timing import measure, row
from reporter.postcodes import PostcodeIndex
from reporter.reference import get_reference
from reporter.routing import Facts, decide


def run() -> None:
    ref = get_reference()
    postcodes = PostcodeIndex.from_file()
    districts = {"S40": "derbyshire"}
    baseline = measure(lambda: districts.get("S40"), repeat=5000)
    print(row("dict lookup (baseline)", baseline))
    cases = {
        "postcode, two signs": Facts(sector="delivery", postcode="S40 1AA",
                                     signs=frozenset({"injuries", "guarded"})),
        "station, danger": Facts(sector="rail", station="LEI", danger=True),
        "place text naming a station": Facts(sector="food-service",
                                             place="by the doors of Nottingham station"),
    }  # fmt: skip
    for label, facts in cases.items():
        print(
            row(
                f"decide: {label}",
                measure(lambda f=facts: decide(f, ref, postcodes), repeat=2000),
                baseline,
            )
        )
