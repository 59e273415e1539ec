import { useTranslation } from "react-i18next";
import { useSearchParams } from "react-router";

import { Page } from "../../components/Page";
import { Empty, ErrorNote, Loading } from "../../components/Status";
import { formatDate } from "../../lib/format";
import { PrivacyNav } from "./PrivacyNav";
import { useConsentPage, useObject, usePolicies } from "./api";

/** Business transfers (the email links here: `/me/transfer-objections?transfer=`): each with its
 * acquirer, the purposes it covers and the deadline; an opt-out until then, one click. */
export function TransfersPage() {
  const { t, i18n } = useTranslation();
  const [params] = useSearchParams();
  const policies = usePolicies();
  const page = useConsentPage();
  const object = useObject();
  const highlighted = params.get("transfer");
  const objected = new Set(page.data?.objections ?? []);
  const transfers = policies.data?.transfers ?? [];
  return (
    <Page title={t("transfers.title")}>
      <PrivacyNav />
      <p>{t("transfers.explain")}</p>
      {(policies.isPending || page.isPending) && <Loading />}
      <ErrorNote error={policies.error ?? page.error ?? object.error} />
      {policies.data && transfers.length === 0 && <Empty text={t("transfers.none")} />}
      <ul className="cards">
        {transfers.map((tr) => {
          const open = new Date(tr.opt_out_deadline).getTime() > Date.now();
          return (
            <li key={tr.transfer_id} className={`card${tr.transfer_id === highlighted ? " highlighted" : ""}`}>
              <h2>{t("transfers.to", { acquirer: tr.acquirer })}</h2>
              <p>{t("transfers.purposes")}: {tr.purposes.map((p) => t(`purposes.${p}`)).join(", ")}</p>
              <p>{t("transfers.deadline")}: {formatDate(tr.opt_out_deadline, i18n.language)}</p>
              {objected.has(tr.transfer_id) ? <p role="status">{t("transfers.objected")}</p>
                : open ? (
                  <button type="button" disabled={object.isPending}
                    onClick={() => object.mutate(tr.transfer_id)}>
                    {t("transfers.optOut", { acquirer: tr.acquirer })}
                  </button>
                ) : <p>{t("transfers.closed")}</p>}
            </li>
          );
        })}
      </ul>
    </Page>
  );
}
