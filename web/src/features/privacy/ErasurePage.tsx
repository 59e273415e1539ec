import { useState } from "react";
import { useTranslation } from "react-i18next";
import { useNavigate } from "react-router";

import { TextField } from "../../components/Field";
import { Page } from "../../components/Page";
import { Done, ErrorNote } from "../../components/Status";
import { signOut } from "../../lib/auth/session";
import { erasureGraceSeconds } from "../../lib/config";
import { PrivacyNav } from "./PrivacyNav";
import { useErase } from "./api";

/** Erasure: confirmed with the password; the account ends at once and, after the grace period
 * (services finish what they owe: the confirmation email), the data key is destroyed. */
export function ErasurePage() {
  const { t } = useTranslation();
  const erase = useErase();
  const [password, setPassword] = useState("");
  const [sure, setSure] = useState(false);
  const grace = erasureGraceSeconds();
  const navigate = useNavigate();
  return (
    <Page title={t("erase.title")}>
      <PrivacyNav />
      <p>{t("erase.explain")}</p>
      <p className="warning">{t("erase.grace", { seconds: grace })}</p>
      <form className="card narrow" onSubmit={(e) => {
        e.preventDefault();
        erase.mutate(password, {
          // The account has ended: leave the signed-in pages, then forget the session.
          onSuccess: async () => { await navigate("/erased"); await signOut(); },
        });
      }}>
        <TextField label={t("erase.password")} type="password" value={password} onChange={setPassword}
          autoComplete="current-password" required />
        <label className="check">
          <input type="checkbox" checked={sure} onChange={(e) => setSure(e.target.checked)} />
          {t("erase.sure")}
        </label>
        <ErrorNote error={erase.error} />
        <button type="submit" className="danger" disabled={!sure || !password || erase.isPending}>{t("erase.confirm")}</button>
      </form>
    </Page>
  );
}

/** Where an erasure ends: the account is gone, the session forgotten. */
export function ErasedPage() {
  const { t } = useTranslation();
  return <Page title={t("erase.title")}><Done>{t("erase.done", { seconds: erasureGraceSeconds() })}</Done></Page>;
}
