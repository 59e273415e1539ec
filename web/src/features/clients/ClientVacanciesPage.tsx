import { useState } from "react";
import { useTranslation } from "react-i18next";
import { Link } from "react-router";

import { TextArea, TextField } from "../../components/Field";
import { Page, Section } from "../../components/Page";
import { Done, Empty, ErrorNote, Loading } from "../../components/Status";
import { commaList, countryName, formatDate } from "../../lib/format";
import { useAccount, useCloseVacancy, useOwnVacancies, usePostVacancy } from "./api";

export function ClientVacanciesPage() {
  const { t, i18n } = useTranslation();
  const account = useAccount();
  const vacancies = useOwnVacancies(account.data?.organization_id);
  const post = usePostVacancy();
  const close = useCloseVacancy();
  const [form, setForm] = useState({ title: "", description: "", skills: "", country: "JP" });
  const set = (key: keyof typeof form) => (value: string) => setForm({ ...form, [key]: value });
  return (
    <Page title={t("clients.vacanciesTitle")}>
      <Section title={t("clients.post")}>
        <form onSubmit={(e) => {
          e.preventDefault();
          post.mutate({ title: form.title, description: form.description, skills: commaList(form.skills),
            location_country: form.country.toUpperCase() },
          { onSuccess: () => setForm({ title: "", description: "", skills: "", country: form.country }) });
        }}>
          <TextField label={t("clients.vacancyTitle")} value={form.title} onChange={set("title")} required />
          <TextArea label={t("clients.description")} value={form.description} onChange={set("description")} rows={4} />
          <TextField label={t("vacancies.skills")} hint={t("resume.commaSeparated")} value={form.skills} onChange={set("skills")} />
          <TextField label={t("vacancies.country")} hint={t("consents.regionHint")} value={form.country} onChange={set("country")} required />
          <ErrorNote error={post.error} />
          {post.isSuccess && <Done>{t("clients.posted")}</Done>}
          <button type="submit" disabled={post.isPending}>{t("clients.postButton")}</button>
        </form>
      </Section>
      <Section title={t("clients.openVacancies")}>
        {vacancies.isPending && <Loading />}
        <ErrorNote error={vacancies.error ?? close.error} />
        {vacancies.data?.length === 0 && <Empty text={t("vacancies.none")} />}
        <ul className="cards">
          {(vacancies.data ?? []).map((v) => (
            <li key={v.vacancy_id} className="card">
              <h3><Link to={`/vacancies/${v.vacancy_id}`}>{v.title}</Link></h3>
              <p className="meta">{countryName(v.location_country, i18n.language)} · {formatDate(v.posted_at, i18n.language)}</p>
              <p><Link to={`/organisation/vacancies/${v.vacancy_id}/candidates`}>{t("clients.candidatesOf", { title: v.title })}</Link></p>
              <button type="button" className="secondary" disabled={close.isPending}
                aria-label={t("clients.closeOne", { title: v.title })}
                onClick={() => close.mutate(v.vacancy_id)}>{t("clients.close")}</button>
            </li>
          ))}
        </ul>
      </Section>
    </Page>
  );
}
