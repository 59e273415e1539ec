"""Every `/v1` route of the gateway's table against every kind of caller, through the gateway
to the real services.

Callers: anonymous, student A, student B, client X (of org X), client Y (of
org Y), staff, auditor. The cells come from the same table the gateway serves
(`ac_gateway.routes.ROUTES`): a caller without a token gets 401, a role the row
does not name 403, and the roles it names what the row's `Cell` here says (with
the object-level exceptions: another person's data, another organisation's). A
route added to the table without its cell fails `test_the_matrix_covers_every_route`.
Each row sets up what it needs itself, so the rows pass alone and in any order.
"""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from ac_contracts.identity import Profile
from ac_events.catalogue import Role
from ac_gateway.routes import ROUTES
from ac_gateway.table import Route
from ac_platform.auth import Caller
from tests.support.infra import Infra, unique_prefix
from tests.support.platform import Platform, platform
from tests.support.policy import texts
from tests.support.smtp import CODE

PASSWORD = "correct horse battery staple"
ACTORS = ("anonymous", "student_a", "student_b", "client_x", "client_y", "staff", "auditor")
ROLE = {"student_a": Caller.STUDENT, "student_b": Caller.STUDENT, "client_x": Caller.CLIENT,
        "client_y": Caller.CLIENT, "staff": Caller.STAFF, "auditor": Caller.AUDITOR}  # fmt: skip
NOT_YET = {"resume_not_here_yet", "organisation_not_here_yet", "person_not_here_yet"}
counter = itertools.count()
CV = {"skills": ["Python", "SQL"], "desired_roles": ["Backend engineer"]}


@dataclass
class World:
    p: Platform
    headers: dict[str, dict[str, str]]
    subjects: dict[str, str]
    consent_of_a: str
    notice: str
    transfer: str
    vacancy_x: str
    disclosure_to_x: str
    application_to_x: str

    async def call(self, actor: str, method: str, path: str, body: Any = None) -> httpx.Response:
        return await self.p.gateway.request(method, path, json=body, headers=self.headers[actor])

    async def settled(self, actor: str, method: str, path: str, body: Any) -> httpx.Response:
        """The answer once the services have read what it needs from the log (a 409
        `*_not_here_yet` means: not yet)."""
        for _ in range(300):
            r = await self.call(actor, method, path, body)
            if r.status_code != 409 or r.json()["detail"]["reason"] not in NOT_YET:
                return r
            await asyncio.sleep(0.1)
        return r

    async def cv(self, actor: str, present: bool) -> None:
        """Makes the student's CV exist, or not."""
        if present:
            r = await self.call(actor, "POST", "/v1/me/resume", CV)
            assert r.status_code in (201, 409), r.text
        else:
            r = await self.call(actor, "DELETE", "/v1/me/resume")
            assert r.status_code in (204, 404), r.text


Setup = Callable[[World], Awaitable[None]]


async def nothing(_: World) -> None:
    return None


@dataclass(frozen=True)
class Cell:
    path: Callable[[World], str]
    ok: int
    """What a caller the row allows gets."""
    body: Callable[[World], Any] = lambda w: None
    except_for: dict[str, int] = field(default_factory=dict)
    """Allowed callers that get something else (not theirs, already done, ...)."""
    setup: Setup = nothing
    settle: bool = False
    after: Setup = nothing
    """What the row undoes once every caller has called (sessions it ended)."""


def at(path: str) -> Callable[[World], str]:
    return lambda w: path


def person(username: str) -> dict[str, str]:
    return {"username": username, "password": PASSWORD, "name": username.title(),
            "email": f"{username}@example.jp"}  # fmt: skip


def n() -> int:
    return next(counter)


async def both_cvs(w: World) -> None:
    await w.cv("student_a", True)
    await w.cv("student_b", True)


async def a_cv_only(w: World) -> None:
    await w.cv("student_a", True)
    await w.cv("student_b", False)


async def sign_in_again(w: World) -> None:
    """Every actor signs in again (a row ended their sessions)."""
    for actor in ACTORS[1:]:
        w.headers[actor], _ = await login(w.p, actor.replace("_", "."))


async def browser_session(w: World) -> None:
    """A session cookie in the gateway client's jar, as a browser keeps it."""
    w.p.gateway.cookies.clear()
    r = await w.call("anonymous", "POST", "/v1/auth/session",
                     {"username": "student.a", "password": PASSWORD})  # fmt: skip
    assert r.status_code == 200 and "ac_refresh" in w.p.gateway.cookies, r.text


def vacancy_to_close() -> Cell:
    made: dict[str, str] = {}

    async def post(w: World) -> None:
        body = {"title": "Temporary role", "location_country": "JP"}
        made["id"] = (await w.p.until_done("POST", "/v1/vacancies", body, w.headers["client_x"]))[
            "vacancy_id"
        ]

    return Cell(lambda w: f"/v1/vacancies/{made['id']}/close", 200, lambda w: {"reason": "filled"},
                setup=post, except_for={"client_y": 404})  # fmt: skip


