import { useTranslation } from "react-i18next";

import { ErrorNote, Loading } from "../../components/Status";
import { countryName, formatDate } from "../../lib/format";
import { useDisclosure } from "./api";

type Provision = { record?: { recipient_legal_name?: string; recipient_country?: string;
  data_items?: string[]; shared_at?: string } };

/** The disclosure (APPI art. 33): every record of the data's provision to third parties, and
 * everything held, downloadable as one JSON file. */
export function DisclosureView({ requestId }: { requestId: string }) {
  const { t, i18n } = useTranslation();
  const disclosure = useDisclosure(requestId, true);
  const d = disclosure.data;
  const download = () => {
    if (!d) return;
    const url = URL.createObjectURL(new Blob([JSON.stringify(d, null, 2)], { type: "application/json" }));
    const link = document.createElement("a");
    link.href = url;
    link.download = `active-connector-${d.subject_id}.json`;
    link.click();
    setTimeout(() => URL.revokeObjectURL(url), 1000);
  };
  return (
    <div className="disclosure">
      {disclosure.isPending && <Loading />}
      <ErrorNote error={disclosure.error} />
      {d && (
        <>
          <dl className="facts">
            <dt>{t("desk.subject")}</dt><dd>{d.subject_id}</dd>
            <dt>{t("desk.gathered")}</dt><dd>{formatDate(d.exported_at, i18n.language)}</dd>
            <dt>{t("desk.provisions")}</dt><dd data-testid="provisions">{(d.disclosures ?? []).length}</dd>
          </dl>
          {(d.disclosures ?? []).length > 0 && (
            <table>
              <caption>{t("desk.provisions")}</caption>
              <thead><tr>
                <th scope="col">{t("disclosures.recipient")}</th><th scope="col">{t("disclosures.country")}</th>
                <th scope="col">{t("disclosures.items")}</th><th scope="col">{t("disclosures.date")}</th>
              </tr></thead>
              <tbody>
                {(d.disclosures as Provision[]).map((p, i) => (
                  <tr key={i}>
                    <td>{p.record?.recipient_legal_name}</td>
                    <td>{countryName(p.record?.recipient_country ?? "", i18n.language)}</td>
                    <td>{(p.record?.data_items ?? []).map((c) => t(`categories.${c}`)).join(", ")}</td>
                    <td>{formatDate(p.record?.shared_at, i18n.language)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
          <button type="button" onClick={download}>{t("export.download")}</button>
        </>
      )}
    </div>
  );
}
