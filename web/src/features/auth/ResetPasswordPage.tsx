import { useState } from "react";
import { useTranslation } from "react-i18next";
import { Link, useSearchParams } from "react-router";

import { TextField } from "../../components/Field";
import { Page } from "../../components/Page";
import { ApiError } from "../../lib/api/errors";
import { Done, ErrorNote } from "../../components/Status";
import { useConfirmReset } from "./api";

/** The page the reset email links to (`/reset-password?token=`): a new password. */
export function ResetPasswordPage() {
  const { t } = useTranslation();
  const [params] = useSearchParams();
  const token = params.get("token") ?? "";
  const [password, setPassword] = useState("");
  const confirm = useConfirmReset();
  if (!token) {
    return (
      <Page title={t("account.resetTitle")}>
        <ErrorNote error={new ApiError(400, { detail: { reason: "reset_link_invalid" } })} />
        <p><Link to="/forgot-password">{t("account.forgotTitle")}</Link></p>
      </Page>
    );
  }
  return (
    <Page title={t("account.resetTitle")}>
      {confirm.isSuccess ? (
        <Done>{t("account.resetDone")}</Done>
      ) : (
        <form className="card narrow" onSubmit={(e) => {
          e.preventDefault();
          confirm.mutate({ token, new_password: password });
        }}>
          <TextField label={t("account.newPassword")} hint={t("auth.passwordRules")} type="password"
            value={password} onChange={setPassword} autoComplete="new-password" required />
          <ErrorNote error={confirm.error} />
          <button type="submit" disabled={confirm.isPending}>{t("account.setPassword")}</button>
        </form>
      )}
      <p><Link to="/sign-in">{t("auth.signIn")}</Link></p>
    </Page>
  );
}
