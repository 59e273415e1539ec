"""Every reason a request can be refused for: its code, its HTTP status, what it means.

One table for the whole API, so a code means one thing (and one status) in every
service, the gateway documents each route's codes from it, and the web app
translates each one. Conventions:

- `no_such_<thing>` (404): the id in the path names nothing (of yours);
- `unknown_<thing>` (422): an id in the body names nothing;
- `<thing>_not_here_yet` (409): a service has not yet read, from the log, what the
  request needs: try again shortly;
- `not_your_<thing>` (403): it exists, and is someone else's.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Reason:
    status: int
    meaning: str
    """What it means, in English, for the API's documentation."""


REASONS: dict[str, Reason] = {
    # -- the request itself
    "invalid_input": Reason(422, "a field is missing, malformed or out of range"),
    "nul_character": Reason(422, "text may not contain the NUL character"),
    "body_too_large": Reason(413, "the body is larger than the gateway accepts"),
    "rate_limited": Reason(429, "too many attempts from this address: wait, then retry"),
    "idempotency_key_reused": Reason(
        409, "this Idempotency-Key was used with another request body"
    ),
    "idempotency_key_in_flight": Reason(409, "the first request with this key is still running"),
    # [P] issue 15: one pagination for every list
    "bad_cursor": Reason(422, "the cursor is not one this list gave"),
    # -- who is calling
    "unauthenticated": Reason(401, "no valid access token"),
    "forbidden": Reason(403, "this role may not do this"),
    "not_your_data": Reason(403, "this is another person's data"),
    "auth_unconfigured": Reason(503, "the service has no token-verification keys yet"),
    # -- the platform
    "unavailable": Reason(503, "a service this one needs is away: try again"),
    "consent_unavailable": Reason(503, "the consent service is away: nothing is shared; try again"),
    "upstream_unavailable": Reason(503, "the service behind this route is unreachable"),
    "upstream_failed": Reason(502, "the service behind this route failed"),
    "erased": Reason(410, "this person has been erased"),
    # -- accounts and tokens (identity)
    "username_taken": Reason(409, "that username is taken"),
    "weak_password": Reason(422, "the password breaks a rule of the API's schema description"),
    "organisation_for_clients_only": Reason(
        422, "a client account names its organisation, and only a client's does"
    ),
    "invalid_verification": Reason(400, "unknown, used or expired verification link"),
    "invalid_credentials": Reason(401, "wrong username or password"),
    "too_many_attempts": Reason(
        429, "too many failed passwords from here: wait `retry_after_s` (Retry-After), then retry"
    ),
    "invalid_refresh_token": Reason(401, "unknown refresh token"),
    "refresh_token_reused": Reason(401, "the refresh token was used before: its family is revoked"),
    "refresh_token_expired": Reason(401, "the refresh token has expired"),
    "refresh_token_revoked": Reason(401, "the refresh token was revoked"),
    "reauthentication_failed": Reason(401, "the password given to confirm is wrong"),
    "invalid_client": Reason(401, "unknown service or secret"),
    # [H] issue 14: audiences, sessions that end at once
    "audience_not_allowed": Reason(403, "this service may not have a token for that peer"),
    "session_ended": Reason(
        401, "the session has ended (signed out, revoked or erased): sign in again"
    ),
    "nothing_to_change": Reason(422, "no field to change was given"),
    # [D] #16 (6): accounts people can recover and control
    "reset_link_invalid": Reason(400, "unknown, used or expired password reset link"),
    "email_already_verified": Reason(409, "the email address is confirmed already"),
    "no_such_account": Reason(404, "no such account"),
    "no_key": Reason(404, "no data key for this person"),
    "organisation_exists": Reason(409, "that organisation id is taken"),
    "no_such_organisation": Reason(404, "no such organisation (of yours)"),
    "unknown_organisation": Reason(422, "the organisation named in the body does not exist"),
    # [D] #16
    "step_up_required": Reason(
        403, "this change discloses or destroys data: file it as a request to the desk"
    ),
    "not_a_guest": Reason(403, "only a guest's key (guest-...) may be made or destroyed here"),
    # -- consents and policies (consent)
    "no_such_consent": Reason(404, "no such consent of yours"),
    "no_such_country_notice": Reason(404, "no country notice with that hash"),
    "unknown_country_notice": Reason(422, "the country notice named was never published"),
    "notice_for_another_country": Reason(422, "the notice shown is about another country"),
    "country_notice_required": Reason(
        422, "a consent outside JP records the country notice shown (and only then)"
    ),
    "unknown_policy_version": Reason(422, "the policy version named was never published"),
    "legal_reference_required": Reason(
        422, "a legal basis needs its reference (court order, request id)"
    ),
    "policy_version_exists": Reason(409, "that policy version is published already"),
    "unknown_recipient": Reason(422, "no such recipient organisation"),
    "recipient_required": Reason(422, "consent to third-party provision names its recipient"),
    "legal_basis_not_consent": Reason(
        422, "legal disclosures rest on a legal basis, not on consent"
    ),
    "unknown_transfer": Reason(422, "no such business transfer"),
    "opt_out_closed": Reason(409, "the opt-out window of this transfer has closed"),
    "deadline_passed": Reason(422, "the deadline given is in the past"),
    # [D] #16
    "no_such_policy_version": Reason(404, "no policy version of that label"),
    "policy_text_exists": Reason(409, "that text is published already, under another version"),
    "policy_text_mismatch": Reason(422, "the SHA-256 given is not that of the policy's text"),
    # -- CVs (resumes)
    "no_resume": Reason(404, "you have no CV"),
    "resume_exists": Reason(409, "you have a CV already: revise it"),
    "sensitive_data": Reason(
        422, "the text reveals special care-required information not volunteered"
    ),
    "bad_pdf": Reason(422, "the PDF cannot be read"),
    # -- vacancies, matches and applications (matching)
    "no_such_vacancy": Reason(404, "no such vacancy (of your organisation)"),
    "unknown_vacancy": Reason(422, "the vacancy named does not exist"),
    "vacancy_closed": Reason(409, "the vacancy is closed"),
    "already_applied": Reason(409, "you have applied to this vacancy"),
    "consent_required": Reason(403, "the consent this needs is not given"),
    "resume_not_here_yet": Reason(409, "matching has not read your latest CV yet: try again"),
    "incomplete_token": Reason(422, "give both resume_id and resume_revision, or neither"),
    "organisation_not_here_yet": Reason(409, "matching has not read your organisation yet"),
    "person_not_here_yet": Reason(409, "matching has not read this person yet"),
    "unsendable_items": Reason(422, "these data items cannot be sent"),
    "no_such_disclosure": Reason(404, "nothing of that id was shared with you"),
    "legal_disclosure_refused": Reason(403, "the consent service did not allow the disclosure"),
    # [P] issue 15: the client's side of an application, forms; [H] issue 14 item 6: bounds
    "no_such_application": Reason(404, "no such application (of yours, or to your organisation)"),
    "transition_not_allowed": Reason(409, "the application cannot take this step from its state"),
    "form_answers_invalid": Reason(422, "the answers do not fit the vacancy's form"),
    "period_reversed": Reason(422, "a period of availability ends before it starts"),
    "quota_exceeded": Reason(429, "your organisation reached its limit for now: try later"),
    # -- notifications
    "no_such_alert": Reason(404, "no such job alert of yours"),
    "bad_link": Reason(400, "the link is forged, malformed or expired"),
    # -- the desk: requests, complaints and enquiries [D] #16
    "no_such_request": Reason(404, "no such request (of yours)"),
    "unknown_person": Reason(422, "nobody by that id has an account (or they were erased)"),
    "verification_not_needed": Reason(409, "this request needs no step-up verification"),
    "not_verified": Reason(409, "the request waits for the person's identity to be verified"),
    "step_up_failed": Reason(401, "the password or the code is wrong"),
    "code_expired": Reason(409, "the code has expired: ask for a new one"),
    "code_tries_used": Reason(429, "the code was tried wrongly too often: ask for a new one"),
    "too_many_codes": Reason(429, "too many codes for this request, or asked too soon"),
    "request_closed": Reason(409, "the request is closed"),
    "already_answered": Reason(409, "the request has its answer: write in its thread"),
    "field_required": Reason(422, "that field cannot be deleted (name and email stay)"),
    "value_required": Reason(422, "a correction or an addition gives the new value"),
    "value_not_taken": Reason(422, "the new value is not one the field takes (an email, a length)"),
    "incomplete_request": Reason(
        422, "the request lacks what its kind needs (field, purpose, ...)"
    ),
    "not_a_disclosure": Reason(409, "the request is not an answered disclosure"),
    "disclosure_expired": Reason(410, "the disclosure is no longer available: ask again"),
    # -- the desk: incidents [B] #17
    "no_such_incident": Reason(404, "no such incident"),
    "window_reversed": Reason(422, "the incident ends (or was discovered) before it starts"),
    "discovered_in_future": Reason(422, "an incident cannot be discovered in the future"),
    "incident_unscoped": Reason(409, "the incident is not scoped yet, or names no recipient"),
    "incident_not_reportable": Reason(409, "this incident need not be reported"),
    "already_reported": Reason(409, "that report of the incident was made"),
    "preliminary_first": Reason(409, "the preliminary report comes before the final one"),
    "reports_missing": Reason(409, "a report the incident needs was not made"),
    "notices_missing": Reason(
        409, "affected people not notified, and no reason with a public announcement"
    ),
    "incident_closed": Reason(409, "the incident is closed"),
    "no_such_processor": Reason(404, "no such processor in the register"),
    "processor_exists": Reason(409, "that processor id is registered"),
    "processor_retired": Reason(409, "the processor is retired"),
    "safeguards_required": Reason(
        422, "a processor outside Japan needs the basis of its equivalent measures"
    ),
    # -- audit
    "no_such_subject": Reason(404, "nobody by that id in the log"),
}


def status_of(reason: str) -> int:
    """The HTTP status a refusal for `reason` is answered with."""
    return REASONS[reason].status


def reasons_with(status: int) -> list[str]:
    return sorted(code for code, r in REASONS.items() if r.status == status)
