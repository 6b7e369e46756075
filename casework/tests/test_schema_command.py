import shutil
import uuid

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connections

from casework.schema import MIGRATIONS_DIR, apply_schema, schema_models, sql_files

pytestmark = pytest.mark.mysql


def server_cursor():
    """A raw connection to the MariaDB server of the default database, outside any test database."""
    import MySQLdb

    config = connections.settings["default"]
    return MySQLdb.connect(
        host=config["HOST"] or "127.0.0.1",
        port=int(config["PORT"] or 3306),
        user=config["USER"],
        password=config["PASSWORD"],
        autocommit=True,
    ).cursor()


@pytest.fixture
def empty_database(django_db_blocker):
    """A brand-new, empty MariaDB database reachable as its own connection alias."""
    name = f"iset_scratch_{uuid.uuid4().hex[:10]}"
    alias = f"scratch_{name}"
    cursor = server_cursor()
    cursor.execute(f"CREATE DATABASE `{name}` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci")
    connections.settings[alias] = {**connections.settings["default"], "NAME": name}
    try:
        with django_db_blocker.unblock():
            yield alias
            connections[alias].close()
    finally:
        del connections[alias]
        del connections.settings[alias]
        cursor.execute(f"DROP DATABASE `{name}`")
        cursor.connection.close()


def tables_of(alias):
    with connections[alias].cursor() as cursor:
        return set(connections[alias].introspection.table_names(cursor))


def test_creates_every_table_on_an_empty_database(empty_database):
    applied = apply_schema(using=empty_database)

    assert applied == [sql_file.name for sql_file in sql_files()]
    assert "20250925_add_case_columns_to_messages.sql" in applied
    expected = {model._meta.db_table for model in schema_models()} | {"schema_migrations"}
    assert tables_of(empty_database) == expected
    with connections[empty_database].cursor() as cursor:
        cursor.execute("SELECT name, sha256 FROM schema_migrations ORDER BY name")
        assert cursor.fetchall() == tuple((f.name, f.sha256) for f in sql_files())


def test_second_run_applies_nothing(empty_database):
    apply_schema(using=empty_database)

    assert apply_schema(using=empty_database) == []


def test_seed_migration_adds_the_case_columns_to_the_baseline(empty_database, tmp_path):
    for sql_file in sql_files():
        if sql_file.name < "20250925":
            shutil.copy(MIGRATIONS_DIR / sql_file.name, tmp_path / sql_file.name)
    apply_schema(using=empty_database, directory=tmp_path)
    assert "case_id" not in columns_of(empty_database, "messages")
    messages_before = columns_of(empty_database, "messages")
    attachments_before = columns_of(empty_database, "message_attachment")

    shutil.copy(MIGRATIONS_DIR / "20250925_add_case_columns_to_messages.sql", tmp_path)
    assert apply_schema(using=empty_database, directory=tmp_path) == ["20250925_add_case_columns_to_messages.sql"]

    assert {"case_id", "application_id"} <= columns_of(empty_database, "messages")
    assert columns_of(empty_database, "messages") == messages_before | {"case_id", "application_id"}
    assert "case_id" in columns_of(empty_database, "message_attachment")
    assert columns_of(empty_database, "message_attachment") == attachments_before | {"case_id"}
    with connections[empty_database].cursor() as cursor:
        cursor.execute(
            "SELECT table_name, column_name, referenced_table_name FROM information_schema.key_column_usage "
            "WHERE table_schema = DATABASE() AND referenced_table_name IS NOT NULL "
            "AND column_name IN ('case_id', 'application_id') AND table_name IN ('messages', 'message_attachment')"
        )
        foreign_keys = set(cursor.fetchall())
    assert foreign_keys == {
        ("messages", "case_id", "iset_case"),
        ("messages", "application_id", "iset_application"),
        ("message_attachment", "case_id", "iset_case"),
    }


def test_edited_applied_file_is_refused(empty_database, tmp_path):
    for sql_file in sql_files():
        shutil.copy(MIGRATIONS_DIR / sql_file.name, tmp_path / sql_file.name)
    apply_schema(using=empty_database, directory=tmp_path)
    baseline = tmp_path / "20250801_baseline.sql"
    baseline.write_text(baseline.read_text() + "\n-- edited after the fact\n")
    (tmp_path / "20991231_later.sql").write_text("CREATE TABLE later_table (id INT PRIMARY KEY);\n")

    with pytest.raises(CommandError, match="20250801_baseline.sql was edited after it was applied"):
        call_command("apply_schema", database=empty_database, sql_dir=str(tmp_path))

    assert "later_table" not in tables_of(empty_database)


def columns_of(alias, table):
    with connections[alias].cursor() as cursor:
        return {c.name for c in connections[alias].introspection.get_table_description(cursor, table)}
