import { useTranslation } from "react-i18next";
import { useSearchParams } from "react-router";

import { Page } from "../../components/Page";
import { Done, ErrorNote } from "../../components/Status";
import { useUnsubscribe } from "./api";

/** The page an email's unsubscribe link opens: nothing is withdrawn until the person confirms
 * (a mail scanner that follows the link changes nothing). */
export function UnsubscribePage() {
  const { t } = useTranslation();
  const [params] = useSearchParams();
  const unsubscribe = useUnsubscribe();
  const token = params.get("token") ?? "";
  return (
    <Page title={t("unsubscribe.title")}>
      {unsubscribe.data ? (
        <Done>{t("unsubscribe.done", { purpose: t(`purposes.${unsubscribe.data.purpose}`) })}</Done>
      ) : (
        <>
          <p>{t("unsubscribe.explain")}</p>
          <ErrorNote error={unsubscribe.error} />
          <button type="button" disabled={!token || unsubscribe.isPending}
            onClick={() => unsubscribe.mutate(token)}>{t("unsubscribe.confirm")}</button>
        </>
      )}
    </Page>
  );
}
