"""schemathesis against the OpenAPI schema, in-process through Django's WSGI application."""

import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode

from cases.demo import load_demo
from cases.selectors import case_list_for_user

from .helpers import SWEEP_MARKS

# A sweep: no coverage (helpers.SWEEP_MARKS).
pytestmark = SWEEP_MARKS
# Examples per operation and mode: about 40 s for the whole API on these machines.
EXAMPLES = 3


def _test_transaction_wsgi(handler):
    """Django's WSGI application, minus closing the database connection around each request
    (as Django's own test client does): the test's transaction must survive the calls."""

    def app(environ, start_response):
        request_started.disconnect(close_old_connections)
        request_finished.disconnect(close_old_connections)
        try:
            response = handler(environ, start_response)
            try:
                return [b"".join(response)]
            finally:
                response.close()
        finally:
            request_started.connect(close_old_connections)
            request_finished.connect(close_old_connections)

    return app


def _service_token(user) -> str:
    """A write token for every API endpoint, on an approved service-account role of the user
    (tokens are for service accounts only: accounts/authentication.py)."""
    from accounts import services as security
    from cases.models import Role, UserRole
    from tests.factories import UserFactory

    admin = UserFactory(
        username="fuzz-admin", organisation=user.organisation, roles=[Role.SYSTEM_ADMINISTRATOR]
    )
    approver = UserFactory(username="fuzz-approver", organisation=user.organisation, roles=[Role.COORDINATOR])
    grant = UserRole.objects.create(user=user, role=Role.SERVICE_ACCOUNT)
    security.role_grant_request(grant=grant, actor=admin)
    security.role_grant_approve(grant=grant, actor=approver)
    _, key = security.api_token_issue(
        user=user,
        actor=admin,
        name="fuzz",
        days=1,
        scope="write",
        write_endpoints=sorted(security.api_endpoint_names()),
    )
    return key


def test_no_api_operation_answers_5xx(settings):
    settings.OTP_REQUIRED = False
    state = load_demo(password="api-fuzz-demo-password-2026")
    caseworker = state["users"]["caseworker"]
    # Token authentication: session authentication would refuse every POST for want of a CSRF
    # token before its body is read.
    token = {"Authorization": f"Token {_service_token(caseworker)}"}
    app = _test_transaction_wsgi(get_wsgi_application())
    schema = schemathesis.openapi.from_wsgi("/api/schema/", app, headers=token)
    reference = case_list_for_user(user=caseworker).first().reference

    problems, calls = [], [0]
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 5
    for operation in operations:
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):

            @hsettings(
                max_examples=EXAMPLES,
                deadline=None,
                database=None,
                derandomize=True,
                suppress_health_check=list(HealthCheck),
            )
            @given(case=operation.as_strategy(generation_mode=mode))
            def run(case):
                for real in (False, True):
                    if real and case.path_parameters and "reference" in case.path_parameters:
                        case.path_parameters["reference"] = reference
                    elif real:
                        continue
                    response = case.call(headers=token)
                    calls[0] += 1
                    if response.status_code >= 500:
                        problems.append(
                            f"{case.method} {case.formatted_path} ({mode.name}) -> {response.status_code}"  # noqa: B023 (run() is called in this iteration)
                        )

            try:
                run()
            except Unsatisfiable:
                # Nothing in this operation can be made invalid (no parameters, no body).
                assert mode is GenerationMode.NEGATIVE, (
                    f"{operation.label}: no valid request can be generated"
                )
    assert problems == [], "\n".join(sorted(set(problems)))
    assert calls[0] > len(operations)
