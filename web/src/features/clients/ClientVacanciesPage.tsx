import { useState } from "react";
import { useTranslation } from "react-i18next";
import { Link } from "react-router";

import { SelectField, TextArea, TextField } from "../../components/Field";
import { More } from "../../components/More";
import { Page, Section } from "../../components/Page";
import { Done, Empty, ErrorNote, Loading } from "../../components/Status";
import type { Schemas } from "../../lib/api/client";
import { commaList, countryName, formatDate } from "../../lib/format";
import { asCountry, VACANCY_KINDS } from "../../lib/vocabulary";
import { useCloseVacancy, useOwnVacancies, usePostVacancy } from "./api";

const EMPTY = { title: "", description: "", skills: "", country: "JP", kind: "permanent", deadline: "", paid: "yes", weeks: "8", stipend: "" };

/** A client's vacancies and internships: post one (an internship with whether it is paid),
 * its candidates and the applications received, and close it (filled, or withdrawn). */
export function ClientVacanciesPage() {
  const { t, i18n } = useTranslation();
  const vacancies = useOwnVacancies();
  const post = usePostVacancy();
  const close = useCloseVacancy();
  const [form, setForm] = useState(EMPTY);
  const set = (key: keyof typeof form) => (value: string) => setForm({ ...form, [key]: value });
  const internship = form.kind === "internship";
  return (
    <Page title={t("clients.vacanciesTitle")}>
      <Section title={t("clients.post")}>
        <form onSubmit={(e) => {
          e.preventDefault();
          post.mutate({
            title: form.title, description: form.description, skills: commaList(form.skills),
            location_country: asCountry(form.country), kind: form.kind as Schemas["VacancyKind"],
            deadline: form.deadline ? new Date(form.deadline).toISOString() : null,
            internship: internship ? {
              paid: form.paid === "yes", duration_weeks: Number(form.weeks),
              stipend: form.paid === "yes" ? { amount: Number(form.stipend), currency: "JPY", per: "month" } : null,
            } : null,
          }, { onSuccess: () => setForm({ ...EMPTY, country: form.country }) });
        }}>
          <TextField label={t("clients.vacancyTitle")} value={form.title} onChange={set("title")} required />
          <TextArea label={t("clients.description")} value={form.description} onChange={set("description")} rows={4} />
          <TextField label={t("vacancies.skills")} hint={t("resume.commaSeparated")} value={form.skills} onChange={set("skills")} />
          <TextField label={t("vacancies.country")} hint={t("consents.regionHint")} value={form.country} onChange={set("country")} required />
          <SelectField label={t("vacancies.kind")} value={form.kind} onChange={set("kind")}>
            {VACANCY_KINDS.map((k) => <option key={k} value={k}>{t(`vacancyKinds.${k}`)}</option>)}
          </SelectField>
          {internship && (
            <SelectField label={t("clients.paid")} value={form.paid} onChange={set("paid")}>
              <option value="yes">{t("common.yes")}</option><option value="no">{t("common.no")}</option>
            </SelectField>
          )}
          {internship && form.paid === "yes" && (
            <TextField label={t("clients.stipend")} type="number" value={form.stipend} onChange={set("stipend")} required />
          )}
          {internship && (
            <TextField label={t("clients.weeks")} type="number" value={form.weeks} onChange={set("weeks")} required />
          )}
          <TextField label={t("vacancies.deadline")} type="datetime-local" value={form.deadline} onChange={set("deadline")} />
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
            <li key={v.vacancy_id} className="card" data-open={v.open}>
              <h3><Link to={`/vacancies/${v.vacancy_id}`}>{v.title}</Link></h3>
              <p className="meta">{t(`vacancyKinds.${v.kind ?? "permanent"}`)} · {countryName(v.location_country, i18n.language)} · {formatDate(v.posted_at, i18n.language)}
                {" · "}{v.open ? t("clients.open") : t(`clients.closed.${v.closed_reason ?? "withdrawn"}`)}</p>
              <p><Link to={`/organisation/vacancies/${v.vacancy_id}/applications`}>{t("clients.applicationsOf", { title: v.title })}</Link></p>
              <p><Link to={`/organisation/vacancies/${v.vacancy_id}/candidates`}>{t("clients.candidatesOf", { title: v.title })}</Link></p>
              {v.open && (
                <div className="actions">
                  <button type="button" className="secondary" disabled={close.isPending}
                    aria-label={t("clients.fillOne", { title: v.title })}
                    onClick={() => close.mutate({ id: v.vacancy_id, reason: "filled" })}>{t("clients.filled")}</button>
                  <button type="button" className="secondary" disabled={close.isPending}
                    aria-label={t("clients.closeOne", { title: v.title })}
                    onClick={() => close.mutate({ id: v.vacancy_id, reason: "withdrawn" })}>{t("clients.close")}</button>
                </div>
              )}
            </li>
          ))}
        </ul>
        <More list={vacancies} />
      </Section>
    </Page>
  );
}
