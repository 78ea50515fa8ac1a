"""The day `make demo` shows: today (or the day given, AAAA-MM-JJ), or the next jour ouvré of
the métropole when that day is not one, so that the demo always has reminders to show.

    python scripts/demo_day.py [DAY]            prints the day, AAAA-MM-JJ
    python scripts/demo_day.py --explain [DAY]  prints why another day is shown, if it is
    python scripts/demo_day.py --hint [DAY]     prints how to see the demo on that day, if needed
"""

from __future__ import annotations

import sys
from datetime import date

from dossiers import messages
from dossiers.cli.options import today_in
from dossiers.deadlines.business_days import is_business_day, next_business_day
from dossiers.deadlines.zones import DEFAULT_ZONE


def demo_day(today: date) -> date:
    if is_business_day(today, DEFAULT_ZONE):
        return today
    return next_business_day(today, DEFAULT_ZONE)


def main(args: list[str]) -> None:
    mode = next((arg for arg in args if arg.startswith("--")), None)
    given = [arg for arg in args if not arg.startswith("--")]
    today = date.fromisoformat(given[0]) if given else today_in(DEFAULT_ZONE)
    day = demo_day(today)
    if mode is None:
        print(day.isoformat())
    elif day != today and mode == "--explain":
        print(f"{messages.day_and_date(today)} n'est pas un jour ouvré : la démonstration se "
              f"place au {messages.day_and_date(day)} (--as-of {messages.short_date(day)}).")
    elif day != today and mode == "--hint":
        print(f"Ses dates sont placées autour du {messages.day_and_date(day)} : ajoutez --as-of "
              f"{messages.short_date(day)} pour la voir ce jour-là.")


if __name__ == "__main__":
    main(sys.argv[1:])
