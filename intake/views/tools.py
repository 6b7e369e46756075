"""Caseworker tools (issue 13): saved replies (their pages, and choosing one
on the case page), internal notes on a case. Thin views: parse, call a
selector or service, render. Access goes through the case or the reply;
outsiders get the not-found page."""

from dataclasses import replace
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from casework.access import case_for_staff, require_staff
from casework.models import Case
from common.errors import DomainError
from intake.forms.tools import NoteEditForm, NoteForm, SavedReplyForm
from intake.models import Message, SavedReply
from intake.notes import (
    EDIT_WINDOW,
    case_note,
    case_notes,
    editable_until,
    is_editable,
    mention_candidates,
    note_versions,
    own_note,
    unseen_mention_of,
)
from intake.saved_replies import (
    fill_values_for,
    may_manage_team_replies,
    reply_filled,
    sample_fill_values,
    saved_replies_for,
    saved_reply_for,
    saved_reply_to_manage,
)
from intake.selectors import case_message
from intake.services.notes import mentions_mark_seen, note_add, note_edit
from intake.services.saved_replies import SavedReplyText, saved_reply_create, saved_reply_delete, saved_reply_update

# The case page ---------------------------------------------------------------------


def case_tools(request, case: Case, *, form, opened: Message | None) -> dict[str, Any]:
    """What the case page shows of the tools: the saved replies to choose from
    (and, with ?saved_reply=<id>, that reply filled into the unbound compose
    `form` in the applicant's language), the case's notes with the form to
    write one, and the mark of a mention leaves the viewer's queue."""
    profile = require_staff(request.user)
    values = fill_values_for(case, profile, timezone.localdate())
    chosen = None
    if request.GET.get("saved_reply") and not form.is_bound:
        chosen = saved_reply_for(request.user, request.GET["saved_reply"])
        subject, body = reply_filled(chosen, values)
        form.initial["body"] = body
        # Answering a message keeps its "Re:" subject.
        if subject and (opened is None or not form.initial.get("subject")):
            form.initial["subject"] = subject
    notes = case_notes(case)
    # Seen once shown (a HEAD request shows nothing).
    if request.method != "HEAD" and unseen_mention_of(notes, request.user):
        mentions_mark_seen(user=request.user, case=case)
    now = timezone.now()
    return {
        "saved_replies": saved_replies_for(request.user),
        "saved_reply_chosen": chosen,
        "saved_reply_language": values.language,
        "notes": notes,
        # The viewer's own notes, while they may still change them.
        "editable_note_ids": {note.pk for note in notes if note.author_user_id == request.user.pk and is_editable(note, now)},
        "note_form": _note_form(request, case, opened),
    }


def _note_form(request, case: Case, opened: Message | None, data=None) -> NoteForm:
    about = opened if opened is not None and not opened.deleted else None
    return NoteForm(data, candidates=list(mention_candidates(case, request.user)), about_message=about)


@login_required
@require_safe
def case_saved_reply(request, case_id, reply_id):
    """A saved reply filled in for the applicant of a case, as JSON, for the
    case page's script to put in the compose form without reloading."""
    case = case_for_staff(request.user, case_id)
    reply = saved_reply_for(request.user, reply_id)
    values = fill_values_for(case, require_staff(request.user), timezone.localdate())
    subject, body = reply_filled(reply, values)
    return JsonResponse({"id": reply.pk, "title": reply.title, "language": values.language, "subject": subject, "body": body})


