from django.contrib.auth.backends import ModelBackend

from casework.models import StaffProfile, User


class EmailBackend(ModelBackend):
    """Session sign-in over the `user` table by e-mail and password.

    A staff member whose profile is disabled cannot sign in at all, rather than
    landing somewhere as if they were an applicant.
    """

    def user_can_authenticate(self, user):
        if not user.is_active:
            return False
        try:
            return user.staff_profile.status != StaffProfile.Status.DISABLED
        except StaffProfile.DoesNotExist:
            return True

    def get_user(self, user_id):
        # One query per request for the user and their role.
        user = User.objects.select_related("staff_profile").filter(pk=user_id).first()
        # Deactivated after sign-in: the session stops working at once.
        if user is None or not self.user_can_authenticate(user):
            return None
        return user
