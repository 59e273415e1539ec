import { useTranslation } from "react-i18next";
import { Link } from "react-router";

import { Page } from "../../components/Page";
import { Empty, ErrorNote, Loading } from "../../components/Status";
import { countryName, formatNumber } from "../../lib/format";
import { useMatches, useResume } from "./api";

/** The student's best vacancies for their CV, and why: the score and the skills shared. */
export function MatchesPage() {
  const { t, i18n } = useTranslation();
  const resume = useResume();
  const token = resume.isPending ? undefined
    : resume.data ? { resume_id: resume.data.resume_id, revision: resume.data.revision } : null;
  const matches = useMatches(token);
  const mine = new Set((resume.data?.content.skills ?? []).map((s) => s.toLowerCase()));
  return (
    <Page title={t("matches.title")}>
      <p>{t("matches.explain")}</p>
      {(resume.isPending || matches.isPending) && <Loading />}
      <ErrorNote error={matches.error} />
      {matches.data && matches.data.length === 0 && <Empty text={t("matches.none")} />}
      <ol className="cards">
        {(matches.data ?? []).map((m) => {
          const shared = (m.vacancy.skills ?? []).filter((s) => mine.has(s.toLowerCase()));
          return (
            <li key={m.vacancy.vacancy_id} className="card">
              <h2><Link to={`/vacancies/${m.vacancy.vacancy_id}`}>{m.vacancy.title}</Link></h2>
              <p className="meta">{m.vacancy.organization_id} · {countryName(m.vacancy.location_country, i18n.language)}</p>
              <p>{t("matches.score")}: {formatNumber(m.score, i18n.language, 2)}</p>
              <p>{t("matches.why")}: {shared.length ? shared.join(", ") : t("matches.words")}</p>
            </li>
          );
        })}
      </ol>
    </Page>
  );
}
