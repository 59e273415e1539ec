import { useTranslation } from "react-i18next";
import { Link } from "react-router";

import { More } from "../../components/More";
import { Page } from "../../components/Page";
import { Empty, ErrorNote, Loading } from "../../components/Status";
import { formatDate } from "../../lib/format";
import { useApplications } from "./api";

export function ApplicationsPage() {
  const { t, i18n } = useTranslation();
  const applications = useApplications();
  return (
    <Page title={t("applications.title")}>
      {applications.isPending && <Loading />}
      <ErrorNote error={applications.error} />
      {applications.data?.length === 0 && <Empty text={t("applications.none")} />}
      {applications.data && applications.data.length > 0 && (
        <table>
          <caption>{t("applications.caption")}</caption>
          <thead><tr>
            <th scope="col">{t("applications.vacancy")}</th><th scope="col">{t("applications.organisation")}</th>
            <th scope="col">{t("applications.date")}</th><th scope="col">{t("applications.state")}</th>
          </tr></thead>
          <tbody>
            {applications.data.map((a) => (
              <tr key={a.application_id} data-status={a.status} data-state={a.state ?? ""}>
                <td><Link to={`/me/applications/${a.application_id}`}>{a.title}</Link></td>
                <td>{a.organization_id}</td>
                <td>{formatDate(a.created_at, i18n.language)}</td>
                <td>{a.status === "shared" ? t(`applicationStates.${a.state ?? "submitted"}`)
                  : `${t("applications.blocked")}: ${t(`decision.${a.reason}`)}`}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <More list={applications} />
    </Page>
  );
}
