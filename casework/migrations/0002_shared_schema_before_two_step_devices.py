"""The shared schema before django-otp's tables, on MySQL/MariaDB.

The two-step devices (django_otp's otp_totp and otp_static) have a foreign key
to the shared `user` table. MySQL refuses to create a foreign key to a table
that does not exist yet, and the shared schema is otherwise applied after
every migration (casework.apps, post_migrate). So on a new MySQL database the
pending SQL files are applied here first; post_migrate then finds nothing left
to do. SQLite accepts the forward reference: its tables are built as before.
"""

from django.db import migrations


def apply_shared_schema_on_mysql(apps, schema_editor):
    from casework.schema import apply_schema

    if schema_editor.connection.vendor == "mysql":
        apply_schema(using=schema_editor.connection.alias)


class Migration(migrations.Migration):
    # MySQL commits DDL as it goes; a transaction around it would promise what it cannot keep.
    atomic = False

    dependencies = [("casework", "0001_initial")]
    run_before = [("otp_totp", "0001_initial"), ("otp_static", "0001_initial")]

    operations = [migrations.RunPython(apply_shared_schema_on_mysql, migrations.RunPython.noop)]
