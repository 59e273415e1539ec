import { useState } from "react";
import { useTranslation } from "react-i18next";

import { TextArea } from "../../components/Field";
import { Section } from "../../components/Page";
import { ErrorNote } from "../../components/Status";
import { formatDate } from "../../lib/format";
import type { DeskRequest } from "./api";

/** What a request is and where it stands: kind, status, due date, what it names, answers. */
export function RequestFacts({ request: r }: { request: DeskRequest }) {
  const { t, i18n } = useTranslation();
  return (
    <dl className="facts" data-status={r.status}>
      <dt>{t("desk.kind")}</dt><dd>{t(`requestKinds.${r.kind}`)}</dd>
      <dt>{t("desk.status")}</dt><dd data-status={r.status}>{t(`requestStatus.${r.status}`)}{r.overdue ? ` (${t("desk.overdue")})` : ""}</dd>
      <dt>{t("desk.filed")}</dt><dd>{formatDate(r.filed_at, i18n.language)}</dd>
      <dt>{t("desk.due")}</dt><dd>{r.due_at ? formatDate(r.due_at, i18n.language) : t("desk.dueAfterVerification")}</dd>
      {r.title && <><dt>{t("desk.title")}</dt><dd>{r.title}</dd></>}
      {r.field && <><dt>{t("desk.field")}</dt><dd>{t(`profileFields.${r.field}`)}</dd></>}
      {r.value && <><dt>{t("desk.value")}</dt><dd>{r.value}</dd></>}
      {r.purpose && <><dt>{t("consents.purpose")}</dt><dd>{t(`purposes.${r.purpose}`)}</dd></>}
      {r.recipient && <><dt>{t("consents.recipient")}</dt><dd>{r.recipient}</dd></>}
      {r.details && <><dt>{t("desk.details")}</dt><dd className="prose">{r.details}</dd></>}
      {r.verification.verified_at && <><dt>{t("desk.verified")}</dt><dd>{formatDate(r.verification.verified_at, i18n.language)}</dd></>}
    </dl>
  );
}

export function Answers({ request: r }: { request: DeskRequest }) {
  const { t, i18n } = useTranslation();
  if (r.answers.length === 0) return null;
  return (
    <Section title={t("desk.answers")}>
      <ul className="answers">
        {r.answers.map((a, i) => (
          <li key={i} data-outcome={a.outcome}>
            <p><strong>{t(`outcomes.${a.outcome}`)}</strong> · <time dateTime={a.at}>{formatDate(a.at, i18n.language)}</time></p>
            {a.reason && <p className="prose">{a.reason}</p>}
            {a.actions.length > 0 && <p className="meta">{t("desk.done")}: {a.actions.join("; ")}</p>}
          </li>
        ))}
      </ul>
    </Section>
  );
}

/** The thread of a request, and writing in it (the person, or staff: emailed to the person). */
export function Thread({ request: r, write }: {
  request: DeskRequest;
  write: { mutate: (body: string, o: { onSuccess: () => void }) => void; isPending: boolean; error: unknown } | null;
}) {
  const { t, i18n } = useTranslation();
  const [body, setBody] = useState("");
  return (
    <Section title={t("desk.thread")}>
      {r.messages.length === 0 && <p className="empty">{t("desk.noMessages")}</p>}
      <ol className="thread">
        {r.messages.map((m) => (
          <li key={m.message_id} data-by={m.by}>
            <p className="meta">{t(`desk.by.${m.by}`)} · <time dateTime={m.at}>{formatDate(m.at, i18n.language)}</time></p>
            <p className="prose">{m.body ?? t("desk.erasedMessage")}</p>
          </li>
        ))}
      </ol>
      {write && r.status !== "closed" && (
        <form onSubmit={(e) => { e.preventDefault(); write.mutate(body, { onSuccess: () => setBody("") }); }}>
          <TextArea label={t("desk.reply")} value={body} onChange={setBody} rows={3} />
          <ErrorNote error={write.error} />
          <button type="submit" disabled={write.isPending || !body.trim()}>{t("desk.send")}</button>
        </form>
      )}
    </Section>
  );
}
