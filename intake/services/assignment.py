"""Assignment: who works on a case (issue 12).

Supervisors and admins assign and reassign a case to an active caseworker
(case_assign), and open a case for an application whose applicant wrote
before there was one (case_open_for_application); a caseworker may claim an
unassigned case when STAFF_CAN_CLAIM_CASES allows it (case_claim). Each change
is an audit event naming the staff profiles it moved the case from and to.

Routing follows at once, with nothing to migrate: who may open a case
(casework.access) and who receives an applicant's message
(sending.message_send_from_applicant) are both read from
iset_case.assigned_staff_profile_id when they are needed, and the database's
triggers copy it into the conversation summary in the same transaction.
"""

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from casework.access import CASE_RELATED
from casework.models import Application, Case, StaffProfile, User
from common.errors import Conflict, InvalidInput, NotFound, PermissionRefused, StorageUnavailable
from common.ids import id_or_404
from common.storage import STORAGE_ERRORS, storage_key_new
from intake import outbox
from intake.models import FileOutbox, Message, MessageAttachment, MessageEvent
from intake.notifications import case_assigned_notice_queue
from intake.queue import claiming_allowed
from intake.services.adoption import attachments_adopt
from intake.services.events import event_record


def case_assign(*, actor: User, case: Case, caseworker: StaffProfile | None) -> bool:
    """Assign `case` (fetched through the staff access rule) to `caseworker`,
    or reassign it. Returns whether the assignee changed: assigning a case to
    whoever has it already changes nothing and records nothing. The new
    assignee gets an e-mail once the change is committed."""
    _supervisor_check(actor)
    profile = _assignable(caseworker)
    with transaction.atomic():
        # Locked, so that of two reassignments at once each records the assignee it replaced.
        previous = (
            Case.objects.select_for_update().values_list("assigned_staff_profile_id", flat=True).get(pk=case.pk)
        )
        changed = previous != profile.pk
        if changed:
            Case.objects.filter(pk=case.pk).update(assigned_staff_profile=profile)
            _assignment_record(actor=actor, case_id=case.pk, previous=previous, profile=profile)
            # The e-mail to the new assignee, queued with the change (intake.notifications).
            case_assigned_notice_queue(case_id=case.pk, profile=profile)
    case.assigned_staff_profile = profile
    return changed


def case_claim(*, actor: User, case_id: object) -> Case:
    """A caseworker takes an unassigned case. A caseworker cannot open an
    unassigned case (invariant 5), so the case is looked up here, among the
    unassigned ones only: any other id is NotFound, as is every id when
    claiming is switched off. One conditional UPDATE decides between claims
    made at the same moment; the one that finds the case taken gets Conflict.
    Claiming a case that is already one's own changes nothing."""
    profile = actor.active_staff_profile
    if not claiming_allowed() or profile is None:
        raise NotFound()
    if profile.primary_role != StaffProfile.Role.CASEWORKER:
        raise PermissionRefused(
            _("Only caseworkers claim cases. Assign the case to a caseworker instead."), code="not_caseworker"
        )
    pk = id_or_404(case_id)
    cases = Case.objects.select_related(*CASE_RELATED)
    with transaction.atomic():
        case = cases.filter(pk=pk, assigned_staff_profile__isnull=True).first()
        if case is None:
            # A second click on "Claim" finds the case already theirs.
            mine = cases.filter(pk=pk, assigned_staff_profile=profile).first()
            if mine is None:
                raise NotFound()
            return mine
        won = Case.objects.filter(pk=pk, assigned_staff_profile__isnull=True).update(assigned_staff_profile=profile)
        if not won:
            raise Conflict(
                _("Another caseworker claimed this case a moment ago. Choose another case."), code="already_claimed"
            )
        _assignment_record(actor=actor, case_id=pk, previous=None, profile=profile)
    case.assigned_staff_profile = profile
    return case