VACANCY = {"title": "Backend engineer", "skills": ["Python"], "location_country": "JP"}


async def a_applies(w: World) -> str:
    """A new vacancy of X, and student A's application to it (shared: A consents to X again,
    since another row withdraws A's consent)."""
    grant = {"purpose": "client_application", "recipient": "org-x", "region": "JP",
             "data_categories": ["resume"], "policy_version": "v1"}  # fmt: skip
    await w.p.until_done("POST", "/v1/me/consents", grant, w.headers["student_a"])
    await w.cv("student_a", True)
    posted = await w.p.until_done("POST", "/v1/vacancies", VACANCY, w.headers["client_x"])
    body = {"vacancy_id": posted["vacancy_id"], "data_items": ["resume"]}
    applied = await w.p.until_done("POST", "/v1/me/applications", body, w.headers["student_a"])
    assert applied["status"] == "shared", applied
    return str(applied["application_id"])


def an_application(path: str, ok: int, body: Any = None, *, offer: bool = False,
                   except_for: dict[str, int] | None = None) -> Cell:  # fmt: skip
    """A cell on an application of A's to X made for the row (at an offer, if asked)."""
    made: dict[str, str] = {}

    async def setup(w: World) -> None:
        made["id"] = await a_applies(w)
        for action in ("interview", "offer") if offer else ():
            r = await w.call("client_x", "POST",
                             f"/v1/organisation/applications/{made['id']}/steps",
                             {"action": action})  # fmt: skip
            assert r.status_code == 200, r.text

    return Cell(lambda w: path.format(id=made["id"]), ok, lambda w: body, setup=setup,
                except_for=except_for or {})  # fmt: skip


def alert_to_end() -> Cell:
    made: dict[str, str] = {}

    async def subscribe(w: World) -> None:
        r = await w.call("student_a", "POST", "/v1/me/alerts", {"keywords": ["rust"]})
        made["id"] = r.json()["subscription_id"]

    return Cell(lambda w: f"/v1/me/alerts/{made['id']}", 204, setup=subscribe,
                except_for={"student_b": 404})  # fmt: skip


ENQUIRY = {"kind": "enquiry", "title": "A question", "details": "Where are my data kept?",
           "language": "en"}  # fmt: skip
DISCLOSURE = {"kind": "disclosure", "language": "en"}
NOT_A = {"student_b": 404, "client_x": 404, "client_y": 404, "staff": 404, "auditor": 404}
"""Everyone but A, on A's request: there is no such request of theirs."""


async def file_as_a(w: World, body: dict[str, Any]) -> str:
    r = await w.call("student_a", "POST", "/v1/me/requests", body)
    assert r.status_code == 201, r.text
    request_id: str = r.json()["request_id"]
    return request_id


def a_request(
    tail: str, ok: int, body: Callable[[World], Any], filed: dict[str, Any] = ENQUIRY,
    skip: bool = False,
) -> Cell:  # fmt: skip
    """A route on a request of A's (a fresh one); `skip`: the desk's clock moves past the
    minute a new code waits for."""
    made: dict[str, str] = {}

    async def setup(w: World) -> None:
        made["id"] = await file_as_a(w, filed)
        if skip:
            w.p.desk_clock.skip(timedelta(minutes=2))

    return Cell(lambda w: f"/v1/me/requests/{made['id']}{tail}", ok, body, NOT_A, setup)


def a_disclosure() -> Cell:
    """A's disclosure, verified with the code from A's mailbox and answered."""
    made: dict[str, str] = {}

    async def setup(w: World) -> None:
        request_id = made["id"] = await file_as_a(w, DISCLOSURE)
        smtp = w.p.smtp
        assert smtp is not None
        for _ in range(300):
            sent = [m for m in smtp.inbox.to("student.a@example.jp")
                    if request_id in m.body and CODE.search(m.subject)]  # fmt: skip
            if sent:
                break
            await asyncio.sleep(0.1)
        assert sent, [(m.to, m.subject) for m in smtp.inbox.messages]
        code = CODE.search(sent[0].subject)
        assert code is not None
        body = {"password": PASSWORD, "code": code.group(1)}
        r = await w.call("student_a", "POST", f"/v1/me/requests/{request_id}/verification", body)
        assert r.status_code == 200, r.text

    return Cell(lambda w: f"/v1/me/requests/{made['id']}/disclosure", 200, setup=setup,
                except_for=NOT_A)  # fmt: skip


INCIDENT = {"title": "A leak at org-x", "started_at": "2026-01-01T00:00:00Z",
            "discovered_at": "2026-01-02T00:00:00Z", "recipients": ["org-x"],
            "data_categories": ["resume"], "financial_harm": True}  # fmt: skip


