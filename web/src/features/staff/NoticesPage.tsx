import { useState } from "react";
import { useTranslation } from "react-i18next";

import { TextArea, TextField } from "../../components/Field";
import { Page, Section } from "../../components/Page";
import { Done, ErrorNote } from "../../components/Status";
import { asCountry } from "../../lib/vocabulary";
import { StaffNav } from "./StaffNav";
import { usePublishNotice } from "./api";

export function NoticesPage() {
  const { t } = useTranslation();
  const publish = usePublishNotice();
  const [form, setForm] = useState({ country: "", country_name: "", protection_system: "", recipient_measures: "" });
  const set = (key: keyof typeof form) => (value: string) => setForm({ ...form, [key]: value });
  return (
    <Page title={t("staff.notices")}>
      <StaffNav />
      <Section title={t("staff.publishNotice")}>
        <form onSubmit={(e) => { e.preventDefault(); publish.mutate({ ...form, country: asCountry(form.country) }); }}>
          <TextField label={t("consents.region")} hint={t("consents.regionHint")} value={form.country} onChange={set("country")} required />
          <TextField label={t("staff.countryName")} value={form.country_name} onChange={set("country_name")} required />
          <TextArea label={t("consents.protectionSystem")} value={form.protection_system} onChange={set("protection_system")} rows={4} />
          <TextArea label={t("consents.recipientMeasures")} value={form.recipient_measures} onChange={set("recipient_measures")} rows={4} />
          <ErrorNote error={publish.error} />
          {publish.data && <Done>{t("staff.noticePublished", { sha: publish.data.notice_sha256 })}</Done>}
          <button type="submit" disabled={publish.isPending}>{t("staff.publish")}</button>
        </form>
      </Section>
    </Page>
  );
}
