"""The shared schema: SQL files in sql/migrations/ are the source of truth.

On MySQL/MariaDB the pending files are applied in name order and recorded in
`schema_migrations` with their sha256; an applied file that changed stops
everything. On the embedded SQLite default the same tables are built from the
unmanaged models instead (SQLite can't run MySQL DDL).
"""

import hashlib
from dataclasses import dataclass
from pathlib import Path

import sqlparse
from django.apps import apps
from django.conf import settings
from django.db import connections, transaction

MIGRATIONS_DIR = Path(settings.BASE_DIR) / "sql" / "migrations"
# Trigger DDL for the embedded SQLite database, run after its tables are built from the models.
SQLITE_DIR = Path(settings.BASE_DIR) / "sql" / "sqlite"
SCHEMA_APPS = ("casework", "intake")
LOCK_NAME = "iset_intake_schema"


class SchemaError(Exception):
    """The schema cannot be brought up to date safely."""


@dataclass(frozen=True)
class SqlFile:
    name: str
    text: str

    @property
    def sha256(self):
        return hashlib.sha256(self.text.encode("utf-8")).hexdigest()

    def statements(self) -> list[str]:
        """The file's statements, split by sqlparse (which knows about quotes and
        comments), without comments and without the closing semicolons."""
        statements = []
        for statement in sqlparse.split(self.text, strip_semicolon=True):
            text = sqlparse.format(statement, strip_comments=True).strip()
            if text:
                statements.append(text)
        return statements


def sql_files(directory=MIGRATIONS_DIR):
    return [SqlFile(path.name, path.read_text(encoding="utf-8")) for path in sorted(directory.glob("*.sql"))]


def schema_models():
    return [model for name in SCHEMA_APPS for model in apps.get_app_config(name).get_models()]


def apply_schema(*, using="default", directory=MIGRATIONS_DIR, log=lambda line: None):
    """Bring the database's schema up to date; returns the names applied."""
    connection = connections[using]
    if connection.vendor == "mysql":
        return _apply_sql_files(connection, sql_files(directory), log)
    return _build_from_models(connection, log)


def _apply_sql_files(connection, files, log):
    with connection.cursor() as cursor:
        # One process at a time, when several app servers start together.
        cursor.execute("SELECT GET_LOCK(%s, 60)", [LOCK_NAME])
        if cursor.fetchone()[0] != 1:
            raise SchemaError("Another process is applying the schema; try again in a minute.")
        try:
            cursor.execute(
                "CREATE TABLE IF NOT EXISTS `schema_migrations` ("
                " `name` VARCHAR(255) NOT NULL PRIMARY KEY,"
                " `sha256` CHAR(64) NOT NULL,"
                " `applied_at` DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6)"
                ") ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci"
            )
            cursor.execute("SELECT `name`, `sha256` FROM `schema_migrations`")
            applied = dict(cursor.fetchall())
            by_name = {sql_file.name: sql_file for sql_file in files}
            for name, recorded in sorted(applied.items()):
                if name not in by_name:
                    raise SchemaError(f"{name} was applied to this database but is missing from sql/migrations/.")
                if by_name[name].sha256 != recorded:
                    raise SchemaError(
                        f"{name} was edited after it was applied (sha256 {recorded[:12]}… is now "
                        f"{by_name[name].sha256[:12]}…). Applied files are history: restore it and put "
                        "the change in a new file."
                    )
            pending = [sql_file for sql_file in files if sql_file.name not in applied]
            for sql_file in pending:
                log(f"Applying {sql_file.name}")
                for statement in sql_file.statements():
                    cursor.execute(statement)
                cursor.execute(
                    "INSERT INTO `schema_migrations` (`name`, `sha256`) VALUES (%s, %s)",
                    [sql_file.name, sql_file.sha256],
                )
            return [sql_file.name for sql_file in pending]
        finally:
            cursor.execute("SELECT RELEASE_LOCK(%s)", [LOCK_NAME])


def _build_from_models(connection, log):
    existing = set(connection.introspection.table_names())
    missing = [model for model in schema_models() if model._meta.db_table not in existing]
    with connection.schema_editor() as editor:
        for model in missing:
            log(f"Creating {model._meta.db_table} from its model")
            editor.create_model(model)
    # What the MySQL files do with triggers (the conversation summaries), in SQLite's dialect.
    with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
        for sql_file in sql_files(SQLITE_DIR):
            for statement in sql_file.statements():
                cursor.execute(statement)
    return [model._meta.db_table for model in missing]
