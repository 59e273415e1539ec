import { useMemo, useState } from "react";
import { useTranslation } from "react-i18next";
import { Link, useSearchParams } from "react-router";

import { SelectField, TextField } from "../../components/Field";
import { More } from "../../components/More";
import { Page } from "../../components/Page";
import { Empty, ErrorNote, Loading } from "../../components/Status";
import { countryName, formatDate } from "../../lib/format";
import { COUNTRIES, VACANCY_KINDS } from "../../lib/vocabulary";
import { useVacancies } from "./api";

/** Open vacancies and internships, searched by the API: words (Japanese or English), kind and
 * country; the best match first when words are given, else the newest. */
export function VacanciesPage() {
  const { t, i18n } = useTranslation();
  const [params, setParams] = useSearchParams();
  const q = params.get("q") ?? "";
  const country = params.get("country") ?? "";
  const kind = params.get("kind") ?? "";
  const [words, setWords] = useState(q);
  const vacancies = useVacancies({ q, country, kind });
  const countries = useMemo(
    () => COUNTRIES.map((c) => ({ code: c, name: countryName(c, i18n.language) }))
      .sort((a, b) => a.name.localeCompare(b.name, i18n.language)),
    [i18n.language],
  );
  const search = (change: Record<string, string>) => {
    const next = { q, country, kind, ...change };
    setParams(Object.fromEntries(Object.entries(next).filter(([, v]) => v)));
  };
  const shown = vacancies.data ?? [];
  return (
    <Page title={t("vacancies.title")}>
      <form role="search" className="card search" onSubmit={(e) => { e.preventDefault(); search({ q: words.trim() }); }}>
        <TextField label={t("vacancies.search")} type="search" value={words} onChange={setWords} />
        <SelectField label={t("vacancies.kind")} value={kind} onChange={(k) => search({ kind: k })}>
          <option value="">{t("vacancies.anyKind")}</option>
          {VACANCY_KINDS.map((k) => <option key={k} value={k}>{t(`vacancyKinds.${k}`)}</option>)}
        </SelectField>
        <SelectField label={t("vacancies.country")} value={country} onChange={(c) => search({ country: c })}>
          <option value="">{t("vacancies.anyCountry")}</option>
          {countries.map((c) => <option key={c.code} value={c.code}>{c.name}</option>)}
        </SelectField>
        <button type="submit">{t("vacancies.searchButton")}</button>
      </form>
      {vacancies.isPending && <Loading />}
      <ErrorNote error={vacancies.error} />
      {vacancies.data && <p role="status">{t("vacancies.count", { count: shown.length })}</p>}
      {vacancies.data && shown.length === 0 && <Empty text={t("vacancies.none")} />}
      <ul className="cards">
        {shown.map((v) => (
          <li key={v.vacancy_id} className="card">
            <h2><Link to={`/vacancies/${v.vacancy_id}`}>{v.title}</Link></h2>
            <p className="meta">{t(`vacancyKinds.${v.kind ?? "permanent"}`)} · {v.organization_id} · {countryName(v.location_country, i18n.language)} · {formatDate(v.posted_at, i18n.language)}
              {v.deadline && <> · {t("vacancies.deadline")}: {formatDate(v.deadline, i18n.language)}</>}</p>
            {(v.skills ?? []).length > 0 && <p>{t("vacancies.skills")}: {(v.skills ?? []).join(", ")}</p>}
          </li>
        ))}
      </ul>
      <More list={vacancies} />
    </Page>
  );
}
