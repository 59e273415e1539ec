import { useState } from "react";
import { useTranslation } from "react-i18next";
import { useNavigate } from "react-router";

import { TextField } from "../../components/Field";
import { Page } from "../../components/Page";
import { Done, ErrorNote, Loading } from "../../components/Status";
import { signOut } from "../../lib/auth/session";
import { formatDate } from "../../lib/format";
import { useAccount } from "../../lib/queries";
import {
  useChangePassword, useChangeUsername, useResendVerification, useSessions, useSignOutEverywhere,
} from "./securityApi";

function PasswordForm() {
  const { t } = useTranslation();
  const [current, setCurrent] = useState("");
  const [next, setNext] = useState("");
  const change = useChangePassword();
  return (
    <form className="card narrow" aria-labelledby="password-heading" onSubmit={(e) => {
      e.preventDefault();
      change.mutate({ current_password: current, new_password: next },
        { onSuccess: () => { setCurrent(""); setNext(""); } });
    }}>
      <h2 id="password-heading">{t("account.changePassword")}</h2>
      <TextField label={t("account.currentPassword")} type="password" value={current}
        onChange={setCurrent} autoComplete="current-password" required />
      <TextField label={t("account.newPassword")} hint={t("auth.passwordRules")} type="password"
        value={next} onChange={setNext} autoComplete="new-password" required />
      <ErrorNote error={change.error} />
      {change.isSuccess && <Done>{t("account.passwordChanged")}</Done>}
      <button type="submit" disabled={change.isPending}>{t("account.changePassword")}</button>
    </form>
  );
}

function UsernameForm() {
  const { t } = useTranslation();
  const [username, setUsername] = useState("");
  const [password, setPassword] = useState("");
  const change = useChangeUsername();
  return (
    <form className="card narrow" aria-labelledby="username-heading" onSubmit={(e) => {
      e.preventDefault();
      change.mutate({ username, password }, { onSuccess: () => setPassword("") });
    }}>
      <h2 id="username-heading">{t("account.changeUsername")}</h2>
      <TextField label={t("account.newUsername")} hint={t("auth.usernameRules")} value={username}
        onChange={setUsername} autoComplete="username" required />
      <TextField label={t("account.confirmPassword")} type="password" value={password}
        onChange={setPassword} autoComplete="current-password" required />
      <ErrorNote error={change.error} />
      {change.isSuccess && <Done>{t("account.usernameChanged")}</Done>}
      <button type="submit" disabled={change.isPending}>{t("account.changeUsername")}</button>
    </form>
  );
}

function Verification() {
  const { t } = useTranslation();
  const resend = useResendVerification();
  return (
    <section className="card narrow" aria-labelledby="verify-heading">
      <h2 id="verify-heading">{t("account.unverified")}</h2>
      <ErrorNote error={resend.error} />
      {resend.isSuccess ? <Done>{t("account.verificationSent")}</Done> : (
        <button type="button" disabled={resend.isPending} onClick={() => resend.mutate()}>
          {t("account.resendVerification")}
        </button>
      )}
    </section>
  );
}

function Sessions() {
  const { t, i18n } = useTranslation();
  const sessions = useSessions();
  const everywhere = useSignOutEverywhere();
  const navigate = useNavigate();
  return (
    <section className="card" aria-labelledby="sessions-heading">
      <h2 id="sessions-heading">{t("account.sessions")}</h2>
      {!sessions.data ? <><Loading /><ErrorNote error={sessions.error} /></> : (
        <table>
          <thead>
            <tr><th scope="col">{t("account.sessionStarted")}</th><th scope="col">{t("account.sessionUsed")}</th>
              <th scope="col">{t("account.sessionState")}</th></tr>
          </thead>
          <tbody>
            {sessions.data.map((s) => (
              <tr key={s.session_id}>
                <td>{formatDate(s.created_at, i18n.language)}</td>
                <td>{formatDate(s.last_used_at, i18n.language)}</td>
                <td>{s.current ? t("account.thisSession") : s.active ? t("account.active") : t("account.ended")}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <ErrorNote error={everywhere.error} />
      <button type="button" disabled={everywhere.isPending} onClick={() => everywhere.mutate(undefined, {
        onSuccess: async () => {
          await signOut();
          void navigate("/sign-in");
        },
      })}>{t("account.signOutEverywhere")}</button>
    </section>
  );
}

/** `/me/security`: password, username, verification, sessions. */
export function SecurityPage() {
  const { t } = useTranslation();
  const account = useAccount();
  return (
    <Page title={t("account.securityTitle")}>
      {account.data && !account.data.email_verified && <Verification />}
      <PasswordForm />
      <UsernameForm />
      <Sessions />
    </Page>
  );
}
