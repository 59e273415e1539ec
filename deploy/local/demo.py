"""`make demo`: a platform to look at, seeded through the public API as real use would.

    python deploy/local/demo.py [--gateway http://127.0.0.1:8000]

Seeds a staff account (the one account made outside the API, as
`make staff-account` does), an auditor, two client organisations (one in
Japan, one in Germany) with a recruiter each, a dozen vacancies and
internships, and three students who verify their email from the local mail
sink, write a CV and give their consents. Every step looks first, so a
second run changes nothing. Prints the sign-ins at the end.

Needs the platform running (`make run`) and, for the staff account,
DATABASE_URL (the Makefile provides it).
"""

from __future__ import annotations

import argparse
import email
import email.policy
import os
import re
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parents[2]
MAIL_DIR = Path(os.environ.get("AC_MAIL_DIR", str(ROOT / ".cache" / "mail")))
"""The mail sink's folder (`make run`'s, or the one `AC_MAIL_DIR` names)."""
PASSWORD = "demo-only-Passw0rd"
"""Every demo account's password (a local demo: printed below)."""

STAFF = {"username": "demo.staff", "name": "Demo Staff", "email": "staff@demo.example"}
AUDITOR = {"username": "demo.auditor", "name": "Demo Auditor", "email": "auditor@demo.example"}
ORGS = [
    {"organization_id": "demo-sakura", "legal_name": "Sakura Shoji K.K.",
     "address": "1-1 Marunouchi, Chiyoda-ku, Tokyo", "representative": "Haruto Sakura",
     "country": "JP"},
    {"organization_id": "demo-berlin", "legal_name": "Berlin Data GmbH",
     "address": "Friedrichstrasse 1, 10117 Berlin", "representative": "Lena Vogel",
     "country": "DE"},
]  # fmt: skip
RECRUITERS = {"demo-sakura": "demo.sakura", "demo-berlin": "demo.berlin"}
DE_NOTICE = {
    "country": "DE",
    "country_name": "Germany",
    "protection_system": "The EU General Data Protection Regulation applies, with the German "
    "Federal Data Protection Act; Japan and the EU recognise each other's protection as adequate.",
    "recipient_measures": "Berlin Data GmbH keeps applicants' data in the EU, limits access to "
    "its recruiters and deletes it six months after the recruitment closes.",
}
VACANCIES = {
    "demo-sakura": [
        ("Backend engineering internship (summer)", ["Python", "SQL"], "JP"),
        ("Data analysis internship", ["Python", "pandas", "statistics"], "JP"),
        ("Marketing internship", ["marketing", "Japanese", "English"], "JP"),
        ("Frontend developer", ["TypeScript", "React"], "JP"),
        ("インフラエンジニア(インターン)", ["Linux", "Kubernetes"], "JP"),
        ("営業アシスタント", ["Japanese", "Excel"], "JP"),
    ],
    "demo-berlin": [
        ("Machine learning internship", ["Python", "PyTorch"], "DE"),
        ("Data engineering internship", ["Kafka", "SQL", "Python"], "DE"),
        ("Junior backend developer", ["Go", "PostgreSQL"], "DE"),
        ("UX research internship", ["research", "English"], "DE"),
        ("Site reliability engineer", ["Kubernetes", "Prometheus"], "DE"),
        ("Product management internship", ["English", "German"], "DE"),
    ],
}
STUDENTS = [
    {"username": "demo.hana", "name": "Hana Sato", "email": "hana@demo.example",
     "school": "Kyoto University", "gender": "female", "language": "ja",
     "cv": {"education": ["Kyoto University, BSc Informatics (2027)"],
            "skills": ["Python", "SQL", "pandas"], "languages": ["Japanese", "English"],
            "desired_roles": ["Backend engineer", "Data analyst"],
            "desired_locations": ["Tokyo"], "free_text": "I build web APIs and like data."},
     "clients": ["demo-sakura"]},
    {"username": "demo.ken", "name": "Ken Tanaka", "email": "ken@demo.example",
     "school": "Osaka University", "gender": "male", "language": "ja",
     "cv": {"education": ["大阪大学 工学部"], "skills": ["TypeScript", "React", "Go"],
            "languages": ["日本語", "英語"], "desired_roles": ["フロントエンドエンジニア"],
            "free_text": "ウェブアプリの開発が好きです。"},
     "clients": ["demo-sakura"]},
    {"username": "demo.mia", "name": "Mia Weber", "email": "mia@demo.example",
     "school": "University of Tokyo", "language": "en",
     "cv": {"education": ["University of Tokyo, MSc Computer Science"],
            "skills": ["Python", "PyTorch", "Kafka"], "languages": ["English", "German"],
            "desired_roles": ["Machine learning engineer"], "desired_locations": ["Berlin"],
            "free_text": "Streaming data and machine learning."},
     "clients": ["demo-berlin"]},
]  # fmt: skip


