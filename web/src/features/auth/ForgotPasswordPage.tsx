import { useState } from "react";
import { useTranslation } from "react-i18next";
import { Link } from "react-router";

import { TextField } from "../../components/Field";
import { Page } from "../../components/Page";
import { Done, ErrorNote } from "../../components/Status";
import { useRequestReset } from "./api";

/** "パスワードをお忘れの方": a reset link emailed, by username. The answer is the same
 * whether the account exists or not. */
export function ForgotPasswordPage() {
  const { t } = useTranslation();
  const [username, setUsername] = useState("");
  const request = useRequestReset();
  return (
    <Page title={t("account.forgotTitle")}>
      {request.isSuccess ? (
        <Done>{t("account.resetSent")}</Done>
      ) : (
        <form className="card narrow" onSubmit={(e) => {
          e.preventDefault();
          request.mutate(username);
        }}>
          <p>{t("account.forgotHelp")}</p>
          <TextField label={t("auth.username")} value={username} onChange={setUsername}
            autoComplete="username" required />
          <ErrorNote error={request.error} />
          <button type="submit" disabled={request.isPending}>{t("account.sendLink")}</button>
        </form>
      )}
      <p><Link to="/sign-in">{t("auth.signIn")}</Link></p>
    </Page>
  );
}
