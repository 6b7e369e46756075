from django.apps import AppConfig
from django.db.models.signals import post_migrate


def apply_shared_schema(sender, using, verbosity, **kwargs):
    """`migrate` brings Django's own tables and the shared schema up together."""
    from casework.schema import apply_schema

    log = print if verbosity >= 1 else (lambda line: None)
    apply_schema(using=using, log=log)


class CaseworkConfig(AppConfig):
    name = "casework"
    verbose_name = "Casework"

    def ready(self):
        post_migrate.connect(apply_shared_schema, sender=self, dispatch_uid="casework.apply_shared_schema")
