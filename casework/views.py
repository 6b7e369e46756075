from django.conf import settings
from django.contrib import messages
from django.contrib.auth import update_session_auth_hash, user_login_failed
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.urls import reverse, reverse_lazy
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import check_for_language, ngettext
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST
from django.views.i18n import set_language
from django_otp import login as otp_login

from casework import password_reset, selectors, sessions, sign_in_protection, two_step
from casework.access import staff_profile_of
from casework.forms import AuthenticatorCodeForm, CodeForm, EmailAuthenticationForm, PasswordResetRequestForm
from casework.middleware import reads_session_state_only, two_step_exempt
from casework.services import recovery_code_used_record, sign_in_lockout_clear, user_sessions_end


def landing_url_for(user):
    """Staff land on their work queue; applicants on their secure messages."""
    if staff_profile_of(user) is not None:
        return reverse("dashboard:queue")
    return reverse("portal:inbox")


class LoginView(auth_views.LoginView):
    template_name = "registration/login.html"
    authentication_form = EmailAuthenticationForm
    redirect_authenticated_user = True

    def get_default_redirect_url(self):
        return landing_url_for(self.request.user)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        # Said once, on the first sign-in page after the session ended.
        context["ended_for_inactivity"] = self.request.session.pop(sessions.ENDED_FOR_INACTIVITY_KEY, False)
        # Kept until the sign-in, when it becomes a draft (intake.kept_text).
        context["text_kept"] = sessions.KEPT_TEXT_KEY in self.request.session
        return context

    def form_valid(self, form):
        response = super().form_valid(form)
        if two_step.required(self.request):
            return HttpResponseRedirect(two_step.step_url(response["Location"]))
        return response


def _next_url(request, user):
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return landing_url_for(user)


@two_step_exempt
@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def two_step_verify(request):
    """The code step of a sign-in: a code from the authenticator app, or a recovery code."""
    user = request.user
    next_url = _next_url(request, user)
    if not two_step.required(request) or two_step.verified(request):
        return HttpResponseRedirect(next_url)
    if not two_step.has_authenticator(user):
        return HttpResponseRedirect(f"{reverse('two_step_setup')}?{request.GET.urlencode()}")
    if sign_in_protection.is_locked_out(request, user.email):
        return sign_in_protection.lockout_response(request, None, {"username": user.email})
    form = CodeForm(request.POST or None)
    refusal = None
    if request.method == "POST" and form.is_valid():
        check = two_step.code_check(user=user, code=form.cleaned_data["code"])
        if check.device is not None:
            _two_step_complete(request, check.device)
            if check.used_recovery_code:
                _recovery_code_used(request, user)
            return HttpResponseRedirect(next_url)
        if check.throttled:
            refusal = _("Several wrong codes were given in a row. Wait a few seconds, then enter the current code.")
        else:
            refusal = _("That code is not right, or it has expired. Enter the code your app shows now.")
        # Counted with the password failures: guessing codes pauses signing in too.
        user_login_failed.send(sender=__name__, credentials={"username": user.email}, request=request)
    return render(request, "registration/two_step_verify.html", {"form": form, "next": next_url, "refusal": refusal})


def _two_step_complete(request, device):
    otp_login(request, device)
    # A new session key for the fuller rights, as at sign-in.
    request.session.cycle_key()
    sign_in_protection.record_code_step(request, request.user)
    sign_in_protection.failures_reset(request.user.email)


def _recovery_code_used(request, user):
    left = two_step.recovery_codes_left(user)
    recovery_code_used_record(user=user, codes_left=left)
    messages.warning(
        request,
        ngettext(
            "You signed in with a recovery code. %(count)s recovery code is left: get new ones from your account page.",
            "You signed in with a recovery code. %(count)s recovery codes are left: get new ones from your account page.",
            left,
        )
        % {"count": left},
    )


@two_step_exempt
@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def two_step_setup(request):
    """Set up an authenticator app: its key as a QR code and as text, then a
    code from the app to confirm it; then the recovery codes, shown once.

    Before a first authenticator, the password is enough to get here (a staff
    member's first sign-in); replacing one takes a verified session."""
    user = request.user
    next_url = _next_url(request, user)
    if two_step.has_authenticator(user) and not two_step.verified(request):
        return HttpResponseRedirect(two_step.step_url(next_url))
    device = two_step.authenticator_pending(user=user)
    form = AuthenticatorCodeForm(request.POST or None)
    refusal = None
    if request.method == "POST" and form.is_valid():
        codes = two_step.authenticator_confirm(device=device, code=form.cleaned_data["code"])
        if codes is not None:
            # Sessions signed in elsewhere (without this authenticator) end; this one goes on.
            user_sessions_end(user=user)
            update_session_auth_hash(request, user)
            if user.active_staff_profile is None:
                request.session[two_step.OPTED_IN_SESSION_KEY] = True
            _two_step_complete(request, device)
            return render(request, "registration/recovery_codes.html", {"codes": codes, "next": next_url, "first": True})
        refusal = _("That code does not match. Check that the app shows the account you just added, then enter its current code.")
    context = {
        "form": form,
        "next": next_url,
        "refusal": refusal,
        "key": two_step.key_for_people(device),
        "qr_code": two_step.qr_code_svg(device),
        "staff": user.active_staff_profile is not None,
    }
    return render(request, "registration/two_step_setup.html", context)


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def account(request):
    """The signed-in person's account: two-step verification (optional for
    applicants, required for staff) and their recovery codes."""
    user = request.user
    is_staff = user.active_staff_profile is not None
    enrolled = two_step.has_authenticator(user)
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "recovery_codes" and enrolled:
            codes = two_step.recovery_codes_new(user=user)
            return render(request, "registration/recovery_codes.html", {"codes": codes, "next": reverse("account")})
        if action == "turn_off" and enrolled and not is_staff:
            two_step.two_step_turn_off(user=user)
            request.session.pop(two_step.OPTED_IN_SESSION_KEY, None)
            messages.success(request, _("Two-step verification is off. You sign in with your password alone."))
            return HttpResponseRedirect(reverse("account"))
        raise Http404
    context = {
        "enrolled": enrolled,
        "is_staff": is_staff,
        "recovery_codes_left": two_step.recovery_codes_left(user) if enrolled else 0,
    }
    return render(request, "registration/account.html", context)


