"""Writes for secure messaging, one module per feature (as Zulip splits its
`zerver/actions/`): `sending`, `read_state`, `adoption`, `withdrawal`,
`handling` (no reply needed, mark unread, urgency), `assignment` (assign,
claim, open a case), and the audit trail they share in `events`.

Each public function is one transaction and takes the objects the caller has
already fetched through the one access path (`casework.access`,
`intake.selectors`): a service never looks a row up by a request's id and
never re-checks who may open it. What a service does check are the business
rules: routing, replies staying in their thread, what may be adopted or
withdrawn.
"""