def an_incident(tail: str, ok: int, body: Callable[[World], Any] = lambda w: None,
                steps: tuple[str, ...] = ()) -> Cell:  # fmt: skip
    """A route on an incident opened (and, with `steps`, scoped, reported) for the row."""
    made: dict[str, str] = {}

    async def setup(w: World) -> None:
        r = await w.call("staff", "POST", "/v1/incidents", INCIDENT)
        assert r.status_code == 201, r.text
        made["id"] = r.json()["incident_id"]
        for step in steps:
            done = await w.call("staff", "POST", f"/v1/incidents/{made['id']}/{step}",
                                {"stage": "preliminary"} if step == "reports" else None)  # fmt: skip
            assert done.status_code in (200, 202), done.text
            for _ in range(300 if step == "scope" else 0):  # the audit replays the log
                r = await w.call("staff", "GET", f"/v1/incidents/{made['id']}")
                if r.json()["status"] == "scoped":
                    break
                assert r.json()["scope_failed"] is None, r.text
                await asyncio.sleep(0.1)

    return Cell(lambda w: f"/v1/incidents/{made['id']}{tail}", ok, body, setup=setup)


def processor(processor_id: str) -> dict[str, Any]:
    return {"processor_id": processor_id, "legal_name": "Mail House K.K.", "country": "JP",
            "data_categories": ["name", "contact"], "purposes": ["outsourced_processing"],
            "contract_reference": "C-1", "contract_from": "2026-01-01"}  # fmt: skip


def a_processor(tail: str, body: Callable[[World], Any]) -> Cell:
    made: dict[str, str] = {}

    async def setup(w: World) -> None:
        made["id"] = f"proc-{n()}"
        r = await w.call("staff", "POST", "/v1/processors", processor(made["id"]))
        assert r.status_code == 201, r.text

    return Cell(lambda w: f"/v1/processors/{made['id']}{tail}", 200, body, setup=setup)


def staff_on_a_request(tail: str, ok: int, body: Callable[[World], Any]) -> Cell:
    made: dict[str, str] = {}

    async def setup(w: World) -> None:
        made["id"] = await file_as_a(w, ENQUIRY)

    return Cell(lambda w: f"/v1/desk/requests/{made['id']}{tail}", ok, body, setup=setup)


