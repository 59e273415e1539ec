import { useState } from "react";
import { useTranslation } from "react-i18next";
import { Link } from "react-router";

import { TextField } from "../../components/Field";
import { Page, Section } from "../../components/Page";
import { ErrorNote, Loading } from "../../components/Status";
import { countryName, formatDate, formatNumber } from "../../lib/format";
import { useChecks, useReportHtml } from "./api";

/** The audit: replay the log, run every rule, read the report (and download it as a page). */
export function AuditPage() {
  const { t, i18n } = useTranslation();
  const checks = useChecks();
  const html = useReportHtml();
  const [until, setUntil] = useState("");
  const [subject, setSubject] = useState("");
  const query = { ...(until ? { until: new Date(until).toISOString() } : {}), ...(subject ? { subject } : {}) };
  const report = checks.data;
  const n = (x: number) => formatNumber(x, i18n.language);
  return (
    <Page title={t("audit.title")}>
      <p><Link to="/audit/subjects">{t("audit.recordTitle")}</Link></p>
      <form className="card" onSubmit={(e) => { e.preventDefault(); checks.mutate(query); }}>
        <TextField label={t("audit.until")} type="datetime-local" value={until} onChange={setUntil} />
        <TextField label={t("audit.subject")} value={subject} onChange={setSubject} />
        <ErrorNote error={checks.error ?? html.error} />
        <button type="submit" disabled={checks.isPending}>{t("audit.run")}</button>{" "}
        <button type="button" className="secondary" disabled={html.isPending}
          onClick={() => html.mutate(query, {
            onSuccess: (text) => {
              const url = URL.createObjectURL(new Blob([text], { type: "text/html" }));
              const link = document.createElement("a");
              link.href = url;
              link.download = "audit-report.html";
              link.click();
              setTimeout(() => URL.revokeObjectURL(url), 1000);
            },
          })}>{t("audit.download")}</button>
      </form>
      {checks.isPending && <Loading />}
      {report && (
        <>
          <Section title={t("audit.summary")}>
            <p role="status" className={report.rules.every((r) => (r.findings ?? []).length === 0) ? "done" : "error"}>
              {t("audit.verdict", { findings: n(report.rules.reduce((s, r) => s + (r.findings ?? []).length, 0)),
                rules: n(report.rules.length) })}
            </p>
            <dl className="facts">
              <dt>{t("audit.generated")}</dt><dd>{formatDate(report.generated_at, i18n.language)}</dd>
              <dt>{t("audit.events")}</dt><dd>{n(report.summary.events)}</dd>
              <dt>{t("audit.people")}</dt><dd>{n(report.summary.people)} ({t("audit.erased")}: {n(report.summary.erased_people)})</dd>
              <dt>{t("audit.consents")}</dt><dd>{n(report.summary.consents_granted)} / {n(report.summary.consents_withdrawn)}</dd>
              <dt>{t("audit.disclosures")}</dt><dd>{n(report.summary.disclosures)} ({t("audit.blocked")}: {n(report.summary.blocked)})</dd>
              <dt>{t("audit.rulesVersion")}</dt><dd>{report.rules_version}</dd>
            </dl>
          </Section>
          <Section title={t("audit.rules")}>
            <table>
              <caption>{t("audit.rules")}</caption>
              <thead><tr><th scope="col">{t("audit.rule")}</th><th scope="col">{t("audit.checked")}</th>
                <th scope="col">{t("audit.findings")}</th></tr></thead>
              <tbody>
                {report.rules.map((r) => (
                  <tr key={r.name}>
                    <th scope="row">{r.title}<br /><span className="meta">{r.description}</span></th>
                    <td>{n(r.checked)}</td>
                    <td>{(r.findings ?? []).length === 0 ? t("audit.passed")
                      : <ul>{(r.findings ?? []).map((f, i) => <li key={i}>{f.detail}</li>)}</ul>}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </Section>
          <Section title={t("audit.disclosures")}>
            <table>
              <caption>{t("audit.disclosures")}</caption>
              <thead><tr><th scope="col">{t("disclosures.date")}</th><th scope="col">{t("disclosures.recipient")}</th>
                <th scope="col">{t("disclosures.country")}</th><th scope="col">{t("disclosures.items")}</th>
                <th scope="col">{t("disclosures.basis")}</th></tr></thead>
              <tbody>
                {report.disclosures.map((d) => (
                  <tr key={d.event_id}>
                    <td>{formatDate(d.shared_at, i18n.language)}</td><td>{d.recipient_legal_name}</td>
                    <td>{countryName(d.recipient_country, i18n.language)}</td>
                    <td>{d.data_items.map((i) => t(`categories.${i}`)).join(", ")}</td>
                    <td>{d.basis === "legal" ? t("disclosures.legal") : t("disclosures.consent")}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </Section>
        </>
      )}
    </Page>
  );
}
