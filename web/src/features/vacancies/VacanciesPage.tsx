import { useMemo, useState } from "react";
import { useTranslation } from "react-i18next";
import { Link, useSearchParams } from "react-router";

import { SelectField, TextField } from "../../components/Field";
import { Page } from "../../components/Page";
import { Empty, ErrorNote, Loading } from "../../components/Status";
import { countryName, formatDate } from "../../lib/format";
import { useVacancies } from "./api";

/** Open vacancies and internships: searched by words and filtered by country. (The search is
 * the browser's over the open list today; a server-side search slots in behind `useVacancies`.) */
export function VacanciesPage() {
  const { t, i18n } = useTranslation();
  const vacancies = useVacancies();
  const [params, setParams] = useSearchParams();
  const [words, setWords] = useState(params.get("q") ?? "");
  const country = params.get("country") ?? "";
  const countries = useMemo(
    () => [...new Set((vacancies.data ?? []).map((v) => v.location_country))].sort(),
    [vacancies.data],
  );
  const q = (params.get("q") ?? "").toLowerCase();
  const shown = (vacancies.data ?? []).filter((v) =>
    (!country || v.location_country === country) &&
    (!q || [v.title, v.description ?? "", ...(v.skills ?? [])].join(" ").toLowerCase().includes(q)));
  return (
    <Page title={t("vacancies.title")}>
      <form role="search" className="card search" onSubmit={(e) => {
        e.preventDefault();
        setParams({ ...(words ? { q: words } : {}), ...(country ? { country } : {}) });
      }}>
        <TextField label={t("vacancies.search")} type="search" value={words} onChange={setWords} />
        <SelectField label={t("vacancies.country")} value={country}
          onChange={(c) => setParams({ ...(q ? { q } : {}), ...(c ? { country: c } : {}) })}>
          <option value="">{t("vacancies.anyCountry")}</option>
          {countries.map((c) => <option key={c} value={c}>{countryName(c, i18n.language)}</option>)}
        </SelectField>
        <button type="submit">{t("vacancies.searchButton")}</button>
      </form>
      {vacancies.isPending && <Loading />}
      <ErrorNote error={vacancies.error} />
      <p role="status">{t("vacancies.count", { count: shown.length })}</p>
      {vacancies.data && shown.length === 0 && <Empty text={t("vacancies.none")} />}
      <ul className="cards">
        {shown.map((v) => (
          <li key={v.vacancy_id} className="card">
            <h2><Link to={`/vacancies/${v.vacancy_id}`}>{v.title}</Link></h2>
            <p className="meta">{v.organization_id} · {countryName(v.location_country, i18n.language)} · {formatDate(v.posted_at, i18n.language)}</p>
            {(v.skills ?? []).length > 0 && <p>{t("vacancies.skills")}: {(v.skills ?? []).join(", ")}</p>}
          </li>
        ))}
      </ul>
    </Page>
  );
}
