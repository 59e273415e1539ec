import { useState } from "react";
import { useTranslation } from "react-i18next";

import { TextField } from "../../components/Field";
import { More } from "../../components/More";
import { Page, Section } from "../../components/Page";
import { Empty, ErrorNote, Loading } from "../../components/Status";
import { commaList, countryName } from "../../lib/format";
import { asCountry } from "../../lib/vocabulary";
import { useAlerts, useEndAlert, useSubscribe } from "./api";

export function AlertsPage() {
  const { t, i18n } = useTranslation();
  const alerts = useAlerts();
  const subscribe = useSubscribe();
  const end = useEndAlert();
  const [keywords, setKeywords] = useState("");
  const [countries, setCountries] = useState("");
  return (
    <Page title={t("alerts.title")}>
      <p>{t("alerts.explain")}</p>
      <Section title={t("alerts.new")}>
        <form onSubmit={(e) => {
          e.preventDefault();
          subscribe.mutate({ keywords: commaList(keywords),
            countries: commaList(countries).map(asCountry) },
          { onSuccess: () => { setKeywords(""); setCountries(""); } });
        }}>
          <TextField label={t("alerts.keywords")} hint={t("resume.commaSeparated")} value={keywords} onChange={setKeywords} />
          <TextField label={t("alerts.countries")} hint={t("alerts.countriesHint")} value={countries} onChange={setCountries} />
          <ErrorNote error={subscribe.error} />
          <button type="submit" disabled={subscribe.isPending}>{t("alerts.subscribe")}</button>
        </form>
      </Section>
      {alerts.isPending && <Loading />}
      <ErrorNote error={alerts.error ?? end.error} />
      {alerts.data?.length === 0 && <Empty text={t("alerts.none")} />}
      <ul className="cards">
        {(alerts.data ?? []).map((a) => (
          <li key={a.subscription_id} className="card">
            <p>{t("alerts.keywords")}: {(a.keywords ?? []).join(", ") || t("alerts.any")}</p>
            <p>{t("alerts.countries")}: {(a.countries ?? []).map((c) => countryName(c, i18n.language)).join(", ") || t("alerts.any")}</p>
            <button type="button" className="secondary" onClick={() => end.mutate(a.subscription_id)}>
              {t("alerts.end")}
            </button>
          </li>
        ))}
      </ul>
      <More list={alerts} />
    </Page>
  );
}
