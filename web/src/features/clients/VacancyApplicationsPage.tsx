import { useTranslation } from "react-i18next";
import { Link, useParams } from "react-router";

import { More } from "../../components/More";
import { Page } from "../../components/Page";
import { Empty, ErrorNote, Loading } from "../../components/Status";
import { formatDate } from "../../lib/format";
import { useVacancy } from "../vacancies/api";
import { useVacancyApplications } from "./api";

/** The applications one vacancy received: where each stands, and whether its data may still be
 * read (a withdrawal, a withdrawn consent or an erasure ends that). */
export function VacancyApplicationsPage() {
  const { t, i18n } = useTranslation();
  const { vacancyId = "" } = useParams();
  const vacancy = useVacancy(vacancyId);
  const applications = useVacancyApplications(vacancyId);
  return (
    <Page title={t("clients.applicationsTitle", { title: vacancy.data?.title ?? "" })}>
      {applications.isPending && <Loading />}
      <ErrorNote error={applications.error} />
      {applications.data?.length === 0 && <Empty text={t("clients.noneReceived")} />}
      {applications.data && applications.data.length > 0 && (
        <table>
          <caption>{t("clients.applicationsCaption")}</caption>
          <thead><tr>
            <th scope="col">{t("applications.date")}</th><th scope="col">{t("applications.state")}</th>
            <th scope="col">{t("clients.access")}</th><th scope="col">{t("disclosures.items")}</th>
          </tr></thead>
          <tbody>
            {applications.data.map((a) => (
              <tr key={a.application_id} data-state={a.state}>
                <td><Link to={`/organisation/applications/${a.application_id}`}>{formatDate(a.submitted_at, i18n.language)}</Link></td>
                <td>{t(`applicationStates.${a.state}`)}</td>
                <td>{t(`access.${a.access}`)}</td>
                <td>{a.data_items.map((i) => t(`categories.${i}`)).join(", ")}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <More list={applications} />
    </Page>
  );
}