class Demo:
    def __init__(self, gateway: str) -> None:
        self.http = httpx.Client(base_url=gateway, timeout=30)
        self.tokens: dict[str, dict[str, str]] = {}

    def call(self, method: str, path: str, who: dict[str, str] | None = None, **kw: Any) -> Any:
        """The answer's JSON; retries while a service has not read what it needs yet (409/422
        on data that arrives by Kafka)."""
        for _ in range(100):
            r = self.http.request(method, path, headers=who or {}, **kw)
            if r.status_code < 300:
                return r.json() if r.content else None
            if r.status_code == 429:
                time.sleep(int(r.headers.get("retry-after", "10")))
                continue
            if r.status_code not in (409, 422, 503):
                break
            time.sleep(0.2)
        raise SystemExit(f"demo: {method} {path} answered {r.status_code}: {r.text}")

    def login(self, username: str) -> dict[str, str] | None:
        """The account's bearer header, or None if it does not exist (yet)."""
        if username in self.tokens:
            return self.tokens[username]
        while True:
            body = {"username": username, "password": PASSWORD}
            r = self.http.post("/v1/auth/login", json=body)
            if r.status_code != 429:  # the gateway limits sign-ins per address: wait, then on
                break
            wait = int(r.headers.get("retry-after", "10"))
            print(f"demo: sign-ins rate-limited, waiting {wait} s", file=sys.stderr)
            time.sleep(wait)
        if r.status_code != 200:
            return None
        self.tokens[username] = {"Authorization": f"Bearer {r.json()['access_token']}"}
        return self.tokens[username]

    def staff(self) -> dict[str, str]:
        who = self.login(STAFF["username"])
        if who is None:
            subprocess.run(
                [sys.executable, "-m", "ac_identity.admin", "create-account", "--role", "staff",
                 "--username", STAFF["username"], "--name", STAFF["name"],
                 "--email", STAFF["email"]],
                env={**os.environ, "AC_ADMIN_PASSWORD": PASSWORD}, check=True,
            )  # fmt: skip
            who = self.login(STAFF["username"])
        if who is None:
            raise SystemExit("demo: the staff account cannot sign in")
        return who

    def account(self, staff: dict[str, str], role: str, org: str | None, **person: str) -> None:
        if self.login(person["username"]) is None:
            body = {**person, "password": PASSWORD, "role": role, "organization_id": org}
            self.call("POST", "/v1/accounts", staff, json=body)

    def organisations(self, staff: dict[str, str]) -> None:
        for org in ORGS:
            r = self.http.get(f"/v1/organisations/{org['organization_id']}", headers=staff)
            if r.status_code == 404:
                self.call("POST", "/v1/organisations", staff, json=org)
            recruiter = RECRUITERS[org["organization_id"]]
            self.account(staff, "client", org["organization_id"], username=recruiter,
                         name=f"{org['legal_name']} recruiter",
                         email=f"{recruiter.split('.')[1]}@demo.example")  # fmt: skip

    def every(self, path: str, who: dict[str, str]) -> list[Any]:
        """Every item of a list route, page after page."""
        items: list[Any] = []
        params: dict[str, Any] = {"limit": 100}
        while True:
            page = self.call("GET", path, who, params=params)
            items += page["items"]
            if page["next_cursor"] is None:
                return items
            params = {"limit": 100, "cursor": page["next_cursor"]}

    @staticmethod
    def vacancy(org: str, title: str, skills: list[str], country: str) -> dict[str, Any]:
        """A vacancy's body; an internship (by its title) is paid, hybrid, with a short form."""
        body: dict[str, Any] = {"title": title, "skills": skills, "location_country": country,
                                "description": f"{title} at {org}: {', '.join(skills)}."}  # fmt: skip
        if "intern" in title.lower() or "インターン" in title:
            body |= {"kind": "internship", "work_mode": "hybrid",
                     "internship": {"duration_weeks": 8, "hours_per_week": 20, "paid": True,
                                    "stipend": {"amount": 120000, "currency": "JPY",
                                                "per": "month"}, "school_credit": True},
                     "form": [{"kind": "short_text", "prompt": "Your school and year"},
                              {"kind": "yes_no", "prompt": "Can you come in two days a week?"}]}  # fmt: skip
        else:
            body["kind"] = "permanent"
        return body

    def vacancies(self) -> int:
        posted = 0
        for org, wanted in VACANCIES.items():
            who = self.login(RECRUITERS[org])
            assert who is not None
            have = {v["title"] for v in self.every("/v1/organisation/vacancies", who)}
            for title, skills, country in wanted:
                if title not in have:
                    body = self.vacancy(org, title, skills, country)
                    self.call("POST", "/v1/vacancies", who, json=body)
                    posted += 1
        return posted

    def verify(self, address: str) -> None:
        """Opens the verification link of the newest email to `address` in the mail sink."""
        for _ in range(150):
            newest_first = sorted((MAIL_DIR / "new").glob("*"), key=lambda p: -p.stat().st_mtime)
            for path in newest_first:
                mail = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
                body = mail.get_body(preferencelist=("plain",)) if mail["To"] == address else None
                link = (
                    re.search(r"verify-email\?token=([\w-]+)", str(body.get_content()))
                    if body
                    else None
                )
                if link:
                    self.call("POST", "/v1/email-verifications", json={"token": link.group(1)})
                    return
            time.sleep(0.2)
        print(f"demo: no verification email for {address} in {MAIL_DIR}/new", file=sys.stderr)

    def student(self, s: dict[str, Any], version: str, notice: str) -> None:
        person = {k: v for k, v in s.items() if k not in ("cv", "clients")}
        if self.login(s["username"]) is None:
            self.call("POST", "/v1/users", json={**person, "password": PASSWORD})
            self.verify(s["email"])
        who = self.login(s["username"])
        assert who is not None
        if self.http.get("/v1/me/resume", headers=who).status_code == 404:
            self.call("POST", "/v1/me/resume", who, json=s["cv"])
        page = self.call("GET", "/v1/me/consents", who)
        active = {(c["purpose"], c["recipient"]) for c in page["consents"]
                  if c["status"] == "active"}  # fmt: skip
        wanted = [("vacancy_assessment", "*", "JP"), ("cv_and_job_alerts", "*", "JP")]
        wanted += [("client_application", org, self.country(org)) for org in s["clients"]]
        for purpose, recipient, region in wanted:
            if (purpose, recipient) in active:
                continue
            body: dict[str, Any] = {"purpose": purpose, "recipient": recipient,
                                    "region": region, "policy_version": version}  # fmt: skip
            if purpose == "client_application":
                body["data_categories"] = ["name", "contact", "school", "resume"]
            if region != "JP":
                body["country_notice_sha256"] = notice
            self.call("POST", "/v1/me/consents", who, json=body)

    @staticmethod
    def country(org: str) -> str:
        return next(o["country"] for o in ORGS if o["organization_id"] == org)

    def run(self) -> None:
        staff = self.staff()
        self.account(staff, "auditor", None, **AUDITOR)
        self.organisations(staff)
        notice = self.call("POST", "/v1/country-notices", staff, json=DE_NOTICE)["notice_sha256"]
        posted = self.vacancies()
        version = self.call("GET", "/v1/policies", staff)["versions"][-1]
        for s in STUDENTS:
            self.student(s, version, notice)
        print(f"\nDemo data ready ({posted} vacancies posted now). Sign in with password "
              f"{PASSWORD!r} as:")  # fmt: skip
        print(f"  staff      {STAFF['username']}")
        print(f"  auditor    {AUDITOR['username']}")
        for org in ORGS:
            print(f"  recruiter  {RECRUITERS[org['organization_id']]:<14} "
                  f"({org['legal_name']}, {org['country']})")  # fmt: skip
        for s in STUDENTS:
            print(f"  student    {s['username']:<14} ({s['name']})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    default = f"http://127.0.0.1:{os.environ.get('AC_PORT_BASE', '8000')}"
    parser.add_argument("--gateway", default=default)
    Demo(parser.parse_args().gateway).run()


if __name__ == "__main__":
    main()
