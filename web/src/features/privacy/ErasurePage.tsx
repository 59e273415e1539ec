import { useEffect, useState } from "react";
import { useTranslation } from "react-i18next";
import { useLocation, useNavigate } from "react-router";

import { Page } from "../../components/Page";
import { Done, ErrorNote } from "../../components/Status";
import { signOut } from "../../lib/auth/session";
import { erasureGraceSeconds } from "../../lib/config";
import { useFileRequest } from "../desk/api";
import { PrivacyNav } from "./PrivacyNav";

/** Erasure is a request to the desk: filed here, then verified with the password and the code
 * emailed (on the request's page); once verified the account ends at once and, after the grace
 * period (services finish what they owe: the confirmation email), the data key is destroyed. */
export function ErasurePage() {
  const { t, i18n } = useTranslation();
  const file = useFileRequest();
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
        file.mutate({ kind: "erasure", language: i18n.language === "en" ? "en" : "ja" },
          { onSuccess: (r) => void navigate(`/me/requests/${r.request_id}`) });
      }}>
        <p>{t("erase.stepUp")}</p>
        <label className="check">
          <input type="checkbox" checked={sure} onChange={(e) => setSure(e.target.checked)} />
          {t("erase.sure")}
        </label>
        <ErrorNote error={file.error} />
        <button type="submit" className="danger" disabled={!sure || file.isPending}>{t("erase.confirm")}</button>
      </form>
    </Page>
  );
}

/** Where an erasure ends: the account is gone, the session forgotten. */
export function ErasedPage() {
  const { t } = useTranslation();
  const erased = (useLocation().state as { erased?: boolean } | null)?.erased === true;
  useEffect(() => { if (erased) void signOut(); }, [erased]);
  return <Page title={t("erase.title")}><Done>{t("erase.done", { seconds: erasureGraceSeconds() })}</Done></Page>;
}
