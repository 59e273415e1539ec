import { useTranslation } from "react-i18next";
import { Link, useNavigate, useParams } from "react-router";

import { Page, Section } from "../../components/Page";
import { Done, ErrorNote, Loading } from "../../components/Status";
import { formatDate } from "../../lib/format";
import { DisclosureView } from "./DisclosureView";
import { Answers, RequestFacts, Thread } from "./RequestView";
import { StepUp } from "./StepUp";
import { useMyRequest, useWrite } from "./api";

/** One of the person's requests: its status and due date, the step-up form while it awaits
 * verification, the answers, the thread with a reply, and a disclosure once answered. An
 * erasure, once verified, is carried out at once: the account ends and the session with it. */
export function RequestPage() {
  const { t, i18n } = useTranslation();
  const { requestId = "" } = useParams();
  const request = useMyRequest(requestId);
  const write = useWrite(requestId);
  const navigate = useNavigate();
  const r = request.data;
  return (
    <Page title={r ? t(`requestKinds.${r.kind}`) : t("desk.myRequests")}>
      <p><Link to="/me/requests">{t("desk.myRequests")}</Link></p>
      {request.isPending && <Loading />}
      <ErrorNote error={request.error} />
      {r && (
        <>
          <RequestFacts request={r} />
          {r.status === "awaiting_verification" && (
            <StepUp request={r} onVerified={async (done) => {
              // The erased page ends the session: signing out here would send this page,
              // still shown, to the sign-in page before the navigation lands.
              if (done.kind === "erasure") await navigate("/erased", { state: { erased: true } });
            }} />
          )}
          <Answers request={r} />
          {r.kind === "disclosure" && r.disclosure_until && (
            <Section title={t("desk.disclosure")}>
              <p>{t("desk.disclosureUntil", { until: formatDate(r.disclosure_until, i18n.language) })}</p>
              <DisclosureView requestId={r.request_id} />
            </Section>
          )}
          {r.status === "closed" && <Done>{t("desk.closed")}</Done>}
          <Thread request={r} write={write} />
        </>
      )}
    </Page>
  );
}
