"""The schema comes only from Alembic migrations, and they match the models."""

from __future__ import annotations

from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect, text

from dossiers.store.database import downgrade, head_revision, open_engine, upgrade
from dossiers.store.models import Base


def test_migrations_go_up_down_and_up_again_and_match_the_models(database_url: str) -> None:
    engine = open_engine(database_url)
    assert upgrade(engine) == (None, head_revision())
    assert set(inspect(engine).get_table_names()) >= set(Base.metadata.tables)
    assert downgrade(engine, "base") == (head_revision(), None)
    assert set(inspect(engine).get_table_names()) == {"alembic_version"}
    upgrade(engine)
    with engine.connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection), Base.metadata)
    assert differences == []
    engine.dispose()


def test_an_upgrade_keeps_the_data_of_a_database_in_use(database_url: str) -> None:
    """SQLite rebuilds altered tables: rows and the foreign keys pointing at them survive."""
    engine = open_engine(database_url)
    upgrade(engine, "0001")
    with engine.begin() as connection:
        connection.execute(text(
            "INSERT INTO agencies (id, name, zone, headcount, prism_member) "
            "VALUES (1, 'Lyon', 'metropole', 30, true)"))
        connection.execute(text(
            "INSERT INTO staff (id, name, email, role, agency_id) "
            "VALUES (1, 'Léa', 'lea@example.fr', 'charge', 1)"))
        connection.execute(text(
            "INSERT INTO dossiers (id, reference, kind, worker, contract_type, training_start, "
            "training_end, training_minutes, owner_id, agency_id, rules, state, created_at) "
            "VALUES (1, 'D-1', 'cdpi', 'Karim', 'ctt', '2027-01-11', '2027-02-19', 12600, 1, 1, "
            "'akto-current', 'open', '2026-11-22 08:00:00')"))
        connection.execute(text(
            "INSERT INTO events (dossier_id, kind, occurred_on, recorded_at) "
            "VALUES (1, 'drf-submitted', '2026-12-01', '2026-12-01 09:00:00')"))
    assert upgrade(engine) == ("0001", head_revision())
    with engine.connect() as connection:
        row = connection.execute(text(
            "SELECT reference, in_user_company, afest FROM dossiers")).one()
        assert tuple(row) == ("D-1", False, False)
        assert connection.execute(text("SELECT count(*) FROM events")).scalar() == 1
        if engine.dialect.name == "sqlite":
            assert connection.execute(text("PRAGMA foreign_keys")).scalar() == 1
    engine.dispose()


def test_the_migrations_ship_inside_the_installed_package() -> None:
    """A non-editable install must find its migrations, templates and sample data."""
    import dossiers

    package = Path(dossiers.__file__).parent
    assert (package / "migrations" / "env.py").is_file()
    assert list((package / "migrations" / "versions").glob("*.py"))
    assert (package / "sample_data" / "dossiers.csv").is_file()
    assert (package / "templates" / "digest.txt.j2").is_file()


def test_the_single_bilan_becomes_the_positioning_bilan_and_folds_back_going_down(
        database_url: str) -> None:
    """R-CIPI-BILAN, R-CDPI-BILAN, I-BILAN-MIGRATION: a database of schema 0003 in use keeps its
    bilan hours as positioning hours; going down adds the evaluation back into one bilan."""
    engine = open_engine(database_url)
    upgrade(engine, "0003")
    with engine.begin() as connection:
        connection.execute(text(
            "INSERT INTO agencies (id, name, zone, headcount, prism_member) "
            "VALUES (1, 'Lyon', 'metropole', 30, true)"))
        connection.execute(text(
            "INSERT INTO staff (id, name, email, role, agency_id) "
            "VALUES (1, 'Léa', 'lea@example.fr', 'charge', 1)"))
        for number, bilan in ((1, 600), (2, None)):
            connection.execute(text(
                "INSERT INTO dossiers (id, reference, kind, worker, contract_type, "
                "training_start, training_end, training_minutes, bilan_minutes, owner_id, "
                "agency_id, rules, state, created_at, eligibility, in_user_company, afest) "
                f"VALUES ({number}, 'D-{number}', 'cipi', 'Karim', 'ctt', '2027-01-11', "
                "'2027-02-19', 8400, :bilan, 1, 1, 'akto-current', 'open', "
                "'2026-11-22 08:00:00', 'anciennete-150h', false, false)"), {"bilan": bilan})
        connection.execute(text(
            "INSERT INTO events (dossier_id, kind, occurred_on, recorded_at) "
            "VALUES (1, 'drf-submitted', '2026-12-01', '2026-12-01 09:00:00')"))
    upgrade(engine)
    with engine.begin() as connection:
        rows = connection.execute(text(
            "SELECT reference, positioning_minutes, evaluation_minutes, tutor_minutes, "
            "basic_skills_basis_points, seniority_minutes, eligibility FROM dossiers "
            "ORDER BY id")).all()
        assert [tuple(row) for row in rows] == [
            ("D-1", 600, None, None, None, None, "anciennete-150h"),
            ("D-2", None, None, None, None, None, "anciennete-150h")]
        assert connection.execute(text("SELECT count(*) FROM events")).scalar() == 1
        connection.execute(text("UPDATE dossiers SET evaluation_minutes = 300 WHERE id = 1"))
        connection.execute(text("UPDATE dossiers SET evaluation_minutes = 120 WHERE id = 2"))
    downgrade(engine, "0003")
    with engine.connect() as connection:
        assert [tuple(row) for row in connection.execute(text(
            "SELECT reference, bilan_minutes FROM dossiers ORDER BY id"))] == [
            ("D-1", 900), ("D-2", 120)]
    engine.dispose()


def test_the_head_read_from_the_migration_files_is_alembics() -> None:
    """The start-up check reads the head without Alembic: it must be the one Alembic sees."""
    from alembic.script import ScriptDirectory

    from dossiers.store.database import _alembic_config

    assert head_revision() == ScriptDirectory.from_config(_alembic_config()).get_current_head()
