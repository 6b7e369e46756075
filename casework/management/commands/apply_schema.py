from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from casework.schema import MIGRATIONS_DIR, SchemaError, apply_schema


class Command(BaseCommand):
    help = (
        "Apply pending sql/migrations/*.sql files in name order (MySQL/MariaDB), or build the "
        "tables from the models (SQLite). `migrate` runs this too."
    )

    def add_arguments(self, parser):
        parser.add_argument("--database", default="default")
        parser.add_argument("--sql-dir", default=str(MIGRATIONS_DIR), help="Folder of the .sql files.")

    def handle(self, *args, database, sql_dir, **options):
        try:
            applied = apply_schema(using=database, directory=Path(sql_dir), log=self.stdout.write)
        except SchemaError as exc:
            raise CommandError(str(exc)) from None
        if applied:
            self.stdout.write(self.style.SUCCESS(f"Schema: applied {len(applied)}."))
        else:
            self.stdout.write("Schema: up to date, nothing applied.")