CELLS: dict[tuple[str, str], Cell] = {
    ("POST", "/v1/users"): Cell(at("/v1/users"), 202, lambda w: person(f"new.{n()}")),
    ("POST", "/v1/email-verifications"): Cell(
        at("/v1/email-verifications"), 400, lambda w: {"token": "not-a-real-verification-token"}),
    ("POST", "/v1/auth/login"): Cell(
        at("/v1/auth/login"), 200, lambda w: {"username": "student.a", "password": PASSWORD}),
    ("POST", "/v1/auth/refresh"): Cell(
        at("/v1/auth/refresh"), 401, lambda w: {"refresh_token": "not-a-real-refresh-token"}),
    ("POST", "/v1/auth/logout"): Cell(
        at("/v1/auth/logout"), 204, lambda w: {"refresh_token": "not-a-real-refresh-token"}),
    ("POST", "/v1/auth/session"): Cell(
        at("/v1/auth/session"), 200, lambda w: {"username": "student.a", "password": PASSWORD}),
    # Each call rotates the session cookie (the client's jar keeps the newest).
    ("POST", "/v1/auth/session/refresh"): Cell(at("/v1/auth/session/refresh"), 200,
                                               setup=browser_session),
    ("DELETE", "/v1/auth/session"): Cell(at("/v1/auth/session"), 204, setup=browser_session),
    ("GET", "/v1/auth/jwks"): Cell(at("/v1/auth/jwks"), 200),
    ("GET", "/v1/me"): Cell(at("/v1/me"), 200),
    # [D] #16 (6): accounts people can recover and control
    ("POST", "/v1/password-resets"): Cell(
        at("/v1/password-resets"), 202, lambda w: {"username": "student.a"}),
    ("POST", "/v1/password-resets/confirm"): Cell(
        at("/v1/password-resets/confirm"), 400,
        lambda w: {"token": "not-a-real-reset-token", "new_password": "a new passphrase 42"}),
    # The same password again: a change that changes nothing, but for the other sessions.
    ("POST", "/v1/me/password"): Cell(
        at("/v1/me/password"), 204,
        lambda w: {"current_password": PASSWORD, "new_password": PASSWORD}),
    ("PUT", "/v1/me/username"): Cell(
        at("/v1/me/username"), 409, lambda w: {"username": "student.b", "password": PASSWORD},
        except_for={"student_b": 422}),
    ("GET", "/v1/me/sessions"): Cell(at("/v1/me/sessions"), 200),
    ("DELETE", "/v1/me/sessions"): Cell(at("/v1/me/sessions"), 200, after=sign_in_again),
    ("POST", "/v1/me/email-verifications"): Cell(at("/v1/me/email-verifications"), 202),
    ("PATCH", "/v1/me"): Cell(at("/v1/me"), 200, lambda w: {"school": "Tokyo Tech"}),
    ("GET", "/v1/me/consents"): Cell(at("/v1/me/consents"), 200),
    ("GET", "/v1/me/uses"): Cell(at("/v1/me/uses"), 200),
    ("POST", "/v1/me/consents"): Cell(
        at("/v1/me/consents"), 201, lambda w: {"purpose": "marketing", "policy_version": "v1"}),
    # B may not withdraw A's consent: on B's own record it does not exist.
    ("DELETE", "/v1/me/consents/{consent_id}"): Cell(
        lambda w: f"/v1/me/consents/{w.consent_of_a}", 200, except_for={"student_b": 404}),
    ("POST", "/v1/me/transfer-objections"): Cell(
        at("/v1/me/transfer-objections"), 201, lambda w: {"transfer_id": w.transfer}),
    ("GET", "/v1/policies"): Cell(at("/v1/policies"), 200),
    ("GET", "/v1/country-notices"): Cell(at("/v1/country-notices?country=US"), 200),
    ("GET", "/v1/country-notices/{notice_sha256}"): Cell(
        lambda w: f"/v1/country-notices/{w.notice}", 200),
    # A client sees only its own organisation.
    ("GET", "/v1/organisations/{organization_id}"): Cell(
        at("/v1/organisations/org-x"), 200, except_for={"client_y": 404}),
    ("GET", "/v1/me/resume"): Cell(at("/v1/me/resume"), 200, setup=both_cvs),
    ("POST", "/v1/me/resume"): Cell(at("/v1/me/resume"), 201, lambda w: CV, setup=a_cv_only,
                                    except_for={"student_a": 409}),
    ("PUT", "/v1/me/resume"): Cell(at("/v1/me/resume"), 200, lambda w: CV, setup=both_cvs),
    ("DELETE", "/v1/me/resume"): Cell(at("/v1/me/resume"), 204, setup=both_cvs),
    # B has not consented to vacancy_assessment.
    ("GET", "/v1/me/matches"): Cell(at("/v1/me/matches"), 200, setup=both_cvs, settle=True,
                                    except_for={"student_b": 403}),
    # A's data went to X already; B's application is recorded, and blocked (no consent).
    ("POST", "/v1/me/applications"): Cell(
        at("/v1/me/applications"), 201, lambda w: {"vacancy_id": w.vacancy_x}, setup=both_cvs,
        settle=True, except_for={"student_a": 409}),
    ("GET", "/v1/me/applications"): Cell(at("/v1/me/applications"), 200),
    ("GET", "/v1/me/applications/{application_id}"): Cell(
        lambda w: f"/v1/me/applications/{w.application_to_x}", 200, except_for={"student_b": 404}),
    # A withdraws A's application; to B it is no application of theirs.
    ("POST", "/v1/me/applications/{application_id}/withdraw"): an_application(
        "/v1/me/applications/{id}/withdraw", 200, except_for={"student_b": 404}),
    ("POST", "/v1/me/applications/{application_id}/answer"): an_application(
        "/v1/me/applications/{id}/answer", 200, {"action": "accept"}, offer=True,
        except_for={"student_b": 404}),
    ("GET", "/v1/me/preferences"): Cell(at("/v1/me/preferences"), 200),
    ("PUT", "/v1/me/preferences"): Cell(
        at("/v1/me/preferences"), 200, lambda w: {"kinds": ["internship", "permanent"]}),
    ("GET", "/v1/me/disclosures"): Cell(at("/v1/me/disclosures"), 200),
    ("GET", "/v1/vacancies"): Cell(at("/v1/vacancies"), 200),
    ("GET", "/v1/vacancies/{vacancy_id}"): Cell(lambda w: f"/v1/vacancies/{w.vacancy_x}", 200),
    ("POST", "/v1/vacancies"): Cell(
        at("/v1/vacancies"), 201, lambda w: {"title": "Sales", "location_country": "JP"}),
    # Only X may close X's vacancy (Y is told there is no such vacancy of its own).
    ("POST", "/v1/vacancies/{vacancy_id}/close"): vacancy_to_close(),
    # Only X may revise X's vacancy.
    ("PUT", "/v1/vacancies/{vacancy_id}"): Cell(
        lambda w: f"/v1/vacancies/{w.vacancy_x}", 200, lambda w: {**VACANCY, "places": 3},
        except_for={"client_y": 404}),
    ("GET", "/v1/organisation/vacancies"): Cell(at("/v1/organisation/vacancies"), 200),
    ("GET", "/v1/vacancies/{vacancy_id}/applications"): Cell(
        lambda w: f"/v1/vacancies/{w.vacancy_x}/applications", 200, except_for={"client_y": 404}),
    ("GET", "/v1/organisation/applications/{application_id}"): Cell(
        lambda w: f"/v1/organisation/applications/{w.application_to_x}", 200,
        except_for={"client_y": 404}),
    # X moves an application to X; to Y it is no application of theirs.
    ("POST", "/v1/organisation/applications/{application_id}/steps"): an_application(
        "/v1/organisation/applications/{id}/steps", 200, {"action": "review"},
        except_for={"client_y": 404}),
    ("GET", "/v1/vacancies/{vacancy_id}/candidates"): Cell(
        lambda w: f"/v1/vacancies/{w.vacancy_x}/candidates", 200, except_for={"client_y": 404}),
    ("GET", "/v1/organisation/disclosures"): Cell(at("/v1/organisation/disclosures"), 200),
    # What was shared with X: X reads it, Y cannot.
    ("GET", "/v1/organisation/disclosures/{disclosure_id}"): Cell(
        lambda w: f"/v1/organisation/disclosures/{w.disclosure_to_x}", 200,
        except_for={"client_y": 404}),
    ("GET", "/v1/me/notifications"): Cell(at("/v1/me/notifications"), 200),
    ("GET", "/v1/me/alerts"): Cell(at("/v1/me/alerts"), 200),
    ("POST", "/v1/me/alerts"): Cell(at("/v1/me/alerts"), 201, lambda w: {"keywords": ["go"]}),
    # B may not end A's job alert: it is not B's.
    ("DELETE", "/v1/me/alerts/{subscription_id}"): alert_to_end(),
    ("GET", "/v1/unsubscribe"): Cell(at("/v1/unsubscribe?token=forged-token-0123456789"), 400),
    ("POST", "/v1/campaigns"): Cell(
        at("/v1/campaigns"), 201,
        lambda w: {"purpose": "marketing", "headline": "News", "body": "Hello"}),
    ("POST", "/v1/organisations"): Cell(
        at("/v1/organisations"), 201,
        lambda w: {"organization_id": f"org-{n()}", "legal_name": "L", "address": "A",
                   "representative": "R", "country": "JP"}),
    ("POST", "/v1/accounts"): Cell(
        at("/v1/accounts"), 201, lambda w: {**person(f"aud{n()}"), "role": "auditor"}),
    ("POST", "/v1/policies"): Cell(
        at("/v1/policies"), 201,
        lambda w: (lambda v: {"policy_version": v, "effective_at": "2026-05-01T00:00:00Z",
                              "texts": texts(v)})(f"v1.{n()}")),
    ("POST", "/v1/transfers"): Cell(
        at("/v1/transfers"), 201,
        lambda w: {"acquirer": "org-x", "acquirer_name": "X", "purposes": ["marketing"],
                   "opt_out_deadline": (datetime.now(UTC) + timedelta(days=9)).isoformat()}),
    ("POST", "/v1/country-notices"): Cell(
        at("/v1/country-notices"), 201,
        lambda w: {"country": "DE", "country_name": f"Germany {n()}",
                   "protection_system": "GDPR", "recipient_measures": "SCCs"}),
    ("POST", "/v1/legal-disclosures"): Cell(
        at("/v1/legal-disclosures"), 201,
        lambda w: {"subject_id": w.subjects["student_a"], "organization_id": "org-y",
                   "data_items": ["name"], "legal_basis": "laws_and_regulations",
                   "legal_reference": f"court order {n()}"}),
    ("GET", "/v1/audit/checks"): Cell(at("/v1/audit/checks"), 200),
    ("GET", "/v1/audit/monitoring"): Cell(at("/v1/audit/monitoring"), 200),
    ("GET", "/v1/audit/report"): Cell(
        lambda w: f"/v1/audit/report?subject={w.subjects['student_a']}", 200),
    ("GET", "/v1/audit/subjects/{subject_id}/record"): Cell(
        lambda w: f"/v1/audit/subjects/{w.subjects['student_a']}/record", 200),
    ("GET", "/v1/audit/subjects/{subject_id}/disclosures"): Cell(
        lambda w: f"/v1/audit/subjects/{w.subjects['student_a']}/disclosures", 200),
    ("GET", "/v1/audit/subjects/{subject_id}/consents"): Cell(
        lambda w: f"/v1/audit/subjects/{w.subjects['student_a']}/consents", 200),
    ("POST", "/v1/audit/decisions"): Cell(
        at("/v1/audit/decisions"), 200,
        lambda w: {"subject_id": w.subjects["student_a"], "purpose": "client_application",
                   "recipient": "org-x", "region": "JP"}),
    # [D] #16: the published policy, for anyone.
    ("GET", "/v1/policy"): Cell(at("/v1/policy"), 200),
    ("GET", "/v1/policy/versions/{policy_version}"): Cell(at("/v1/policy/versions/2013-09"), 200),
    ("GET", "/v1/policy/diff"): Cell(
        at("/v1/policy/diff?from_version=2013-09&to_version=v1"), 200),
    # A person's requests: each their own (another person's is not there for them).
    ("POST", "/v1/me/requests"): Cell(at("/v1/me/requests"), 201, lambda w: ENQUIRY),
    ("GET", "/v1/me/requests"): Cell(at("/v1/me/requests"), 200),
    ("GET", "/v1/me/requests/{request_id}"): a_request(
        "", 200, lambda w: None),
    # A wrong code: the try is refused for A (and counted); the request is nobody else's.
    ("POST", "/v1/me/requests/{request_id}/verification"): a_request(
        "/verification", 401, lambda w: {"password": PASSWORD, "code": "000000"}, DISCLOSURE),
    ("POST", "/v1/me/requests/{request_id}/code"): a_request(
        "/code", 201, lambda w: None, DISCLOSURE, skip=True),
    ("POST", "/v1/me/requests/{request_id}/messages"): a_request(
        "/messages", 201, lambda w: {"body": "And one more thing."}),
    ("GET", "/v1/me/requests/{request_id}/disclosure"): a_disclosure(),
    ("POST", "/v1/enquiries"): Cell(
        at("/v1/enquiries"), 201,
        lambda w: {"kind": "enquiry", "email": "guest@example.org", "title": "Q",
                   "message": "Do you hold anything about me?"}),
    # The desk's staff.
    ("GET", "/v1/desk/queue"): Cell(at("/v1/desk/queue"), 200),
    ("GET", "/v1/desk/requests/{request_id}"): staff_on_a_request("", 200, lambda w: None),
    ("POST", "/v1/desk/requests"): Cell(
        at("/v1/desk/requests"), 201,
        lambda w: {"subject_id": w.subjects["student_a"], "kind": "enquiry", "channel": "phone",
                   "details": "Asked by phone", "verification": {
                       "method": "other", "document": "called back the registered number"}}),
    ("POST", "/v1/desk/requests/{request_id}/assignment"): staff_on_a_request(
        "/assignment", 200, lambda w: {}),
    ("POST", "/v1/desk/requests/{request_id}/answer"): staff_on_a_request(
        "/answer", 200, lambda w: {"outcome": "answered", "reason": "Here is the answer."}),
    ("POST", "/v1/desk/requests/{request_id}/messages"): staff_on_a_request(
        "/messages", 201, lambda w: {"body": "A reply."}),
    ("POST", "/v1/desk/requests/{request_id}/close"): staff_on_a_request(
        "/close", 200, lambda w: None),
    ("GET", "/v1/desk/report"): Cell(at("/v1/desk/report"), 200),
    # Incidents [B] #17.
    ("POST", "/v1/incidents"): Cell(at("/v1/incidents"), 201, lambda w: INCIDENT),
    ("GET", "/v1/incidents"): Cell(at("/v1/incidents"), 200),
    ("GET", "/v1/incidents/{incident_id}"): an_incident("", 200),
    ("POST", "/v1/incidents/{incident_id}/scope"): an_incident("/scope", 202),
    ("GET", "/v1/incidents/{incident_id}/people"): an_incident("/people", 200, steps=("scope",)),
    ("POST", "/v1/incidents/{incident_id}/reports"): an_incident(
        "/reports", 200, lambda w: {"stage": "preliminary"}, steps=("scope",)),
    ("GET", "/v1/incidents/{incident_id}/report"): an_incident(
        "/report?stage=preliminary", 200, steps=("scope", "reports")),
    ("POST", "/v1/incidents/{incident_id}/notices"): an_incident(
        "/notices", 200, steps=("scope",)),
    ("POST", "/v1/incidents/{incident_id}/close"): an_incident(
        "/close", 200, lambda w: {"reason": "unfounded"}),
    # The register of processors [B] #17.
    ("GET", "/v1/processors"): Cell(at("/v1/processors"), 200),
    ("GET", "/v1/processors/register"): Cell(at("/v1/processors/register"), 200),
    ("POST", "/v1/processors"): Cell(at("/v1/processors"), 201,
                                     lambda w: processor(f"proc-{n()}")),
    ("POST", "/v1/processors/{processor_id}/revision"): a_processor(
        "/revision", lambda w: {k: v for k, v in processor("x").items() if k != "processor_id"}),
    ("POST", "/v1/processors/{processor_id}/retirement"): a_processor(
        "/retirement", lambda w: {"reason": "contract ended"}),
}  # fmt: skip


