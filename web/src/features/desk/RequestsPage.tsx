import { useTranslation } from "react-i18next";
import { Link } from "react-router";

import { More } from "../../components/More";
import { Page } from "../../components/Page";
import { Empty, ErrorNote, Loading } from "../../components/Status";
import { formatDate } from "../../lib/format";
import { PrivacyNav } from "../privacy/PrivacyNav";
import { useMyRequests } from "./api";

/** A person's requests to the desk, newest first: kind, status and due date. */
export function RequestsPage() {
  const { t, i18n } = useTranslation();
  const requests = useMyRequests();
  return (
    <Page title={t("desk.myRequests")}>
      <PrivacyNav />
      <p>{t("desk.myRequestsExplain")}</p>
      <p className="actions">
        <Link className="button" to="/me/requests/new">{t("desk.fileNew")}</Link>
        <Link to="/me/export">{t("privacy.export")}</Link>
        <Link to="/me/erase">{t("privacy.erase")}</Link>
      </p>
      {requests.isPending && <Loading />}
      <ErrorNote error={requests.error} />
      {requests.data?.length === 0 && <Empty text={t("desk.noRequests")} />}
      {requests.data && requests.data.length > 0 && (
        <table>
          <caption>{t("desk.myRequests")}</caption>
          <thead><tr>
            <th scope="col">{t("desk.kind")}</th><th scope="col">{t("desk.filed")}</th>
            <th scope="col">{t("desk.status")}</th><th scope="col">{t("desk.due")}</th>
          </tr></thead>
          <tbody>
            {requests.data.map((r) => (
              <tr key={r.request_id} data-status={r.status}>
                <td><Link to={`/me/requests/${r.request_id}`}>{t(`requestKinds.${r.kind}`)}</Link></td>
                <td>{formatDate(r.filed_at, i18n.language)}</td>
                <td>{t(`requestStatus.${r.status}`)}{r.outcome ? ` · ${t(`outcomes.${r.outcome}`)}` : ""}</td>
                <td>{r.due_at ? formatDate(r.due_at, i18n.language) : "—"}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <More list={requests} />
    </Page>
  );
}
