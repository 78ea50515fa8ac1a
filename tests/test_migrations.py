"""The schema comes only from Alembic migrations, and they match the models."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect

from dossiers.store.database import _alembic_config, head_revision, open_engine, upgrade
from dossiers.store.models import Base


def test_migrations_go_up_down_and_up_again_and_match_the_models(tmp_path: Path) -> None:
    engine = open_engine(f"sqlite:///{tmp_path / 'm.db'}")
    assert upgrade(engine) == (None, head_revision())
    assert set(inspect(engine).get_table_names()) >= set(Base.metadata.tables)
    config = _alembic_config()
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, "base")
    assert set(inspect(engine).get_table_names()) == {"alembic_version"}
    upgrade(engine)
    with engine.connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection), Base.metadata)
    assert differences == []


def test_the_migrations_ship_inside_the_installed_package() -> None:
    """A non-editable install must find its migrations, templates and sample data."""
    import dossiers

    package = Path(dossiers.__file__).parent
    assert (package / "migrations" / "env.py").is_file()
    assert list((package / "migrations" / "versions").glob("*.py"))
    assert (package / "sample_data" / "dossiers.csv").is_file()
    assert (package / "templates" / "dossier.txt.j2").is_file()
