def audience(request):
    """Who is looking: drives the navigation of the shared base layout."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"is_staff_member": False}
    return {"is_staff_member": user.active_staff_profile is not None}
