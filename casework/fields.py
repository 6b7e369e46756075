from django.db import models


class UnsignedBigAutoField(models.BigAutoField):
    """`BIGINT UNSIGNED AUTO_INCREMENT` on MySQL/MariaDB, as staff_profiles.id is.

    Foreign keys to it take the same unsigned type, so the columns match the DDL.
    """

    def db_type(self, connection):
        if connection.vendor == "mysql":
            return "bigint UNSIGNED AUTO_INCREMENT"
        return super().db_type(connection)

    def rel_db_type(self, connection):
        if connection.vendor == "mysql":
            return "bigint UNSIGNED"
        return super().rel_db_type(connection)
