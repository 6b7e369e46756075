import pytest
from django.test import Client

from casework.models import StaffProfile
from casework.tests.factories import ApplicationFactory, CaseFactory, staff_user


class Cast:
    """Who is in the room (STYLE.md, point 3): the case's applicant and
    caseworker, a second applicant, a caseworker of another case, a supervisor."""

    def __init__(self):
        self.case = CaseFactory()
        self.applicant = self.case.application.submission.user
        self.caseworker = self.case.assigned_staff_profile.user
        self.other_applicant = ApplicationFactory().submission.user
        self.other_caseworker = CaseFactory().assigned_staff_profile.user
        self.supervisor = staff_user(StaffProfile.Role.SUPERVISOR)

    def client_for(self, user):
        client = Client()
        if user is not None:
            client.force_login(user)
        return client


@pytest.fixture
def cast(db):
    return Cast()


@pytest.fixture
def case(db):
    return CaseFactory()


@pytest.fixture
def applicant(case):
    return case.application.submission.user


@pytest.fixture
def applicant_client(client, applicant):
    client.force_login(applicant)
    return client
