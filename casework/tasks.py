"""casework's background tasks (Django Tasks API; see intake/tasks.py for
intake's, and docs/background-work.md). `manage.py worker` runs them."""

from django_tasks import task


@task()
def password_reset_email_send(user_id: int, asked_at: str, attempt: int = 1) -> str:
    """Make the reset link of this account and e-mail it (casework/password_reset.py).
    The arguments are stored by the task backend: never a token or a link."""
    from casework.password_reset import reset_email_send

    return reset_email_send(user_id=user_id, asked_at=asked_at, attempt=attempt)