@two_step_exempt
@reads_session_state_only
@require_http_methods(["GET"])
def session_status(request):
    """How long the session has left, for the time-out warning (not activity)."""
    if not request.user.is_authenticated:
        return JsonResponse({"error": "unauthenticated", "message": _("Sign in first.")}, status=401)
    return JsonResponse({"seconds_left": sessions.idle_seconds_left(request.session)})


@two_step_exempt
@require_POST
def session_keep_alive(request):
    """"Stay signed in": the session's idle time starts again."""
    if not request.user.is_authenticated:
        return JsonResponse({"error": "unauthenticated", "message": _("Sign in first.")}, status=401)
    sessions.activity_mark(request.session)
    return JsonResponse({"seconds_left": settings.SESSION_IDLE_TIMEOUT})


class PasswordResetView(auth_views.PasswordResetView):
    template_name = "registration/password_reset_form.html"
    form_class = PasswordResetRequestForm
    success_url = reverse_lazy("password_reset_done")

    def form_valid(self, form):
        address = sign_in_protection.client_ip(self.request)
        if not password_reset.request_allowed(email=form.cleaned_data["email"], address=address):
            refusal = _("Several reset links were asked for in a short time. Wait an hour, then ask again.")
            return self.render_to_response(self.get_context_data(form=form, refusal=refusal), status=429)
        return super().form_valid(form)


class PasswordResetDoneView(auth_views.PasswordResetDoneView):
    template_name = "registration/password_reset_done.html"

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "valid_minutes": settings.PASSWORD_RESET_TIMEOUT // 60}


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    template_name = "registration/password_reset_confirm.html"
    success_url = reverse_lazy("password_reset_complete")

    def form_valid(self, form):
        # The new password ends every session (it is part of each session's
        # hash); the account may sign in again at once.
        response = super().form_valid(form)
        sign_in_protection.failures_reset(form.user.email)
        return response


class PasswordResetCompleteView(auth_views.PasswordResetCompleteView):
    template_name = "registration/password_reset_complete.html"


def _require_supervisor(user):
    profile = staff_profile_of(user)
    if profile is None or not profile.sees_every_case:
        raise Http404


@never_cache
@login_required
@require_http_methods(["GET"])
def sign_ins(request):
    """Supervisors and admins: the latest sign-ins and failures, and the current lockouts."""
    _require_supervisor(request.user)
    context = {
        "records": selectors.sign_in_records(),
        "lockouts": selectors.current_lockouts(),
        "shown": selectors.SIGN_IN_RECORDS_SHOWN,
        "cool_off_minutes": settings.SIGN_IN_COOL_OFF_MINUTES,
        "failure_limit": settings.SIGN_IN_FAILURE_LIMIT,
        "address_failure_limit": settings.SIGN_IN_ADDRESS_FAILURE_LIMIT,
    }
    return render(request, "dashboard/sign_ins.html", context)


@login_required
@require_POST
def sign_in_lockout_clear_view(request):
    _require_supervisor(request.user)
    kind, value = request.POST.get("kind"), request.POST.get("value", "").strip()
    if kind not in ("email", "address") or not value:
        raise Http404
    sign_in_lockout_clear(actor=request.user, kind=kind, value=value)
    messages.success(request, _("%(value)s may sign in again.") % {"value": value})
    return HttpResponseRedirect(reverse("sign_ins"))


def home(request):
    if request.user.is_authenticated:
        return HttpResponseRedirect(landing_url_for(request.user))
    return HttpResponseRedirect(reverse("login"))


@two_step_exempt
@require_POST
def switch_language(request):
    """Django's set_language, plus: a signed-in user's choice is remembered on
    their account, so it follows them to other devices and to their e-mails."""
    response = set_language(request)
    language = request.POST.get("language")
    if request.user.is_authenticated and language and check_for_language(language):
        if request.user.preferred_language != language:
            request.user.preferred_language = language
            request.user.save(update_fields=["preferred_language"])
    return response
