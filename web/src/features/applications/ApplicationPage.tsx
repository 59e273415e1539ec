import { useTranslation } from "react-i18next";
import { Link, useParams } from "react-router";

import { Page, Section } from "../../components/Page";
import { Done, ErrorNote, Loading } from "../../components/Status";
import { formatDate } from "../../lib/format";
import { History } from "./History";
import { useAnswerOffer, useApplication, useWithdrawApplication } from "./api";

const ENDED = new Set(["accepted", "declined", "rejected", "withdrawn"]);

/** One of the student's applications: where it stands, its history with the client's messages,
 * withdrawing it, and answering an offer. */
export function ApplicationPage() {
  const { t, i18n } = useTranslation();
  const { applicationId = "" } = useParams();
  const application = useApplication(applicationId);
  const withdraw = useWithdrawApplication(applicationId);
  const answer = useAnswerOffer(applicationId);
  const a = application.data;
  return (
    <Page title={a?.title ?? t("applications.title")}>
      {application.isPending && <Loading />}
      <ErrorNote error={application.error} />
      {a && (
        <>
          <dl className="facts">
            <dt>{t("applications.vacancy")}</dt><dd><Link to={`/vacancies/${a.vacancy_id}`}>{a.title}</Link></dd>
            <dt>{t("applications.organisation")}</dt><dd>{a.organization_id}</dd>
            <dt>{t("applications.date")}</dt><dd>{formatDate(a.created_at, i18n.language)}</dd>
            <dt>{t("applications.state")}</dt>
            <dd data-state={a.state ?? ""}>{a.status === "shared" ? t(`applicationStates.${a.state ?? "submitted"}`)
              : `${t("applications.blocked")}: ${t(`decision.${a.reason}`)}`}</dd>
          </dl>
          {a.state === "offer" && (
            <Section title={t("applications.offer")}>
              <div className="actions">
                <button type="button" disabled={answer.isPending} onClick={() => answer.mutate("accept")}>{t("moves.accept")}</button>
                <button type="button" className="secondary" disabled={answer.isPending} onClick={() => answer.mutate("decline")}>{t("moves.decline")}</button>
              </div>
              <ErrorNote error={answer.error} />
            </Section>
          )}
          {a.status === "shared" && a.state && !ENDED.has(a.state) && (
            <Section title={t("applications.withdrawTitle")}>
              <p>{t("applications.withdrawExplain")}</p>
              <button type="button" className="danger" disabled={withdraw.isPending}
                onClick={() => withdraw.mutate()}>{t("applications.withdraw")}</button>
              <ErrorNote error={withdraw.error} />
            </Section>
          )}
          {withdraw.isSuccess && <Done>{t("applications.withdrawn")}</Done>}
          {a.history.length > 0 && <History changes={a.history} />}
        </>
      )}
    </Page>
  );
}
