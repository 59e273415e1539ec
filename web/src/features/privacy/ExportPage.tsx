import { useTranslation } from "react-i18next";
import { useNavigate } from "react-router";

import { Page } from "../../components/Page";
import { ErrorNote } from "../../components/Status";
import { useFileRequest } from "../desk/api";
import { PrivacyNav } from "./PrivacyNav";

/** A disclosure of everything held (APPI art. 33) is a request to the desk: filed here, then
 * verified on its page with the password and the code emailed, then shown and downloadable. */
export function ExportPage() {
  const { t, i18n } = useTranslation();
  const file = useFileRequest();
  const navigate = useNavigate();
  return (
    <Page title={t("export.title")}>
      <PrivacyNav />
      <p>{t("export.explain")}</p>
      <p>{t("export.stepUp")}</p>
      <ErrorNote error={file.error} />
      <button type="button" disabled={file.isPending} onClick={() => file.mutate(
        { kind: "disclosure", language: i18n.language === "en" ? "en" : "ja" },
        { onSuccess: (r) => void navigate(`/me/requests/${r.request_id}`) },
      )}>{t("export.request")}</button>
    </Page>
  );
}
