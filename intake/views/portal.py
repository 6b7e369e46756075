from django.contrib.auth.decorators import login_required
from django.shortcuts import render


@login_required
def inbox(request):
    return render(request, "portal/inbox_pending.html")


@login_required
def compose(request):
    return render(request, "portal/inbox_pending.html")


@login_required
def message_detail(request, message_id):
    return render(request, "portal/inbox_pending.html")
