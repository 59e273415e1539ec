import { useState } from "react";
import { useTranslation } from "react-i18next";
import { Link, useNavigate, useSearchParams } from "react-router";

import { TextField } from "../../components/Field";
import { Page } from "../../components/Page";
import { ErrorNote } from "../../components/Status";
import { useSignIn } from "./api";

export function SignInPage() {
  const { t } = useTranslation();
  const [username, setUsername] = useState("");
  const [password, setPassword] = useState("");
  const signIn = useSignIn();
  const navigate = useNavigate();
  const [params] = useSearchParams();
  return (
    <Page title={t("auth.signInTitle")}>
      <form className="card narrow" onSubmit={(e) => {
        e.preventDefault();
        signIn.mutate({ username, password }, {
          onSuccess: () => void navigate(params.get("next") ?? "/"),
        });
      }}>
        <TextField label={t("auth.username")} value={username} onChange={setUsername}
          autoComplete="username" required />
        <TextField label={t("auth.password")} type="password" value={password}
          onChange={setPassword} autoComplete="current-password" required />
        <ErrorNote error={signIn.error} />
        <button type="submit" disabled={signIn.isPending}>{t("auth.signIn")}</button>
      </form>
      <p><Link to="/forgot-password">{t("account.forgot")}</Link></p>
      <p><Link to="/register">{t("auth.noAccount")}</Link></p>
    </Page>
  );
}
