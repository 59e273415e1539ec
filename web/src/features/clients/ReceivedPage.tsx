import { useTranslation } from "react-i18next";
import { useParams } from "react-router";

import { Page, Section } from "../../components/Page";
import { ErrorNote, Loading } from "../../components/Status";
import { formatDate } from "../../lib/format";
import { useReceivedOne } from "./api";

/** One application received: the record of the provision and the data exactly as it was sent
 * (the snapshot; none once the person is erased). */
export function ReceivedPage() {
  const { t, i18n } = useTranslation();
  const { disclosureId = "" } = useParams();
  const received = useReceivedOne(disclosureId);
  const r = received.data?.record as { shared_at?: string; purpose?: string; data_items?: string[] } | undefined;
  return (
    <Page title={t("clients.receivedOne")}>
      {received.isPending && <Loading />}
      <ErrorNote error={received.error} />
      {received.data && r && (
        <>
          <dl className="facts">
            <dt>{t("disclosures.date")}</dt><dd>{formatDate(r.shared_at, i18n.language)}</dd>
            <dt>{t("consents.purpose")}</dt><dd>{t(`purposes.${r.purpose ?? ""}`)}</dd>
            <dt>{t("disclosures.items")}</dt><dd>{(r.data_items ?? []).map((i) => t(`categories.${i}`)).join(", ")}</dd>
          </dl>
          <Section title={t("clients.snapshot")}>
            {received.data.data
              ? <pre className="preview" tabIndex={0} aria-label={`${t("clients.snapshot")} (JSON)`}>{JSON.stringify(received.data.data, null, 2)}</pre>
              : <p>{t("clients.erasedSnapshot")}</p>}
          </Section>
        </>
      )}
    </Page>
  );
}
