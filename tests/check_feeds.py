#!/usr/bin/env python3
"""Reads a built site's calendar feeds with Python's icalendar 7.x.

Usage: python3 tests/check_feeds.py SITE_DIR [LATER_SITE_DIR]

Checks that calendar.ics and every people/<login>.ics parse, that each has one
all-day event per shift assigned (to that person) in api/schedule.json, that
UIDs are unique and name the shift, and that lines are CRLF-ended and folded.
Given a second site built later from the same data, checks that every shift
in both keeps its UID and dates, so calendar clients update events in place.
"""

import datetime
import json
import pathlib
import sys

import icalendar


def fail(message):
    print(f"check_feeds: {message}", file=sys.stderr)
    sys.exit(1)


def events(path):
    raw = path.read_bytes()
    if not raw.endswith(b"\r\n") or b"\n" in raw.replace(b"\r\n", b""):
        fail(f"{path}: lines must end in CRLF")
    for line in raw.split(b"\r\n"):
        if len(line) > 75:
            fail(f"{path}: a line of {len(line)} octets: {line!r}")
    calendar = icalendar.Calendar.from_ical(raw)
    if calendar.get("X-WR-CALNAME") is None:
        fail(f"{path}: no X-WR-CALNAME")
    found = []
    for event in calendar.walk("VEVENT"):
        start, end = event.decoded("DTSTART"), event.decoded("DTEND")
        if isinstance(start, datetime.datetime) or not isinstance(start, datetime.date):
            fail(f"{path}: DTSTART {start!r} is not an all-day date")
        if end <= start or (end - start).days % 7:
            # Whole weeks, also across daylight saving changes.
            fail(f"{path}: {start} to {end} is not a whole number of weeks")
        if str(event.get("TRANSP")) != "TRANSPARENT":
            fail(f"{path}: event {event.get('UID')} is not TRANSP:TRANSPARENT")
        if not isinstance(event.decoded("DTSTAMP"), datetime.datetime):
            fail(f"{path}: DTSTAMP is not a date-time")
        found.append((str(event.get("UID")), start, end))
    uids = [uid for uid, _, _ in found]
    if len(set(uids)) != len(uids):
        fail(f"{path}: duplicate UIDs")
    return found


def main():
    if len(sys.argv) not in (2, 3):
        fail("usage: check_feeds.py SITE_DIR [LATER_SITE_DIR]")
    major = int(icalendar.__version__.split(".")[0])
    if major < 7:
        fail(f"needs icalendar 7.x, found {icalendar.__version__}")
    site = pathlib.Path(sys.argv[1])
    check_site(site)
    if len(sys.argv) == 3:
        later = pathlib.Path(sys.argv[2])
        check_site(later)
        before = {uid: (s, e) for uid, s, e in events(site / "calendar.ics")}
        after = {uid: (s, e) for uid, s, e in events(later / "calendar.ics")}
        common = set(before) & set(after)
        if not common:
            fail("the two sites share no shift")
        for uid in common:
            if before[uid] != after[uid]:
                fail(f"{uid} moved from {before[uid]} to {after[uid]}")
        print(f"check_feeds: {len(common)} shifts keep their UIDs and dates across builds")


def check_site(site):
    shifts = json.loads((site / "api" / "schedule.json").read_text())["shifts"]
    assigned = [s for s in shifts if s["person"]]

    everyone = events(site / "calendar.ics")
    if len(everyone) != len(assigned):
        fail(f"calendar.ics has {len(everyone)} events for {len(assigned)} assigned shifts")
    ids = sorted(uid.split("@")[0] for uid, _, _ in everyone)
    if ids != sorted(s["id"] for s in assigned):
        fail("calendar.ics UIDs do not name the assigned shifts")

    people = sorted((site / "people").glob("*.ics"))
    if not people:
        fail("no people/*.ics feeds")
    for path in people:
        login = path.stem
        mine = sorted(s["id"] for s in assigned if s["person"] == login)
        got = sorted(uid.split("@")[0] for uid, _, _ in events(path))
        if got != [f"{i}.{login}" for i in mine]:
            fail(f"{path}: events {got} for shifts {mine}")
    print(f"check_feeds: calendar.ics ({len(everyone)} events) and {len(people)} person feeds are valid")


if __name__ == "__main__":
    main()
