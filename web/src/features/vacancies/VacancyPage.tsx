import { useTranslation } from "react-i18next";
import { useParams } from "react-router";

import { Page } from "../../components/Page";
import { ErrorNote, Loading } from "../../components/Status";
import { useSession } from "../../lib/auth/useSession";
import { countryName, formatDate } from "../../lib/format";
import { useVacancy } from "./api";
import { ApplyPanel } from "./ApplyPanel";

/** One vacancy (job alerts link here: `/vacancies/{id}`); a student applies from it. */
export function VacancyPage() {
  const { t, i18n } = useTranslation();
  const { vacancyId = "" } = useParams();
  const vacancy = useVacancy(vacancyId);
  const session = useSession();
  if (!vacancy.data) {
    return <Page title={t("vacancies.one")}>{vacancy.isPending && <Loading />}<ErrorNote error={vacancy.error} /></Page>;
  }
  const v = vacancy.data;
  return (
    <Page title={v.title}>
      <dl className="facts">
        <dt>{t("vacancies.organisation")}</dt><dd>{v.organization_id}</dd>
        <dt>{t("vacancies.country")}</dt><dd>{countryName(v.location_country, i18n.language)}</dd>
        <dt>{t("vacancies.posted")}</dt><dd>{formatDate(v.posted_at, i18n.language)}</dd>
        <dt>{t("vacancies.state")}</dt><dd>{v.open ? t("vacancies.open") : t("vacancies.closed")}</dd>
        {(v.skills ?? []).length > 0 && <><dt>{t("vacancies.skills")}</dt><dd>{(v.skills ?? []).join(", ")}</dd></>}
      </dl>
      {v.description && <p className="description">{v.description}</p>}
      {session?.role === "student" && v.open && <ApplyPanel vacancy={v} />}
    </Page>
  );
}
