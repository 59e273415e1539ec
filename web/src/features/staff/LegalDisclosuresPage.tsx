import { useState } from "react";
import { useTranslation } from "react-i18next";

import { CheckGroup, SelectField, TextField } from "../../components/Field";
import { Page, Section } from "../../components/Page";
import { Done, ErrorNote } from "../../components/Status";
import type { Schemas } from "../../lib/api/client";
import { StaffNav } from "./StaffNav";
import { CATEGORIES, LEGAL_BASES, useLegalDisclosure } from "./api";

export function LegalDisclosuresPage() {
  const { t } = useTranslation();
  const disclose = useLegalDisclosure();
  const [subject, setSubject] = useState("");
  const [org, setOrg] = useState("");
  const [items, setItems] = useState<string[]>(["name"]);
  const [basis, setBasis] = useState<string>("laws_and_regulations");
  const [reference, setReference] = useState("");
  const [prejudice, setPrejudice] = useState(false);
  return (
    <Page title={t("staff.legal")}>
      <StaffNav />
      <p>{t("staff.legalExplain")}</p>
      <Section title={t("staff.recordLegal")}>
        <form onSubmit={(e) => {
          e.preventDefault();
          disclose.mutate({ subject_id: subject, organization_id: org,
            data_items: items as Schemas["DataCategory"][], legal_basis: basis as Schemas["LegalBasis"],
            legal_reference: reference, notice_would_prejudice: prejudice });
        }}>
          <TextField label={t("staff.subject")} value={subject} onChange={setSubject} required />
          <TextField label={t("consents.recipient")} hint={t("consents.recipientHint")} value={org} onChange={setOrg} required />
          <CheckGroup legend={t("disclosures.items")} selected={items} onChange={setItems}
            options={CATEGORIES.map((c) => ({ value: c, label: t(`categories.${c}`) }))} />
          <SelectField label={t("disclosures.basis")} value={basis} onChange={setBasis}>
            {LEGAL_BASES.map((b) => <option key={b} value={b}>{t(`legalBasis.${b}`)}</option>)}
          </SelectField>
          <TextField label={t("staff.reference")} value={reference} onChange={setReference} required />
          <p><label><input type="checkbox" checked={prejudice} onChange={(e) => setPrejudice(e.target.checked)} />{" "}
            {t("staff.noticeWouldPrejudice")}</label></p>
          <ErrorNote error={disclose.error} />
          {disclose.data && <Done>{t("staff.disclosed", { reason: t(`decision.${disclose.data.reason}`) })}</Done>}
          <button type="submit" disabled={disclose.isPending}>{t("staff.disclose")}</button>
        </form>
      </Section>
    </Page>
  );
}
