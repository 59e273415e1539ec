import { useTranslation } from "react-i18next";
import { useParams } from "react-router";

import { More } from "../../components/More";
import { Page } from "../../components/Page";
import { Empty, ErrorNote, Loading } from "../../components/Status";
import { formatNumber } from "../../lib/format";
import { useCandidates } from "./api";

/** Candidates for a vacancy: anonymous references and what the API lets the client see, and
 * nothing else (no name, no contact: those reach a client only in an application). */
export function CandidatesPage() {
  const { t, i18n } = useTranslation();
  const { vacancyId = "" } = useParams();
  const candidates = useCandidates(vacancyId);
  return (
    <Page title={t("clients.candidatesTitle")}>
      <p>{t("clients.candidatesExplain")}</p>
      {candidates.isPending && <Loading />}
      <ErrorNote error={candidates.error} />
      {candidates.data?.length === 0 && <Empty text={t("clients.noCandidates")} />}
      {candidates.data && candidates.data.length > 0 && (
        <table>
          <caption>{t("clients.candidatesTitle")}</caption>
          <thead><tr>
            <th scope="col">{t("clients.reference")}</th><th scope="col">{t("matches.score")}</th>
            <th scope="col">{t("clients.matchedSkills")}</th>
          </tr></thead>
          <tbody>
            {candidates.data.map((c) => (
              <tr key={c.candidate}>
                <td>{c.candidate.slice(0, 12)}</td>
                <td>{formatNumber(c.score, i18n.language, 2)}</td>
                <td>{c.matched_skills.join(", ")}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <More list={candidates} />
    </Page>
  );
}