def expected(route: Route, cell: Cell) -> dict[str, int]:
    """Each caller's status on the row: from the table's roles, then the cell's exceptions."""
    cells = {}
    for actor in ACTORS:
        if route.public:
            cells[actor] = cell.except_for.get(actor, cell.ok)
        elif actor == "anonymous":
            cells[actor] = 401
        elif ROLE[actor] not in route.roles:
            cells[actor] = 403
        else:
            cells[actor] = cell.except_for.get(actor, cell.ok)
    return cells


async def login(p: Platform, username: str) -> tuple[dict[str, str], str]:
    r = await p.gateway.post("/v1/auth/login", json={"username": username, "password": PASSWORD})
    assert r.status_code == 200, r.text
    return {"Authorization": f"Bearer {r.json()['access_token']}"}, r.json()["subject_id"]


@pytest.fixture(scope="module")
async def world(infra: Infra) -> AsyncIterator[World]:
    async with platform(infra, unique_prefix(), notifications=True) as p:
        staff_profile = Profile(username="staff", name="Staff", email="staff@example.jp")
        await p.accounts.register(staff_profile, PASSWORD, Role.STAFF)
        headers: dict[str, dict[str, str]] = {"anonymous": {}}
        subjects: dict[str, str] = {}
        headers["staff"], subjects["staff"] = await login(p, "staff")
        staff = headers["staff"]
        for org_id in ("org-x", "org-y"):
            body: dict[str, Any] = {"organization_id": org_id, "legal_name": f"{org_id} K.K.",
                                    "address": "Tokyo", "representative": "Rep", "country": "JP"}  # fmt: skip
            assert (
                await p.gateway.post("/v1/organisations", json=body, headers=staff)
            ).status_code == 201
        for actor, role, org in (("client_x", "client", "org-x"), ("client_y", "client", "org-y"),
                                 ("auditor", "auditor", None)):  # fmt: skip
            body = {**person(actor.replace("_", ".")), "role": role, "organization_id": org}
            r = await p.gateway.post("/v1/accounts", json=body, headers=staff)
            assert r.status_code == 201, r.text
            headers[actor], subjects[actor] = await login(p, actor.replace("_", "."))
        for actor in ("student_a", "student_b"):
            r = await p.gateway.post("/v1/users", json=person(actor.replace("_", ".")))
            assert r.status_code == 202, r.text
            headers[actor], subjects[actor] = await login(p, actor.replace("_", "."))
        policy = {"policy_version": "v1", "effective_at": "2026-04-01T00:00:00Z",
                  "texts": texts("v1")}  # fmt: skip
        assert (await p.gateway.post("/v1/policies", json=policy, headers=staff)).status_code == 201
        a = headers["student_a"]
        grant = {"purpose": "client_application", "recipient": "org-x", "region": "JP",
                 "data_categories": ["resume"], "policy_version": "v1"}  # fmt: skip
        consent = await p.until_done("POST", "/v1/me/consents", grant, a)  # orgs arrive by Kafka
        notice = {"country": "US", "country_name": "USA", "protection_system": "Sectoral laws.",
                  "recipient_measures": "Contracts."}  # fmt: skip
        sha = (await p.gateway.post("/v1/country-notices", json=notice, headers=staff)).json()[
            "notice_sha256"
        ]
        listed = await p.gateway.get("/v1/country-notices?country=US", headers=a)
        assert [x["notice_sha256"] for x in listed.json()] == [sha], listed.text
        deadline = (datetime.now(UTC) + timedelta(days=30)).isoformat()
        transfer = {"acquirer": "org-y", "acquirer_name": "Y", "purposes": ["client_application"],
                    "opt_out_deadline": deadline}  # fmt: skip
        t = await p.gateway.post("/v1/transfers", json=transfer, headers=staff)
        assessment = {"purpose": "vacancy_assessment", "policy_version": "v1"}
        assert (
            await p.gateway.post("/v1/me/consents", json=assessment, headers=a)
        ).status_code == 201
        assert (await p.gateway.post("/v1/me/resume", json=CV, headers=a)).status_code == 201
        vacancy = {"title": "Backend engineer", "skills": ["Python"], "location_country": "JP"}
        posted = await p.until_done("POST", "/v1/vacancies", vacancy, headers["client_x"])
        applied = await p.until_done(
            "POST", "/v1/me/applications",
            {"vacancy_id": posted["vacancy_id"], "data_items": ["resume"]}, a,
        )  # fmt: skip
        assert applied["status"] == "shared", applied
        yield World(p, headers, subjects, consent["consent_id"], sha, t.json()["transfer_id"],
                    posted["vacancy_id"], applied["disclosure_id"],
                    applied["application_id"])  # fmt: skip


