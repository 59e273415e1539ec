import { useTranslation } from "react-i18next";

import { More } from "../../components/More";
import { Page } from "../../components/Page";
import { Empty, ErrorNote, Loading } from "../../components/Status";
import { formatDate } from "../../lib/format";
import { useNotifications } from "./api";

export function NotificationsPage() {
  const { t, i18n } = useTranslation();
  const notes = useNotifications();
  return (
    <Page title={t("notifications.title")}>
      <p>{t("notifications.explain")}</p>
      {notes.isPending && <Loading />}
      <ErrorNote error={notes.error} />
      {notes.data?.length === 0 && <Empty text={t("notifications.none")} />}
      {notes.data && notes.data.length > 0 && (
        <table>
          <caption>{t("notifications.caption")}</caption>
          <thead><tr>
            <th scope="col">{t("notifications.kind")}</th><th scope="col">{t("notifications.created")}</th>
            <th scope="col">{t("notifications.status")}</th><th scope="col">{t("notifications.sent")}</th>
          </tr></thead>
          <tbody>
            {notes.data.map((n) => (
              <tr key={n.message_id}>
                <td>{t(`kinds.${n.kind}`)}</td>
                <td>{formatDate(n.created_at, i18n.language)}</td>
                <td>{t(`notifications.states.${n.status}`)}</td>
                <td>{formatDate(n.sent_at, i18n.language)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <More list={notes} />
    </Page>
  );
}
