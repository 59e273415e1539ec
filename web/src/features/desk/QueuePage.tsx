import { useState } from "react";
import { useTranslation } from "react-i18next";
import { Link } from "react-router";

import { SelectField } from "../../components/Field";
import { More } from "../../components/More";
import { Page } from "../../components/Page";
import { Empty, ErrorNote, Loading } from "../../components/Status";
import { formatDate } from "../../lib/format";
import { StaffNav } from "../staff/StaffNav";
import { REQUEST_KINDS, useQueue } from "./api";

/** The desk's queue, soonest due first: open and answered requests, by kind, overdue ones marked. */
export function QueuePage() {
  const { t, i18n } = useTranslation();
  const [kind, setKind] = useState("");
  const [overdue, setOverdue] = useState(false);
  const queue = useQueue({ kind, overdue });
  return (
    <Page title={t("desk.queue")}>
      <StaffNav />
      <div className="card search">
        <SelectField label={t("desk.kind")} value={kind} onChange={setKind}>
          <option value="">{t("desk.anyKind")}</option>
          {REQUEST_KINDS.map((k) => <option key={k} value={k}>{t(`requestKinds.${k}`)}</option>)}
        </SelectField>
        <label className="check">
          <input type="checkbox" checked={overdue} onChange={(e) => setOverdue(e.target.checked)} />
          {t("desk.onlyOverdue")}
        </label>
      </div>
      {queue.isPending && <Loading />}
      <ErrorNote error={queue.error} />
      {queue.data?.length === 0 && <Empty text={t("desk.queueEmpty")} />}
      {queue.data && queue.data.length > 0 && (
        <table>
          <caption>{t("desk.queueCaption")}</caption>
          <thead><tr>
            <th scope="col">{t("desk.due")}</th><th scope="col">{t("desk.kind")}</th>
            <th scope="col">{t("desk.status")}</th><th scope="col">{t("desk.channel")}</th>
            <th scope="col">{t("desk.assignee")}</th>
          </tr></thead>
          <tbody>
            {queue.data.map((r) => (
              <tr key={r.request_id} data-status={r.status} className={r.overdue ? "overdue" : undefined}>
                <td><Link to={`/staff/desk/${r.request_id}`}>{r.due_at ? formatDate(r.due_at, i18n.language) : "—"}</Link>
                  {r.overdue && ` (${t("desk.overdue")})`}</td>
                <td>{t(`requestKinds.${r.kind}`)}{r.account ? "" : ` · ${t("desk.guest")}`}</td>
                <td>{t(`requestStatus.${r.status}`)}</td>
                <td>{t(`channels.${r.channel}`)}</td>
                <td>{r.assignee ?? "—"}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <More list={queue} />
    </Page>
  );
}