@pytest.mark.parametrize("route", ROUTES, ids=[f"{r.method} {r.path}" for r in ROUTES])
async def test_every_caller_on_every_route(world: World, route: Route) -> None:
    cell = CELLS[route.key]
    await cell.setup(world)
    got = {}
    for actor in ACTORS:
        path, body = cell.path(world), cell.body(world)
        call = world.settled if cell.settle else world.call
        r = await call(actor, route.method, path, body)
        got[actor] = r.status_code
        assert r.status_code < 500, (actor, r.text)
        assert "Traceback" not in r.text
    await cell.after(world)
    assert got == expected(route, cell)


def test_the_matrix_covers_every_route() -> None:
    """A row of the table without its cells (or cells of a row that is gone) fails here."""
    assert set(CELLS) == {r.key for r in ROUTES}


def test_the_gateway_serves_exactly_the_table() -> None:
    from ac_gateway.app import create_app

    paths = create_app().openapi()["paths"]
    served = {(m.upper(), p) for p, ops in paths.items() if p.startswith("/v1") for m in ops}
    assert len(served) == len(ROUTES) and served == {r.key for r in ROUTES}


def test_every_upstream_of_the_table_is_a_service_the_gateway_knows() -> None:
    from ac_gateway.settings import GatewaySettings

    known = GatewaySettings(environment="test").upstreams()
    assert {r.upstream for r in ROUTES} <= set(known)


