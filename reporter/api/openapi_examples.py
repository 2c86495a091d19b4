"""The examples of the OpenAPI document: a rail report with a station, a delivery report with a
postcode, and the errors a developer meets (400, 401, 404, 429), as the API answers them in
English with today's reference data.

A request example and the response example of the same name go together: the response is what
that request gets (its status is the one the response example is listed under).
`tests/test_api_examples.py` sends every request example to the app and checks the answer has
that status, validates against the documented schema, and says what the example says (all but
the reference and the follow-up code, which are new for every report). So an example that
drifts from the reference data fails the suite.
"""

from __future__ import annotations

RAIL = "rail_report_with_a_station"
DELIVERY = "delivery_report_with_a_postcode"
INVALID = "invalid_report"
WRONG_KEY = "wrong_api_key"
OVER_LIMIT = "over_the_limit"
STATUS = "status"
SEEN_AGAIN = "seen_again"
WRONG_CODE = "wrong_code"

REFERENCE = "LC-7K3M-Q9TD"
CODE = "7KQD-M3XT-9PRA-CWHN"

# ---- requests -------------------------------------------------------------------------------

RAIL_REPORT = {
    "sector": "rail",
    "danger": False,
    "station": "Leicester",
    "signs": ["hiding", "avoids-staff"],
    "description": "Two boys of about 14 waiting by the toilets for an hour, told to stay "
    "there by a man who left.",
}
DELIVERY_REPORT = {
    "sector": "delivery",
    "danger": False,
    "postcode": "LE1 6RN",
    "signs": ["guarded", "adults-only-house"],
    "description": "A girl of about 12 answered the door; a man behind her took the parcel "
    "and sent her in.",
    "contact": {"consent": "confidential", "phone": "07700 900123"},
    "language": "en",
}
INVALID_REPORT = {"sector": "rail", "danger": False}

RAIL_QUERY = {"sector": "rail", "station": "LEI", "signs": "hiding,avoids-staff"}
DELIVERY_QUERY = {"sector": "delivery", "postcode": "LE1 6RN", "danger": "true"}
INVALID_QUERY = {"sector": "boats"}

# ---- answers --------------------------------------------------------------------------------

_BTP_TEXT = {
    "id": "btp-text-61016",
    "name": "British Transport Police (text)",
    "phone": None,
    "sms": "61016",
    "link": "sms:61016",
    "when": "On the railway, when no one is in danger right now. You can text without "
    "anyone hearing.",
}
_BTP_PHONE = {
    "id": "btp-phone",
    "name": "British Transport Police (phone)",
    "phone": "0800 40 50 40",
    "sms": None,
    "link": "tel:0800405040",
    "when": "On the railway, if you would rather talk. Not for emergencies.",
}
_POLICE_101 = {
    "id": "police-101",
    "name": "Police (non-emergency)",
    "phone": "101",
    "sms": None,
    "link": "tel:101",
    "when": "Call to tell the police about a worry when no one is in danger right now.",
}
_EMERGENCY = {
    "id": "emergency-999",
    "name": "Police (emergency)",
    "phone": "999",
    "sms": None,
    "link": "tel:999",
    "when": "Call now if a child is in danger right now, or a crime is happening now.",
}
_CRIMESTOPPERS = {
    "id": "crimestoppers",
    "name": "Crimestoppers",
    "phone": "0800 555 111",
    "sms": None,
    "link": "tel:0800555111",
    "when": "If you want to stay 100% anonymous. Open day and night. They pass what you say "
    "to the police.",
}
_NSPCC = {
    "id": "nspcc-helpline",
    "name": "NSPCC Helpline",
    "phone": "0808 800 5000",
    "sms": None,
    "link": "tel:08088005000",
    "when": "If you are worried about a child and want advice. You can stay anonymous.",
}
_COUNCIL = {
    "id": "children-services",
    "name": "Local council children's services",
    "phone": None,
    "sms": None,
    "link": "https://www.gov.uk/report-child-abuse-to-local-council",
    "when": "If you are worried about a child at home. Contact the council for the area "
    "where the child lives.",
}
_EAST_MIDLANDS = {"id": "east-midlands", "name": "East Midlands"}
_LEICESTERSHIRE = {"id": "leicestershire", "name": "Leicestershire Police"}

