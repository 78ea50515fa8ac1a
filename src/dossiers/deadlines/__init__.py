"""The pure rule core: calendars, rule sets, facts in, steps and alerts out.

Nothing in this package reads the clock, the database, the environment or files.
"""
