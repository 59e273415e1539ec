import { useTranslation } from "react-i18next";

import { More } from "../../components/More";
import { Page } from "../../components/Page";
import { Empty, ErrorNote, Loading } from "../../components/Status";
import { countryName, formatDate } from "../../lib/format";
import { PrivacyNav } from "./PrivacyNav";
import { useDisclosures } from "./api";

type Record_ = {
  recipient_legal_name?: string; recipient_address?: string; recipient_representative?: string;
  recipient_country?: string; data_items?: string[]; sensitive_items?: string[];
  shared_at?: string; purpose?: string; decision?: { reason?: string } | null;
  legal?: { basis?: string; reference?: string } | null;
};

/** Every provision of the person's data to a third party: recipient, address, country, items,
 * date and the basis (their consent, or a legal basis). */
export function DisclosuresPage() {
  const { t, i18n } = useTranslation();
  const disclosures = useDisclosures();
  return (
    <Page title={t("disclosures.title")}>
      <PrivacyNav />
      {disclosures.isPending && <Loading />}
      <ErrorNote error={disclosures.error} />
      {disclosures.data?.length === 0 && <Empty text={t("disclosures.none")} />}
      {disclosures.data && disclosures.data.length > 0 && (
        <table>
          <caption>{t("disclosures.caption")}</caption>
          <thead><tr>
            <th scope="col">{t("disclosures.recipient")}</th><th scope="col">{t("disclosures.address")}</th>
            <th scope="col">{t("disclosures.country")}</th><th scope="col">{t("disclosures.items")}</th>
            <th scope="col">{t("disclosures.date")}</th><th scope="col">{t("disclosures.basis")}</th>
          </tr></thead>
          <tbody>
            {disclosures.data.map((d) => {
              const r = d.record as Record_;
              return (
                <tr key={d.event_id}>
                  <td>{r.recipient_legal_name}</td>
                  <td>{r.recipient_address}</td>
                  <td>{countryName(r.recipient_country ?? "", i18n.language)}</td>
                  <td>{[...(r.data_items ?? []).map((i) => t(`categories.${i}`)),
                    ...(r.sensitive_items ?? []).map((i) => t(`sensitive.${i}`))].join(", ")}</td>
                  <td>{formatDate(r.shared_at, i18n.language)}</td>
                  <td>{r.legal ? `${t("disclosures.legal")}: ${t(`legalBasis.${r.legal.basis ?? ""}`)}`
                    : `${t("disclosures.consent")} (${t(`purposes.${r.purpose ?? ""}`)})`}</td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
      <More list={disclosures} />
    </Page>
  );
}
