import { useTranslation } from "react-i18next";

import { Page, Section } from "../../components/Page";
import { Empty, ErrorNote, Loading } from "../../components/Status";
import type { Schemas } from "../../lib/api/client";
import { countryName, formatDate } from "../../lib/format";
import { PrivacyNav } from "./PrivacyNav";
import { GrantForm } from "./GrantForm";
import { currentPolicy, useConsentPage, useGrant, usePolicies, useWithdraw } from "./api";

/** The privacy centre's first page (emails link here: `/me/consents`): every consent, one
 * click to withdraw each, and what a significant policy change asks of the person. */
export function ConsentsPage() {
  const { t, i18n } = useTranslation();
  const page = useConsentPage();
  const policies = usePolicies();
  const withdraw = useWithdraw();
  const again = useGrant();
  const version = currentPolicy(policies.data?.versions);
  const standing = (page.data?.consents ?? []).filter((c) => c.status !== "withdrawn");
  const same = (a: { purpose: string; recipient: string; region: string }, b: typeof a) =>
    a.purpose === b.purpose && a.recipient === b.recipient && a.region === b.region;
  // A consent to choose again, unless the person already gave it anew under the current policy.
  const reconsent = standing.filter((c) => c.status === "reconsent_required" &&
    !standing.some((d) => d.status === "active" && same(c, d)));
  const withdrawn = (page.data?.consents ?? []).filter((c) => c.status === "withdrawn");
  const to = (c: { recipient: string; region: string }) =>
    c.recipient === "*" ? t("consents.inCompany") : `${c.recipient} (${countryName(c.region, i18n.language)})`;
  return (
    <Page title={t("privacy.title")}>
      <PrivacyNav />
      {page.isPending && <Loading />}
      <ErrorNote error={page.error ?? withdraw.error ?? again.error} />
      {reconsent.length > 0 && (
        <Section title={t("consents.reconsentTitle")}>
          <p>{t("consents.reconsentExplain")}</p>
          <ul>
            {reconsent.map((c) => (
              <li key={c.consent_id}>
                {t(`purposes.${c.purpose}`)} — {to(c)}:{" "}
                {t("consents.changedIn", { from: c.policy_version,
                  to: policies.data?.significant_since[c.purpose] ?? "" })}{" "}
                <button type="button" onClick={() => version && again.mutate({
                  purpose: c.purpose, recipient: c.recipient, region: c.region as Schemas["GrantBody"]["region"],
                  data_categories: c.data_categories, sensitive_categories: c.sensitive_categories,
                  policy_version: version,
                })}>{t("consents.consentAgain", { version })}</button>
              </li>
            ))}
          </ul>
        </Section>
      )}
      <Section title={t("consents.standingTitle")}>
        {page.data && standing.length === 0 && <Empty text={t("consents.none")} />}
        {standing.length > 0 && (
          <table>
            <caption>{t("consents.standingTitle")}</caption>
            <thead><tr>
              <th scope="col">{t("consents.purpose")}</th><th scope="col">{t("consents.recipient")}</th>
              <th scope="col">{t("consents.categories")}</th><th scope="col">{t("consents.since")}</th>
              <th scope="col">{t("consents.state")}</th><th scope="col">{t("consents.action")}</th>
            </tr></thead>
            <tbody>
              {standing.map((c) => (
                <tr key={c.consent_id}>
                  <td>{t(`purposes.${c.purpose}`)}</td>
                  <td>{to(c)}</td>
                  <td>{c.data_categories.map((d) => t(`categories.${d}`)).join(", ") || "—"}</td>
                  <td>{formatDate(c.since, i18n.language)} ({c.policy_version})</td>
                  <td>{t(`consents.states.${c.status}`)}</td>
                  <td>
                    <button type="button" className="secondary" disabled={withdraw.isPending}
                      aria-label={t("consents.withdrawOne", { purpose: t(`purposes.${c.purpose}`), to: to(c) })}
                      onClick={() => withdraw.mutate(c.consent_id)}>{t("consents.withdraw")}</button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </Section>
      <GrantForm />
      {withdrawn.length > 0 && (
        <Section title={t("consents.withdrawnTitle")}>
          <ul>
            {withdrawn.map((c) => (
              <li key={c.consent_id}>{t(`purposes.${c.purpose}`)} — {to(c)} ({formatDate(c.since, i18n.language)})</li>
            ))}
          </ul>
        </Section>
      )}
    </Page>
  );
}
