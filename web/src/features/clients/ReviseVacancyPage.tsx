import { useTranslation } from "react-i18next";
import { Link, useParams } from "react-router";

import { Page, Section } from "../../components/Page";
import { ErrorNote, Loading } from "../../components/Status";
import { useReviseVacancy, useVacancy } from "./api";
import { draftOf, VacancyEditor } from "./VacancyEditor";

/** Revise one of the organisation's open vacancies (what it says, its terms, its form): the
 * editor starts from the vacancy as it stands; each save is a new revision. */
export function ReviseVacancyPage() {
  const { t } = useTranslation();
  const { vacancyId = "" } = useParams();
  const vacancy = useVacancy(vacancyId);
  const save = useReviseVacancy(vacancyId);
  const v = vacancy.data;
  return (
    <Page title={t("clients.reviseTitle")}>
      {vacancy.isPending && <Loading />}
      <ErrorNote error={vacancy.error} />
      {v && (
        <>
          <dl className="facts">
            <dt>{t("clients.vacancyTitle")}</dt><dd><Link to={`/vacancies/${v.vacancy_id}`}>{v.title}</Link></dd>
            <dt>{t("clients.revisionLabel")}</dt><dd data-revision={v.revision}>{t("clients.revision", { revision: v.revision })}</dd>
            <dt>{t("vacancies.state")}</dt>
            <dd>{v.open ? t("clients.open") : t(`clients.closed.${v.closed_reason ?? "withdrawn"}`)}</dd>
          </dl>
          {v.open ? (
            <Section title={t("clients.revise")}>
              <VacancyEditor initial={draftOf(v)} save={save} submit={t("common.save")}
                done={t("clients.revised", { revision: save.data?.revision ?? v.revision })} />
            </Section>
          ) : <p>{t("clients.notOpen")}</p>}
        </>
      )}
      <p><Link to="/organisation/vacancies">{t("clients.backToVacancies")}</Link></p>
    </Page>
  );
}
