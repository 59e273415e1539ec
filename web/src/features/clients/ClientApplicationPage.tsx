import { useState } from "react";
import { useTranslation } from "react-i18next";
import { Link, useParams } from "react-router";

import { TextArea } from "../../components/Field";
import { Page, Section } from "../../components/Page";
import { Done, ErrorNote, Loading } from "../../components/Status";
import type { Schemas } from "../../lib/api/client";
import { formatDate } from "../../lib/format";
import { History } from "../applications/History";
import { useClientApplication, useMove } from "./api";

type Move = Schemas["MoveBody"]["action"];
/** What a client may do from each state (matching refuses the rest: `illegal_transition`). */
const NEXT: Record<string, Move[]> = {
  submitted: ["review", "interview", "reject"],
  reviewing: ["interview", "offer", "reject"],
  interview: ["offer", "reject"],
  offer: ["accept", "decline"],
};

/** One application received: exactly what was sent (while the student allows it), its
 * history, and moving it on with a message to the student. */
export function ClientApplicationPage() {
  const { t, i18n } = useTranslation();
  const { applicationId = "" } = useParams();
  const application = useClientApplication(applicationId);
  const move = useMove(applicationId);
  const [message, setMessage] = useState("");
  const a = application.data;
  return (
    <Page title={t("clients.applicationTitle")}>
      {application.isPending && <Loading />}
      <ErrorNote error={application.error} />
      {a && (
        <>
          <dl className="facts">
            <dt>{t("applications.state")}</dt><dd data-state={a.state}>{t(`applicationStates.${a.state}`)}</dd>
            <dt>{t("applications.date")}</dt><dd>{formatDate(a.submitted_at, i18n.language)}</dd>
            <dt>{t("clients.access")}</dt><dd>{t(`access.${a.access}`)}</dd>
            <dt>{t("vacancies.title")}</dt><dd><Link to={`/organisation/vacancies/${a.vacancy_id}/applications`}>{a.vacancy_id}</Link></dd>
          </dl>
          <Section title={t("clients.snapshot")}>
            {a.data
              ? <pre className="preview" tabIndex={0} aria-label={`${t("clients.snapshot")} (JSON)`}>{JSON.stringify(a.data, null, 2)}</pre>
              : <p>{t("clients.noSnapshot")}</p>}
          </Section>
          {(NEXT[a.state] ?? []).length > 0 && (
            <Section title={t("clients.moveTitle")}>
              <TextArea label={t("clients.messageToStudent")} value={message} onChange={setMessage} />
              <div className="actions">
                {(NEXT[a.state] ?? []).map((action) => (
                  <button key={action} type="button" disabled={move.isPending}
                    className={action === "reject" || action === "decline" ? "secondary" : undefined}
                    onClick={() => move.mutate({ action, message: message.trim() || null },
                      { onSuccess: () => setMessage("") })}>{t(`moves.${action}`)}</button>
                ))}
              </div>
              <ErrorNote error={move.error} />
              {move.isSuccess && <Done>{t("clients.moved")}</Done>}
            </Section>
          )}
          <History changes={a.history} />
        </>
      )}
    </Page>
  );
}
