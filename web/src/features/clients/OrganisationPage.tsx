import { useTranslation } from "react-i18next";
import { Link } from "react-router";

import { More } from "../../components/More";
import { Page, Section } from "../../components/Page";
import { Empty, ErrorNote, Loading } from "../../components/Status";
import { countryName, formatDate } from "../../lib/format";
import { useAccount, useOrganisation, useReceived } from "./api";

/** A client's organisation, and the applications it received (each a provision). */
export function OrganisationPage() {
  const { t, i18n } = useTranslation();
  const account = useAccount();
  const org = useOrganisation(account.data?.organization_id);
  const received = useReceived();
  return (
    <Page title={t("clients.title")}>
      {(account.isPending || org.isPending) && <Loading />}
      <ErrorNote error={account.error ?? org.error ?? received.error} />
      {org.data && (
        <dl className="facts">
          <dt>{t("clients.legalName")}</dt><dd>{org.data.legal_name}</dd>
          <dt>{t("clients.id")}</dt><dd>{org.data.organization_id}</dd>
          <dt>{t("apply.address")}</dt><dd>{org.data.address}</dd>
          <dt>{t("apply.representative")}</dt><dd>{org.data.representative}</dd>
          <dt>{t("apply.country")}</dt><dd>{countryName(org.data.country, i18n.language)}</dd>
        </dl>
      )}
      <p><Link to="/organisation/vacancies">{t("nav.ownVacancies")}</Link></p>
      <Section title={t("clients.receivedTitle")}>
        <p>{t("clients.receivedExplain")}</p>
        {received.data?.length === 0 && <Empty text={t("clients.noneReceived")} />}
        <ul>
          {(received.data ?? []).map((d) => {
            const r = d.record as { disclosure_id?: string; shared_at?: string; data_items?: string[] };
            return (
              <li key={d.event_id}>
                <Link to={`/organisation/disclosures/${r.disclosure_id}`}>
                  {formatDate(r.shared_at, i18n.language)} — {(r.data_items ?? []).map((i) => t(`categories.${i}`)).join(", ")}
                </Link>
              </li>
            );
          })}
        </ul>
        <More list={received} />
      </Section>
    </Page>
  );
}