RAIL_GUIDANCE = {
    "region": _EAST_MIDLANDS,
    "priority": "normal",
    "authorities": [_BTP_TEXT, _BTP_PHONE, _POLICE_101, _CRIMESTOPPERS],
    "police_force": _LEICESTERSHIRE,
    "council": None,
}
DELIVERY_GUIDANCE = {
    "region": _EAST_MIDLANDS,
    "priority": "normal",
    "authorities": [_POLICE_101, _CRIMESTOPPERS, _NSPCC, _COUNCIL],
    "police_force": _LEICESTERSHIRE,
    "council": {"name": "Leicester"},
}
DELIVERY_IN_DANGER_GUIDANCE = {
    **DELIVERY_GUIDANCE,
    "priority": "urgent",
    "authorities": [_EMERGENCY, _CRIMESTOPPERS, _COUNCIL],
}
RAIL_CREATED = {
    "reference": REFERENCE,
    "guidance": RAIL_GUIDANCE,
    "follow_up_code": CODE,
    "station": {"crs": "LEI", "name": "Leicester", "did_you_mean": []},
}
DELIVERY_CREATED = {"reference": REFERENCE, "guidance": DELIVERY_GUIDANCE, "follow_up_code": CODE}
INVALID_REPORT_ERRORS = {
    "errors": {
        "place": "Tell us where: a postcode, a station or a description of the place.",
        "description": "Tick at least one sign, or tell us what you saw.",
    }
}
WRONG_KEY_ERRORS = {
    "errors": {
        "authorization": "This API key is not valid or has been revoked. Send the report "
        "without a key, or ask the LookCloser team for a new one."
    }
}
OVER_LIMIT_ERRORS = {
    "errors": {"rate_limit": "Too many reports from your internet connection"},
    "guidance": RAIL_GUIDANCE,
}
OVER_LIMIT_PROBLEM = {
    "error": "Too many reports from your internet connection",
    "authorities": ["emergency-999", "police-101", "crimestoppers"],
}
WRONG_CODE_ERRORS = {
    "errors": {
        "follow_up": "We could not find a report with that reference and follow-up code. "
        "Check both and try again."
    }
}
FOLLOW_UP_PAUSED = {
    "errors": {
        "follow_up": "Follow-up is paused for this reference or this internet connection "
        "after too many wrong codes."
    }
}


def example(summary: str, value) -> dict:
    return {"summary": summary, "value": value}


def report_requests() -> dict:
    return {
        RAIL: example("A rail report naming its station", RAIL_REPORT),
        DELIVERY: example(
            "A delivery report with a postcode, the reporter reachable in confidence",
            DELIVERY_REPORT,
        ),
        INVALID: example("Invalid: no place, and no sign or description", INVALID_REPORT),
    }


def report_responses() -> dict[str, dict]:
    """By status: the examples of each response of POST /reports."""
    return {
        "201": {
            RAIL: example("The station settled; BTP's text service first", RAIL_CREATED),
            DELIVERY: example("The police force and the council by name", DELIVERY_CREATED),
        },
        "400": {INVALID: example("What to correct, by field", INVALID_REPORT_ERRORS)},
        "401": {WRONG_KEY: example("A wrong or revoked API key", WRONG_KEY_ERRORS)},
        "429": {
            OVER_LIMIT: example(
                "Over the limit of stored reports: not stored, guidance given",
                OVER_LIMIT_ERRORS,
            )
        },
    }


def guidance_queries() -> dict[str, dict]:
    """By query parameter: its value in each example of GET /guidance."""
    queries = {RAIL: RAIL_QUERY, DELIVERY: DELIVERY_QUERY, INVALID: INVALID_QUERY}
    summaries = {
        RAIL: "At a station, two signs",
        DELIVERY: "At a postcode, a child in danger now",
        INVALID: "An unknown setting",
    }
    by_parameter: dict[str, dict] = {}
    for name, query in queries.items():
        for parameter, value in query.items():
            by_parameter.setdefault(parameter, {})[name] = example(summaries[name], value)
    return by_parameter


def guidance_responses() -> dict[str, dict]:
    return {
        "200": {
            RAIL: example("BTP's text service first", RAIL_GUIDANCE),
            DELIVERY: example(
                "999 first; the police force and council by name", DELIVERY_IN_DANGER_GUIDANCE
            ),
        },
        "400": {
            INVALID: example(
                "What to correct, by parameter",
                {"errors": {"sector": "Choose a setting from the list."}},
            )
        },
        "429": {
            OVER_LIMIT: example("Too many requests: who to call meanwhile", OVER_LIMIT_PROBLEM)
        },
    }


def follow_up_requests() -> dict:
    return {
        STATUS: example(
            "A report's reference and its follow-up code", {"reference": REFERENCE, "code": CODE}
        ),
        WRONG_CODE: example(
            "A code that does not open the report",
            {"reference": REFERENCE, "code": "AAAA-AAAA-AAAA-AAAA"},
        ),
    }


def follow_up_responses() -> dict[str, dict]:
    return {
        "200": {
            STATUS: example(
                "Received",
                {
                    "reference": REFERENCE,
                    "status": "new",
                    "status_text": "Received. The LookCloser team for the area has your report.",
                },
            )
        },
        "404": {
            WRONG_CODE: example("The same answer for a wrong code or reference", WRONG_CODE_ERRORS)
        },
        "429": {OVER_LIMIT: example("Too many wrong codes", FOLLOW_UP_PAUSED)},
    }


SIGHTING = {
    "reference": REFERENCE,
    "code": CODE,
    "danger": False,
    "station": "Leicester",
    "details": "The same two boys, on platform 2 this time, with a different man.",
}


def sighting_requests() -> dict:
    return {
        SEEN_AGAIN: example("Seen again, at a station", SIGHTING),
        WRONG_CODE: example(
            "A code that does not open the report", {**SIGHTING, "code": "AAAA-AAAA-AAAA-AAAA"}
        ),
    }


def sighting_responses() -> dict[str, dict]:
    stored = {"reference": REFERENCE, "again": False, "guidance": RAIL_GUIDANCE}
    return {
        "201": {SEEN_AGAIN: example("Stored, with who to contact now", stored)},
        "404": {
            WRONG_CODE: example("The same answer for a wrong code or reference", WRONG_CODE_ERRORS)
        },
        "429": {OVER_LIMIT: example("Too many wrong codes", FOLLOW_UP_PAUSED)},
    }
