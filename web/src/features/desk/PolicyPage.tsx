import { useState } from "react";
import { useTranslation } from "react-i18next";
import { Link } from "react-router";

import { SelectField } from "../../components/Field";
import { Page, Section } from "../../components/Page";
import { ErrorNote, Loading } from "../../components/Status";
import { formatDate } from "../../lib/format";
import { usePolicy, usePolicyDiff, usePolicyVersion } from "./api";

/** The privacy policy in effect, read without signing in: its text in the chosen language, the
 * purposes, who may receive data and where, how to reach the desk; every version, and what
 * changed between two. */
export function PolicyPage() {
  const { t, i18n } = useTranslation();
  const policy = usePolicy();
  const lang = i18n.language === "en" ? "en" : "ja";
  const versions = policy.data?.versions ?? [];
  const [shown, setShown] = useState<string | null>(null);
  const [from, setFrom] = useState<string | null>(null);
  const [to, setTo] = useState<string | null>(null);
  const other = usePolicyVersion(shown);
  const diff = usePolicyDiff(from, to);
  const current = shown && other.data ? other.data : policy.data?.current;
  return (
    <Page title={t("policy.title")}>
      {policy.isPending && <Loading />}
      <ErrorNote error={policy.error ?? other.error} />
      {policy.data && current && (
        <>
          <p className="meta">{t("policy.version", { version: current.policy_version,
            date: formatDate(current.effective_at, i18n.language) })}</p>
          <Section title={t("policy.text")}>
            {current.texts ? <div className="prose policy-text" lang={lang}>{current.texts[lang]}</div>
              : <p>{t("policy.noText")}</p>}
          </Section>
          <Section title={t("policy.purposes")}>
            <ul>
              {policy.data.purposes.map((p) => (
                <li key={p.code}>{p[lang]}{p.third_party ? ` (${t("policy.thirdParty")})` : ""}{p.opt_in ? ` (${t("policy.optIn")})` : ""}</li>
              ))}
            </ul>
          </Section>
          <Section title={t("policy.recipients")}>
            <ul>
              {policy.data.recipients.map((r) => <li key={r.category}>{r[lang]}: {r.countries.join(", ")}</li>)}
            </ul>
          </Section>
          <Section title={t("policy.contact")}>
            <dl className="facts">
              <dt>{t("guest.email")}</dt><dd>{policy.data.contact.email}</dd>
              <dt>{t("apply.address")}</dt><dd>{policy.data.contact.postal_address}</dd>
              <dt>{t("policy.hours")}</dt><dd>{policy.data.contact.hours}</dd>
            </dl>
            <p><Link to="/enquiries">{t("guest.title")}</Link> · <Link to="/me/requests">{t("desk.myRequests")}</Link></p>
          </Section>
          <Section title={t("policy.versions")}>
            <table>
              <caption>{t("policy.versions")}</caption>
              <thead><tr><th scope="col">{t("staff.version")}</th><th scope="col">{t("staff.effectiveAt")}</th>
                <th scope="col">{t("staff.significant")}</th><th scope="col">{t("policy.read")}</th></tr></thead>
              <tbody>
                {versions.map((v) => (
                  <tr key={v.policy_version}>
                    <td>{v.policy_version}</td><td>{formatDate(v.effective_at, i18n.language)}</td>
                    <td>{v.significant.map((p) => t(`purposes.${p}`)).join(", ") || "—"}</td>
                    <td><button type="button" className="secondary" onClick={() => setShown(v.policy_version)}
                      aria-label={t("policy.readOne", { version: v.policy_version })}>{t("policy.read")}</button></td>
                  </tr>
                ))}
              </tbody>
            </table>
            {versions.length > 1 && (
              <div className="diff-form">
                <SelectField label={t("policy.from")} value={from ?? ""} onChange={(v) => setFrom(v || null)}>
                  <option value="">—</option>
                  {versions.map((v) => <option key={v.policy_version} value={v.policy_version}>{v.policy_version}</option>)}
                </SelectField>
                <SelectField label={t("policy.to")} value={to ?? ""} onChange={(v) => setTo(v || null)}>
                  <option value="">—</option>
                  {versions.map((v) => <option key={v.policy_version} value={v.policy_version}>{v.policy_version}</option>)}
                </SelectField>
              </div>
            )}
            <ErrorNote error={diff.error} />
            {diff.data && (
              <>
                <ul>
                  {diff.data.changes.map((c) => (
                    <li key={c.purpose}>{t(`purposes.${c.purpose}`)}: {c.significant ? t("policy.significant")
                      : c.changed ? t("policy.changed") : t("policy.unchanged")}</li>
                  ))}
                </ul>
                <pre className="preview diff" tabIndex={0} aria-label={t("policy.diff")}>{diff.data.texts[lang] || t("policy.sameText")}</pre>
              </>
            )}
          </Section>
        </>
      )}
    </Page>
  );
}
