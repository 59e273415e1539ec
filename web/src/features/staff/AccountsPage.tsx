import { useState } from "react";
import { useTranslation } from "react-i18next";

import { SelectField, TextField } from "../../components/Field";
import { Page, Section } from "../../components/Page";
import { Done, ErrorNote } from "../../components/Status";
import { StaffNav } from "./StaffNav";
import { useCreateAccount } from "./api";

export function AccountsPage() {
  const { t } = useTranslation();
  const create = useCreateAccount();
  const [form, setForm] = useState({ username: "", password: "", name: "", email: "", organization_id: "" });
  const [role, setRole] = useState<"client" | "staff" | "auditor">("client");
  const set = (key: keyof typeof form) => (value: string) => setForm({ ...form, [key]: value });
  return (
    <Page title={t("staff.accounts")}>
      <StaffNav />
      <Section title={t("staff.createAccount")}>
        <form onSubmit={(e) => {
          e.preventDefault();
          create.mutate({ username: form.username, password: form.password, name: form.name, email: form.email,
            role, organization_id: role === "client" ? form.organization_id : null });
        }}>
          <SelectField label={t("profile.role")} value={role}
            onChange={(v) => setRole(v === "staff" ? "staff" : v === "auditor" ? "auditor" : "client")}>
            <option value="client">{t("roles.client")}</option>
            <option value="staff">{t("roles.staff")}</option>
            <option value="auditor">{t("roles.auditor")}</option>
          </SelectField>
          {role === "client" && <TextField label={t("clients.id")} value={form.organization_id} onChange={set("organization_id")} required />}
          <TextField label={t("auth.username")} hint={t("auth.usernameRules")} value={form.username} onChange={set("username")} required />
          <TextField label={t("auth.password")} hint={t("auth.passwordRules")} type="password" value={form.password} onChange={set("password")} autoComplete="new-password" required />
          <TextField label={t("profile.name")} value={form.name} onChange={set("name")} required />
          <TextField label={t("profile.email")} type="email" value={form.email} onChange={set("email")} required />
          <ErrorNote error={create.error} />
          {create.isSuccess && <Done>{t("staff.accountCreated", { username: form.username })}</Done>}
          <button type="submit" disabled={create.isPending}>{t("staff.create")}</button>
        </form>
      </Section>
    </Page>
  );
}
