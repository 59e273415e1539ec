import { useState } from "react";
import { useTranslation } from "react-i18next";
import { Link, useParams } from "react-router";

import { SelectField, TextArea } from "../../components/Field";
import { Page, Section } from "../../components/Page";
import { Done, ErrorNote, Loading } from "../../components/Status";
import type { Schemas } from "../../lib/api/client";
import { StaffNav } from "../staff/StaffNav";
import { Answers, RequestFacts, Thread } from "./RequestView";
import { OUTCOMES, useAnswer, useAssign, useCloseRequest, useDeskRequest, useStaffReply } from "./api";

const TICKET = new Set(["complaint", "enquiry"]);

/** A request as staff answer it: what was asked, assigning it, the answer (carried out when
 * granted), the thread, and closing a complaint or an enquiry whose thread is done. */
export function DeskRequestPage() {
  const { t } = useTranslation();
  const { requestId = "" } = useParams();
  const request = useDeskRequest(requestId);
  const assign = useAssign(requestId);
  const answer = useAnswer(requestId);
  const reply = useStaffReply(requestId);
  const close = useCloseRequest(requestId);
  const r = request.data;
  const ticket = r ? TICKET.has(r.kind) : false;
  const [outcome, setOutcome] = useState("");
  const [reason, setReason] = useState("");
  const [apply, setApply] = useState(true);
  const chosen = outcome || (ticket ? "answered" : "granted");
  return (
    <Page title={r ? t(`requestKinds.${r.kind}`) : t("desk.queue")}>
      <StaffNav />
      <p><Link to="/staff/desk">{t("desk.backToQueue")}</Link></p>
      {request.isPending && <Loading />}
      <ErrorNote error={request.error} />
      {r && (
        <>
          <RequestFacts request={r} />
          {r.status === "open" && !r.assignee && (
            <button type="button" className="secondary" disabled={assign.isPending} onClick={() => assign.mutate()}>
              {t("desk.assignMe")}</button>
          )}
          <ErrorNote error={assign.error} />
          {r.status === "open" && (
            <Section title={t("desk.answer")}>
              <form onSubmit={(e) => {
                e.preventDefault();
                answer.mutate({ outcome: chosen as Schemas["Outcome"], reason, apply },
                  { onSuccess: () => setReason("") });
              }}>
                <SelectField label={t("desk.outcome")} value={chosen} onChange={setOutcome}>
                  {OUTCOMES.filter((o) => (ticket ? o === "answered" : o !== "answered"))
                    .map((o) => <option key={o} value={o}>{t(`outcomes.${o}`)}</option>)}
                </SelectField>
                <TextArea label={t("desk.reason")} hint={t("desk.reasonHint")} value={reason} onChange={setReason} rows={4} />
                {!ticket && chosen !== "refused" && (
                  <label className="check">
                    <input type="checkbox" checked={apply} onChange={(e) => setApply(e.target.checked)} />
                    {t("desk.apply")}
                  </label>
                )}
                <ErrorNote error={answer.error} />
                <button type="submit" disabled={answer.isPending || !reason.trim()}>{t("desk.sendAnswer")}</button>
              </form>
            </Section>
          )}
          {answer.isSuccess && <Done>{t("desk.answered")}</Done>}
          <Answers request={r} />
          <Thread request={r} write={reply} />
          {ticket && r.status === "answered" && (
            <button type="button" className="secondary" disabled={close.isPending} onClick={() => close.mutate()}>
              {t("desk.close")}</button>
          )}
          <ErrorNote error={close.error} />
        </>
      )}
    </Page>
  );
}
