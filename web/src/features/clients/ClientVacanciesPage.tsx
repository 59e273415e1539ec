import { useTranslation } from "react-i18next";
import { Link } from "react-router";

import { More } from "../../components/More";
import { Page, Section } from "../../components/Page";
import { Empty, ErrorNote, Loading } from "../../components/Status";
import { countryName, formatDate } from "../../lib/format";
import { useCloseVacancy, useOwnVacancies, usePostVacancy } from "./api";
import { emptyDraft, VacancyEditor } from "./VacancyEditor";

/** A client's vacancies and internships: post one (an internship with whether it is paid, and
 * its application form), revise an open one, its candidates and the applications received,
 * and close it (filled, or withdrawn). */
export function ClientVacanciesPage() {
  const { t, i18n } = useTranslation();
  const vacancies = useOwnVacancies();
  const post = usePostVacancy();
  const close = useCloseVacancy();
  return (
    <Page title={t("clients.vacanciesTitle")}>
      <Section title={t("clients.post")}>
        <VacancyEditor initial={emptyDraft()} save={post} submit={t("clients.postButton")} done={t("clients.posted")} reset />
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
                {" · "}{t("clients.revision", { revision: v.revision })}
                {" · "}{v.open ? t("clients.open") : t(`clients.closed.${v.closed_reason ?? "withdrawn"}`)}</p>
              <p><Link to={`/organisation/vacancies/${v.vacancy_id}/applications`}>{t("clients.applicationsOf", { title: v.title })}</Link></p>
              <p><Link to={`/organisation/vacancies/${v.vacancy_id}/candidates`}>{t("clients.candidatesOf", { title: v.title })}</Link></p>
              {v.open && <p><Link to={`/organisation/vacancies/${v.vacancy_id}/edit`}>{t("clients.editOne", { title: v.title })}</Link></p>}
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
