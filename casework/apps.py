from django.apps import AppConfig
from django.contrib.auth.signals import user_logged_in
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
        from casework.receivers import session_started

        user_logged_in.connect(session_started, dispatch_uid="casework.session_started")
