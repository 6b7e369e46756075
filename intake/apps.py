from django.apps import AppConfig


class IntakeConfig(AppConfig):
    name = "intake"
    verbose_name = "Secure messaging"

    def ready(self):
        from django.contrib.auth.signals import user_logged_in

        from intake.kept_text import kept_text_to_draft

        # What a person typed as their session ended becomes their draft when they sign in again.
        user_logged_in.connect(kept_text_to_draft, dispatch_uid="intake.kept_text_to_draft")
