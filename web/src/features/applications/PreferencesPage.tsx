import { useState } from "react";
import { useTranslation } from "react-i18next";

import { CheckGroup, TextField } from "../../components/Field";
import { Page, Section } from "../../components/Page";
import { Done, ErrorNote, Loading } from "../../components/Status";
import type { Schemas } from "../../lib/api/client";
import { VACANCY_KINDS, WORK_MODES } from "../../lib/vocabulary";
import { usePreferences, useStatePreferences } from "./api";

type Period = { start: string; end: string };

/** What matching keeps to for the student: the periods they are free (an internship must fit
 * in one), the kinds of opportunity, and on site, hybrid or remote. Nothing chosen: anything. */
export function PreferencesPage() {
  const { t } = useTranslation();
  const saved = usePreferences();
  return (
    <Page title={t("preferences.title")}>
      <p>{t("preferences.explain")}</p>
      {saved.isPending && <Loading />}
      <ErrorNote error={saved.error} />
      {saved.data && <PreferencesForm saved={saved.data} />}
    </Page>
  );
}

/** Shown once what was saved has loaded, so a reply never overwrites what the student chose. */
function PreferencesForm({ saved }: { saved: Schemas["MatchingPreferences"] }) {
  const { t } = useTranslation();
  const save = useStatePreferences();
  const [kinds, setKinds] = useState<string[]>([...(saved.kinds ?? [])]);
  const [modes, setModes] = useState<string[]>([...(saved.work_modes ?? [])]);
  const [periods, setPeriods] = useState<Period[]>(
    (saved.available ?? []).map((p) => ({ start: p.start, end: p.end })));
  const setPeriod = (i: number, key: keyof Period) => (value: string) =>
    setPeriods(periods.map((p, j) => (j === i ? { ...p, [key]: value } : p)));
  return (
      <form className="card" onSubmit={(e) => {
        e.preventDefault();
        save.mutate({
          kinds: kinds as Schemas["VacancyKind"][],
          work_modes: modes as Schemas["WorkMode"][],
          available: periods.filter((p) => p.start && p.end),
        });
      }}>
        <CheckGroup legend={t("preferences.kinds")} selected={kinds} onChange={setKinds}
          options={VACANCY_KINDS.map((k) => ({ value: k, label: t(`vacancyKinds.${k}`) }))} />
        <CheckGroup legend={t("preferences.workModes")} selected={modes} onChange={setModes}
          options={WORK_MODES.map((m) => ({ value: m, label: t(`workModes.${m}`) }))} />
        <Section title={t("preferences.available")}>
          {periods.map((p, i) => (
            <div key={i} className="period">
              <TextField label={t("preferences.from")} type="date" value={p.start} onChange={setPeriod(i, "start")} required />
              <TextField label={t("preferences.to")} type="date" value={p.end} onChange={setPeriod(i, "end")} required />
              <button type="button" className="secondary" onClick={() => setPeriods(periods.filter((_, j) => j !== i))}>
                {t("preferences.remove")}</button>
            </div>
          ))}
          <button type="button" className="secondary" onClick={() => setPeriods([...periods, { start: "", end: "" }])}>
            {t("preferences.addPeriod")}</button>
        </Section>
        <ErrorNote error={save.error} />
        {save.isSuccess && <Done>{t("common.saved")}</Done>}
        <button type="submit" disabled={save.isPending}>{t("common.save")}</button>
      </form>
  );
}