async def test_the_browser_session_keeps_its_refresh_token_out_of_reach_of_scripts(
    world: World,
) -> None:
    """[W] The refresh token is never in a body a page could read: it is an httpOnly,
    SameSite=Strict cookie scoped to the session routes, Secure over https, rotated on
    refresh (the old one then signs the family out), revoked and cleared on sign-out."""
    gw = httpx.AsyncClient(transport=httpx.ASGITransport(app=world.p.gateway_app),
                           base_url="https://gw")  # fmt: skip
    async with gw:
        r = await gw.post("/v1/auth/session", json={"username": "student.b", "password": PASSWORD})
        assert r.status_code == 200, r.text
        assert "refresh_token" not in r.json() and r.json()["access_token"]
        cookie = r.headers["set-cookie"]
        for flag in ("HttpOnly", "Secure", "SameSite=strict", "Path=/v1/auth/session"):
            assert flag.lower() in cookie.lower(), cookie
        first = gw.cookies["ac_refresh"]
        r = await gw.post("/v1/auth/session/refresh")
        assert r.status_code == 200 and r.json()["subject_id"] == world.subjects["student_b"]
        assert gw.cookies["ac_refresh"] != first  # rotated
        # The first cookie again (stolen, replayed): the whole family is signed out.
        gw.cookies.clear()
        gw.cookies.set("ac_refresh", first)
        replay = await gw.post("/v1/auth/session/refresh")
        assert replay.status_code == 401
        assert replay.json()["detail"]["reason"] == "refresh_token_reused"
        gw.cookies.clear()
        assert (await gw.post("/v1/auth/session/refresh")).status_code == 401
        # Sign in again; sign out revokes the cookie's token and clears it.
        r = await gw.post("/v1/auth/session", json={"username": "student.b", "password": PASSWORD})
        token = gw.cookies["ac_refresh"]
        bearer = {"Authorization": f"Bearer {r.json()['access_token']}"}
        out = await gw.delete("/v1/auth/session", headers=bearer)
        assert out.status_code == 204 and 'ac_refresh=""' in out.headers["set-cookie"]
        gw.cookies.set("ac_refresh", token)
        again = await gw.post("/v1/auth/session/refresh")
        assert again.status_code == 401


