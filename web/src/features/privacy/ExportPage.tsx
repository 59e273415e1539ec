import { useTranslation } from "react-i18next";

import { Page } from "../../components/Page";
import { ErrorNote } from "../../components/Status";
import { PrivacyNav } from "./PrivacyNav";
import { useExport } from "./api";

/** Everything the platform holds about the person, downloaded as one JSON file. */
export function ExportPage() {
  const { t } = useTranslation();
  const exported = useExport();
  return (
    <Page title={t("export.title")}>
      <PrivacyNav />
      <p>{t("export.explain")}</p>
      <ErrorNote error={exported.error} />
      <button type="button" disabled={exported.isPending} onClick={() => exported.mutate(undefined, {
        onSuccess: (data) => {
          const url = URL.createObjectURL(new Blob([JSON.stringify(data, null, 2)], { type: "application/json" }));
          const link = document.createElement("a");
          link.href = url;
          link.download = `active-connector-${data.subject_id}.json`;
          link.click();
          setTimeout(() => URL.revokeObjectURL(url), 1000);
        },
      })}>{t("export.download")}</button>
      {exported.isSuccess && <p role="status" className="done">{t("export.done")}</p>}
    </Page>
  );
}
