import { useEffect, useState } from "react";
import { useTranslation } from "react-i18next";
import { Link } from "react-router";

import { SelectField, TextField } from "../../components/Field";
import { Page } from "../../components/Page";
import { Done, ErrorNote, Loading } from "../../components/Status";
import { useAccount, useCorrect } from "./api";

export function ProfilePage() {
  const { t } = useTranslation();
  const account = useAccount();
  const correct = useCorrect();
  const [form, setForm] = useState({ name: "", email: "", school: "", gender: "" });
  const [language, setLanguage] = useState<"ja" | "en">("ja");
  const profile = account.data?.profile;
  useEffect(() => {
    if (profile) {
      setForm({ name: profile.name, email: profile.email, school: profile.school ?? "",
        gender: profile.gender ?? "" });
      setLanguage(profile.language ?? "ja");
    }
  }, [profile]);
  if (!account.data) return <Page title={t("profile.title")}><Loading /><ErrorNote error={account.error} /></Page>;
  const set = (key: keyof typeof form) => (value: string) => setForm({ ...form, [key]: value });
  return (
    <Page title={t("profile.title")}>
      <dl className="facts">
        <dt>{t("auth.username")}</dt><dd>{account.data.profile.username}</dd>
        <dt>{t("profile.role")}</dt><dd>{t(`roles.${account.data.role}`)}</dd>
        <dt>{t("profile.emailVerified")}</dt>
        <dd>{account.data.email_verified ? t("common.yes") : t("common.no")}</dd>
        {account.data.organization_id && <><dt>{t("clients.organisation")}</dt><dd>{account.data.organization_id}</dd></>}
      </dl>
      <p><Link to="/me/security">{t("account.securityTitle")}</Link></p>
      <form className="card narrow" onSubmit={(e) => {
        e.preventDefault();
        correct.mutate({ name: form.name, email: form.email, school: form.school || null,
          gender: form.gender || null, language });
      }}>
        <TextField label={t("profile.name")} value={form.name} onChange={set("name")} autoComplete="name" />
        <TextField label={t("profile.email")} type="email" value={form.email} onChange={set("email")} autoComplete="email" />
        <TextField label={t("profile.school")} value={form.school} onChange={set("school")} />
        <TextField label={t("profile.gender")} value={form.gender} onChange={set("gender")} />
        <SelectField label={t("profile.language")} value={language}
          onChange={(v) => setLanguage(v === "en" ? "en" : "ja")}>
          <option value="ja">日本語</option>
          <option value="en">English</option>
        </SelectField>
        <ErrorNote error={correct.error} />
        {correct.isSuccess && <Done>{t("common.saved")}</Done>}
        <button type="submit" disabled={correct.isPending}>{t("common.save")}</button>
      </form>
    </Page>
  );
}