async def test_cors_allows_exactly_the_app_origin_and_the_api_methods(world: World) -> None:
    """[W] A browser on the app's origin may call every method the table uses (PUT included:
    revising a CV), with the session cookie; any other origin gets no CORS grant, and the
    session routes refuse it outright."""
    from ac_gateway.app import create_app
    from ac_gateway.settings import GatewaySettings

    app_origin = "http://127.0.0.1:5173"
    settings = GatewaySettings(environment="test", cors_origins=(app_origin,))
    gw = httpx.AsyncClient(transport=httpx.ASGITransport(app=create_app(settings)),
                           base_url="http://gw")  # fmt: skip
    async with gw:
        for method in sorted({r.method for r in ROUTES}):
            r = await gw.options("/v1/me/resume", headers={
                "Origin": app_origin, "Access-Control-Request-Method": method})  # fmt: skip
            assert r.status_code == 200, (method, r.text)
            assert r.headers["access-control-allow-origin"] == app_origin
            assert r.headers["access-control-allow-credentials"] == "true"
            allowed = {m.strip() for m in r.headers["access-control-allow-methods"].split(",")}
        assert allowed == {r.method for r in ROUTES} and "PUT" in allowed
        r = await gw.options("/v1/me/resume", headers={
            "Origin": "http://evil.example", "Access-Control-Request-Method": "PUT"})  # fmt: skip
        assert "access-control-allow-origin" not in r.headers
    # The session routes refuse another origin outright (the platform's gateway: it has a
    # database for its rate limits, which count before the origin is looked at).
    r = await world.p.gateway.post("/v1/auth/session", headers={"Origin": "http://evil.example"},
                                   json={"username": "student.b", "password": PASSWORD})  # fmt: skip
    assert r.status_code == 403 and r.json()["detail"]["reason"] == "forbidden"
