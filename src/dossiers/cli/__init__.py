"""The `dossiers` command: parse, call one service in one transaction, answer in French.

This package alone reads the clock and the environment. It holds the click group and the entry
point; the commands live in one module per family, and what they share in `options`:

    options.py    the App object (settings, engine, transactions), --as-of, --json, the clock
    admin.py      init, agency, staff, import, sample, purge
    dossiers.py   open, update, show, explain, doc, list, plan
    events.py     record, cancel, mission, incident
    reminders.py  remind, snooze, outbox (and outbox retry)
    reports.py    report overdue, report upcoming, calendar (and calendar subscribe)
    web.py        serve (the read-only web view), web link

Heavy modules (SQLAlchemy, the holiday calendars) are imported inside the commands that need
them, so that `dossiers --help` stays fast.
"""

from __future__ import annotations

import gc
import os
from pathlib import Path

import click

from dossiers.cli import admin, dossiers, events, reminders, reports, web
from dossiers.cli.options import App
from dossiers.french_click import FrenchGroup


def print_version(ctx: click.Context, _param: click.Parameter, value: bool) -> None:
    """The package, the rule sets it knows and the calendar library, read without importing it."""
    if not value or ctx.resilient_parsing:
        return
    from importlib.metadata import version

    from dossiers import messages
    from dossiers.deadlines.rulesets import RULE_SETS

    click.echo(messages.version_line(version("dossiers"), list(RULE_SETS), version("holidays")))
    ctx.exit()


@click.group(name="dossiers", cls=FrenchGroup, context_settings={"help_option_names": ["-h", "--help"],
                                                 "max_content_width": 100})
@click.option("--db", "db_url", envvar="DOSSIERS_DB", metavar="URL",
              help="Base de données (adresse SQLAlchemy). Par défaut $DOSSIERS_DB, sinon la clé "
                   "db de la configuration, sinon ~/.local/share/dossiers/dossiers.db.")
@click.option("--config", "config_path", envvar="DOSSIERS_CONFIG", metavar="FICHIER",
              help="Fichier de configuration TOML (par défaut $DOSSIERS_CONFIG). Chaque clé peut "
                   "être remplacée par DOSSIERS_<SECTION>_<CLÉ>.")
@click.option("--version", is_flag=True, expose_value=False, is_eager=True,
              callback=print_version,
              help="Affiche la version, les jeux de règles connus et la version de holidays, puis "
                   "quitte.")
@click.pass_context
def cli(ctx: click.Context, db_url: str | None, config_path: str | None) -> None:
    """Suivi des échéances AKTO des dossiers CIPI, CDPI et CAR.

    Chaque dossier a ses étapes (DRF, réponse d'AKTO, contrat, missions…), leurs
    dates d'ouverture et d'échéance et leur statut au jour dit, selon les règles
    du livre des règles docs/rules.md (identifiants R-…) ; « dossiers explain ID »
    montre chaque calcul.

    Exemple : dossiers init && dossiers sample && dossiers list --overdue
    """
    ctx.obj = App(db_url, config_path)
    ctx.call_on_close(ctx.obj.close)


def main() -> None:
    """The `dossiers` program. The cyclic garbage collector waits while the modules load (they
    create only long-lived objects, which it would scan again and again) and skips its last
    pass over them at exit (see `options.start_up_done`)."""
    gc.disable()
    try:
        from dossiers.deadlines.business_days import use_holiday_source
        from dossiers.holiday_cache import HolidayFileCache, default_cache_folder

        from dossiers.french_click import guard_stdout

        use_holiday_source(HolidayFileCache(
            default_cache_folder(os.environ.get("XDG_CACHE_HOME"), Path.home())))
        guard_stdout()
        cli.main(prog_name="dossiers")
    finally:
        # Everything still alive lives until the process ends: the collector need not look.
        gc.freeze()


for family in (admin, dossiers, events, reminders, reports, web):
    for command in family.COMMANDS:
        cli.add_command(command)
