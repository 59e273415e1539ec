import { useState } from "react";
import { useTranslation } from "react-i18next";

import { TextField } from "../../components/Field";
import { Page, Section } from "../../components/Page";
import { Done, ErrorNote } from "../../components/Status";
import { asCountry } from "../../lib/vocabulary";
import { StaffNav } from "./StaffNav";
import { useRegisterOrganisation } from "./api";

export function OrganisationsPage() {
  const { t } = useTranslation();
  const register = useRegisterOrganisation();
  const [form, setForm] = useState({ organization_id: "", legal_name: "", address: "", representative: "", country: "JP" });
  const set = (key: keyof typeof form) => (value: string) => setForm({ ...form, [key]: value });
  return (
    <Page title={t("staff.organisations")}>
      <StaffNav />
      <Section title={t("staff.registerOrganisation")}>
        <form onSubmit={(e) => { e.preventDefault(); register.mutate({ ...form, country: asCountry(form.country) }); }}>
          <TextField label={t("clients.id")} value={form.organization_id} onChange={set("organization_id")} required />
          <TextField label={t("clients.legalName")} value={form.legal_name} onChange={set("legal_name")} required />
          <TextField label={t("apply.address")} value={form.address} onChange={set("address")} required />
          <TextField label={t("apply.representative")} value={form.representative} onChange={set("representative")} required />
          <TextField label={t("apply.country")} hint={t("consents.regionHint")} value={form.country} onChange={set("country")} required />
          <ErrorNote error={register.error} />
          {register.data && <Done>{t("staff.organisationRegistered", { id: register.data.organization_id })}</Done>}
          <button type="submit" disabled={register.isPending}>{t("staff.register")}</button>
        </form>
      </Section>
    </Page>
  );
}
