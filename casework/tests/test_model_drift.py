"""Models and DDL can't drift: every unmanaged model is compared with what
MariaDB's information_schema says about its table."""

import re

import pytest
from django.apps import apps
from django.db import connection

from casework.schema import schema_models

pytestmark = [pytest.mark.mysql, pytest.mark.django_db]


def normalised(column_type):
    """`int(11)` and `integer` are both `int`; `bigint(20) unsigned` is `bigint unsigned`."""
    text = column_type.lower().replace("auto_increment", "").strip()
    text = re.sub(r"^integer\b", "int", text)
    text = re.sub(r"^bool$", "tinyint(1)", text)
    text = re.sub(r"^(tinyint)\((?!1\))\d+\)", r"\1", text)
    text = re.sub(r"^(smallint|int|bigint)\(\d+\)", r"\1", text)
    return re.sub(r"\s+", " ", text).strip()


def database_columns(table):
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT column_name, column_type, is_nullable FROM information_schema.columns "
            "WHERE table_schema = DATABASE() AND table_name = %s",
            [table],
        )
        return {name: (normalised(column_type), nullable == "YES") for name, column_type, nullable in cursor.fetchall()}


def model_columns(model):
    columns = {}
    for field in model._meta.concrete_fields:
        db_type = field.db_type(connection)
        if field.is_relation:
            db_type = field.target_field.rel_db_type(connection)
        db_type = normalised(db_type)
        if db_type == "json":
            # MariaDB stores JSON as LONGTEXT with a json_valid() check.
            db_type = "longtext" if connection.mysql_is_mariadb else "json"
        columns[field.column] = (db_type, field.null)
    return columns


@pytest.mark.parametrize("model", schema_models(), ids=lambda model: model._meta.db_table)
def test_model_matches_its_table(model):
    in_database = database_columns(model._meta.db_table)
    in_model = model_columns(model)

    assert in_database, f"table {model._meta.db_table} does not exist"
    assert sorted(in_model) == sorted(in_database), "column names differ"
    for column, expected in in_model.items():
        assert in_database[column] == expected, (
            f"{model._meta.db_table}.{column}: model {expected}, DDL {in_database[column]}"
        )


def test_every_schema_table_has_a_model():
    with connection.cursor() as cursor:
        tables = set(connection.introspection.table_names(cursor))
    modelled = {model._meta.db_table for model in schema_models()}
    # Tables Django's own migrations manage: its apps' and the libraries' (axes, django-otp).
    managed = {model._meta.db_table for model in apps.get_models(include_auto_created=True) if model._meta.managed}
    django_own = managed | {t for t in tables if t.startswith(("django_", "auth_"))}

    assert tables - django_own - {"schema_migrations"} == modelled
