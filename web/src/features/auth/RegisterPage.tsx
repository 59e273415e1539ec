import { useState } from "react";
import { useTranslation } from "react-i18next";
import { Link } from "react-router";

import { SelectField, TextField } from "../../components/Field";
import { Page } from "../../components/Page";
import { Done, ErrorNote } from "../../components/Status";
import { useRegister } from "./api";

export function RegisterPage() {
  const { t, i18n } = useTranslation();
  const [form, setForm] = useState({ username: "", password: "", name: "", email: "", school: "" });
  const [language, setLanguage] = useState<"ja" | "en">(i18n.language === "en" ? "en" : "ja");
  const register = useRegister();
  const set = (key: keyof typeof form) => (value: string) => setForm({ ...form, [key]: value });
  if (register.isSuccess) {
    return (
      <Page title={t("auth.registerTitle")}>
        <Done>{t("auth.registered", { email: form.email })}</Done>
        <p><Link to="/sign-in">{t("auth.signIn")}</Link></p>
      </Page>
    );
  }
  return (
    <Page title={t("auth.registerTitle")}>
      <form className="card narrow" onSubmit={(e) => {
        e.preventDefault();
        register.mutate({ ...form, school: form.school || null, language });
      }}>
        <TextField label={t("auth.username")} hint={t("auth.usernameRules")} value={form.username}
          onChange={set("username")} autoComplete="username" required />
        <TextField label={t("auth.password")} hint={t("auth.passwordRules")} type="password"
          value={form.password} onChange={set("password")} autoComplete="new-password" required />
        <TextField label={t("profile.name")} value={form.name} onChange={set("name")}
          autoComplete="name" required />
        <TextField label={t("profile.email")} type="email" value={form.email} onChange={set("email")}
          autoComplete="email" required />
        <TextField label={t("profile.school")} value={form.school} onChange={set("school")} />
        <SelectField label={t("profile.language")} value={language}
          onChange={(v) => setLanguage(v === "en" ? "en" : "ja")}>
          <option value="ja">日本語</option>
          <option value="en">English</option>
        </SelectField>
        <ErrorNote error={register.error} />
        <button type="submit" disabled={register.isPending}>{t("auth.register")}</button>
      </form>
    </Page>
  );
}