def case_open_for_application(
    *, actor: User, application: Application, caseworker: StaffProfile | None = None
) -> Case:
    """Open a case for an application whose applicant wrote before it had one
    (fetched through the supervisors' access), assigned to `caseworker` or to
    nobody yet. Its conversation becomes the case's thread: the messages bound
    only to the application, and their attachments, are bound to the case too
    (the thread and its booking reference were already the same: see
    selectors.in_case_thread), and the applicant's attachments go into the
    new case file. A second case for the same application is refused with
    Conflict, also when two are opened at the same moment (the unique key on
    iset_case.application_id decides)."""
    _supervisor_check(actor)
    profile = _assignable(caseworker) if caseworker is not None else None
    # The applicant's files are copied into the new case file in the
    # transaction: the copies' keys go into the file outbox first, so a
    # process killed before the commit leaves no copy the outbox does not know.
    copy_keys = [
        storage_key_new(f"documents/application-{application.pk}")
        for _attachment in MessageAttachment.objects.filter(
            message__application=application,
            message__case__isnull=True,
            message__direction=Message.Direction.APPLICANT_TO_STAFF,
            message__deleted=False,
        ).values_list("pk", flat=True)
    ]
    outbox.uploads_expect(copy_keys)
    unused = list(copy_keys)
    new_files: list[str] = []
    committing = False
    try:
        with transaction.atomic():
            if Case.objects.filter(application=application).exists():
                raise _case_exists()
            try:
                with transaction.atomic():
                    case = Case.objects.create(application=application, assigned_staff_profile=profile)
            except IntegrityError:
                raise _case_exists() from None
            joined = Message.objects.filter(application=application, case__isnull=True).update(case=case)
            MessageAttachment.objects.filter(message__case=case, case__isnull=True).update(case=case)
            event_record(
                event_type=MessageEvent.Type.CASE_OPENED,
                case_id=case.pk,
                actor=actor,
                detail={
                    "application_id": application.pk,
                    "to_staff_profile_id": profile.pk if profile else None,
                    "messages_joined": joined,
                },
            )
            with_files = (
                Message.objects.filter(
                    case=case,
                    direction=Message.Direction.APPLICANT_TO_STAFF,
                    deleted=False,
                    attachments__isnull=False,
                )
                .distinct()
                .order_by("created_at", "id")
            )
            for message in with_files:
                attachments_adopt(staff_user=actor, case=case, message=message, new_files=new_files, copy_keys=unused)
            if profile is not None:
                case_assigned_notice_queue(case_id=case.pk, profile=profile)
            outbox.uploads_confirm(copy_keys)
            committing = True
    except BaseException as error:
        if committing:
            # Failed at the commit, which may have happened all the same:
            # nothing is deleted now; the drain deletes only files no document names.
            outbox.uploads_leave_to_drain(new_files, recorded=copy_keys)
            raise
        # Nothing half-done: the rows rolled back, so the case file's copies go too.
        outbox.files_discard(new_files + copy_keys, reason=FileOutbox.Reason.ROLLED_BACK)
        if isinstance(error, STORAGE_ERRORS):
            # The case file's copies could not be stored: no case was opened.
            raise StorageUnavailable(
                _("The case was not opened: the files for its case file could not be stored just now. Try again in a few minutes."),
                field="caseworker",
            ) from error
        raise
    return case


def _supervisor_check(actor: User) -> None:
    profile = actor.active_staff_profile
    if profile is None or not profile.sees_every_case:
        raise PermissionRefused(
            _("Only a supervisor or an administrator can assign cases."), code="not_supervisor"
        )


def _assignable(caseworker: StaffProfile | None) -> StaffProfile:
    """The caseworker, read again: still an active caseworker who can sign in."""
    profile = None
    if caseworker is not None:
        profile = (
            StaffProfile.objects.select_related("user")
            .filter(
                pk=caseworker.pk,
                primary_role=StaffProfile.Role.CASEWORKER,
                status=StaffProfile.Status.ACTIVE,
                user__is_active=True,
            )
            .first()
        )
    if profile is None:
        raise InvalidInput(
            _("Choose an active caseworker to assign the case to."), code="caseworker_invalid", field="caseworker"
        )
    return profile


def _assignment_record(*, actor: User, case_id: int, previous: int | None, profile: StaffProfile) -> None:
    event_record(
        event_type=MessageEvent.Type.CASE_ASSIGNED,
        case_id=case_id,
        actor=actor,
        detail={"from_staff_profile_id": previous, "to_staff_profile_id": profile.pk},
    )


def _case_exists() -> Conflict:
    return Conflict(
        _("A case is already open for this application. Its messages are on the case page."), code="case_exists"
    )
