import { useState } from "react";
import { useTranslation } from "react-i18next";

import { TextField } from "../../components/Field";
import { Page, Section } from "../../components/Page";
import { ErrorNote, Loading } from "../../components/Status";
import { formatDate } from "../../lib/format";
import { useRecord } from "./api";

/** One person's record as the log stood at a chosen time, from the log alone. */
export function SubjectRecordPage() {
  const { t, i18n } = useTranslation();
  const record = useRecord();
  const [subject, setSubject] = useState("");
  const [asOf, setAsOf] = useState("");
  const r = record.data;
  const json = (value: unknown, label: string) => (
    <pre className="preview" tabIndex={0} aria-label={`${label} (JSON)`}>{JSON.stringify(value, null, 2)}</pre>
  );
  return (
    <Page title={t("audit.recordTitle")}>
      <form className="card" onSubmit={(e) => {
        e.preventDefault();
        record.mutate({ subject, ...(asOf ? { asOf: new Date(asOf).toISOString() } : {}) });
      }}>
        <TextField label={t("audit.subject")} value={subject} onChange={setSubject} required />
        <TextField label={t("audit.asOf")} type="datetime-local" value={asOf} onChange={setAsOf} />
        <ErrorNote error={record.error} />
        <button type="submit" disabled={record.isPending}>{t("audit.lookUp")}</button>
      </form>
      {record.isPending && <Loading />}
      {r && (
        <>
          <dl className="facts">
            <dt>{t("audit.subject")}</dt><dd>{r.subject_id}</dd>
            <dt>{t("audit.asOf")}</dt><dd>{r.as_of ? formatDate(r.as_of, i18n.language) : t("audit.now")}</dd>
            <dt>{t("audit.erased")}</dt><dd>{r.erased ? `${t("common.yes")} (${formatDate(r.erased_at, i18n.language)})` : t("common.no")}</dd>
          </dl>
          <Section title={t("audit.profile")}>{json(r.profile, t("audit.profile"))}</Section>
          <Section title={t("audit.standing")}>{json(r.consents, t("audit.standing"))}</Section>
          <Section title={t("audit.withdrawn")}>{json(r.withdrawn, t("audit.withdrawn"))}</Section>
          <Section title={t("audit.provisions")}>{json(r.provisions, t("audit.provisions"))}</Section>
          <Section title={t("audit.blockedShares")}>{json(r.blocked, t("audit.blockedShares"))}</Section>
        </>
      )}
    </Page>
  );
}
