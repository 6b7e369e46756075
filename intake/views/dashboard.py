from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from casework.access import case_for_staff, require_staff


@login_required
def case_list(request):
    require_staff(request.user)
    return render(request, "dashboard/case_list_pending.html")


@login_required
def case_detail(request, case_id):
    case_for_staff(request.user, case_id)
    return render(request, "dashboard/case_list_pending.html")