# Notes -------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def note_new(request, case_id):
    """Write a note on a case (the case page's note form posts here). A refused
    note comes back on this page, with what was typed."""
    case = case_for_staff(request.user, case_id)
    opened = _about(case, request.POST.get("about_message") or request.GET.get("about_message"))
    form = _note_form(request, case, opened, request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        about = opened if opened is not None and form.cleaned_data.get("about") else None
        try:
            note_add(
                author=request.user,
                case=case,
                body=form.cleaned_data["body"],
                about_message=about,
                mentioned=form.cleaned_data["mentions"],
            )
        except DomainError as exc:
            form.service_error_add(exc)
        else:
            messages.success(request, _("Your note was added. Only staff can see it."))
            return redirect(_case_url(case, opened) + "#notes-heading")
    return render(request, "dashboard/note_form.html", {"case": case, "form": form, "opened": opened})


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def note_change(request, case_id, note_id):
    """A note and every text it has had, for anyone who may open the case;
    its author may change it here for EDIT_WINDOW after writing it."""
    case = case_for_staff(request.user, case_id)
    note = own_note(request.user, case, note_id) if request.method == "POST" else case_note(case, note_id)
    now = timezone.now()
    may_edit = note.author_user_id == request.user.pk and is_editable(note, now)
    form = NoteEditForm(request.POST if request.method == "POST" else None, initial={"body": note.body})
    refusal = None
    if request.method == "POST" and form.is_valid():
        try:
            changed = note_edit(author=request.user, note=note, body=form.cleaned_data["body"], now=now)
        except DomainError as exc:
            refusal = exc.message
        else:
            messages.success(request, _("Your note was changed.") if changed else _("Your note was not changed."))
            return redirect(reverse("dashboard:case_detail", args=[case.pk]) + f"#note-{note.pk}")
    context = {
        "case": case,
        "note": note,
        "form": form,
        "may_edit": may_edit,
        "is_author": note.author_user_id == request.user.pk,
        "editable_until": editable_until(note),
        "edit_minutes": int(EDIT_WINDOW.total_seconds() // 60),
        "versions": note_versions(note),
        "refusal": refusal,
    }
    return render(request, "dashboard/note_edit.html", context, status=409 if refusal else 200)


def _about(case: Case, message_id: object) -> Message | None:
    """The message of the case's thread a note may be about (NotFound for any other)."""
    return case_message(case, message_id) if message_id else None


def _case_url(case: Case, opened: Message | None) -> str:
    if opened is not None:
        return reverse("dashboard:message_detail", args=[case.pk, opened.pk])
    return reverse("dashboard:case_detail", args=[case.pk])


# Saved replies ----------------------------------------------------------------------


@login_required
@require_safe
def saved_reply_list(request):
    require_staff(request.user)
    replies = list(saved_replies_for(request.user))
    groups = [
        (
            [reply for reply in replies if reply.is_team],
            _("Team replies"),
            "team-replies",
            _("The team has no saved replies yet. Supervisors and administrators write them."),
            may_manage_team_replies(request.user),
        ),
        (
            [reply for reply in replies if not reply.is_team],
            _("My replies"),
            "my-replies",
            _("You have no saved replies of your own yet. Only you can use them."),
            True,
        ),
    ]
    return render(request, "dashboard/saved_replies.html", {"reply_groups": groups})


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def saved_reply_new(request):
    require_staff(request.user)
    return _saved_reply_form_page(request, None)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def saved_reply_change(request, reply_id):
    return _saved_reply_form_page(request, saved_reply_to_manage(request.user, reply_id))


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def saved_reply_remove(request, reply_id):
    reply = saved_reply_to_manage(request.user, reply_id)
    if request.method == "POST":
        saved_reply_delete(actor=request.user, reply=reply)
        messages.success(request, _("The saved reply “%(title)s” was deleted.") % {"title": reply.title})
        return redirect("dashboard:saved_replies")
    return render(request, "dashboard/saved_reply_delete.html", {"reply": reply})


def _saved_reply_form_page(request, reply: SavedReply | None):
    """Create (reply None) or edit a saved reply. "Preview" shows both
    languages filled in from a sample case without saving."""
    may_share = may_manage_team_replies(request.user)
    initial = {}
    if reply is not None:
        initial = {
            "title": reply.title,
            "subject_en": reply.subject_en,
            "body_en": reply.body_en,
            "subject_fr": reply.subject_fr,
            "body_fr": reply.body_fr,
            "shared": SavedReplyForm.TEAM if reply.is_team else SavedReplyForm.PERSONAL,
        }
    data = request.POST if request.method == "POST" else None
    # Whom an existing reply belongs to does not change.
    form = SavedReplyForm(data, initial=initial, may_share=may_share and reply is None)
    preview = None
    if data is not None and form.is_valid():
        text = SavedReplyText(**{name: form.cleaned_data[name] for name in ("title", "subject_en", "body_en", "subject_fr", "body_fr")})
        if "preview" in request.POST:
            preview = _preview(request, text)
        else:
            try:
                if reply is None:
                    saved = saved_reply_create(actor=request.user, text=text, team=form.team)
                    messages.success(request, _("The saved reply “%(title)s” was created.") % {"title": saved.title})
                else:
                    saved_reply_update(actor=request.user, reply=reply, text=text)
                    messages.success(request, _("The saved reply “%(title)s” was saved.") % {"title": text.title})
            except DomainError as exc:
                form.service_error_add(exc)
            else:
                return redirect("dashboard:saved_replies")
    context = {"form": form, "reply": reply, "preview": preview, "team": reply.is_team if reply else None}
    return render(request, "dashboard/saved_reply_form.html", context)


def _preview(request, text: SavedReplyText) -> dict[str, Any]:
    """Both languages of `text` filled in from a sample case."""
    english, case = sample_fill_values(request.user, timezone.localdate(), "en")
    french = replace(english, language="fr")
    preview_reply = SavedReply(subject_en=text.subject_en, body_en=text.body_en, subject_fr=text.subject_fr, body_fr=text.body_fr)
    subject_en, body_en = reply_filled(preview_reply, english)
    subject_fr, body_fr = reply_filled(preview_reply, french)
    return {
        "case": case,
        "values": english,
        "sides": [
            {"language": "en", "label": _("English"), "subject": subject_en, "body": body_en},
            {"language": "fr", "label": _("French"), "subject": subject_fr, "body": body_fr},
        ],
    }

