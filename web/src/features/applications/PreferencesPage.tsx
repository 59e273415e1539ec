import { useEffect, useState } from "react";
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
  const save = useStatePreferences();
  const [kinds, setKinds] = useState<string[]>([]);
  const [modes, setModes] = useState<string[]>([]);
  const [periods, setPeriods] = useState<Period[]>([]);
  useEffect(() => {
    if (!saved.data) return;
    setKinds([...(saved.data.kinds ?? [])]);
    setModes([...(saved.data.work_modes ?? [])]);
    setPeriods((saved.data.available ?? []).map((p) => ({ start: p.start, end: p.end })));
  }, [saved.data]);
  const setPeriod = (i: number, key: keyof Period) => (value: string) =>
    setPeriods(periods.map((p, j) => (j === i ? { ...p, [key]: value } : p)));
  return (
    <Page title={t("preferences.title")}>
      <p>{t("preferences.explain")}</p>
      {saved.isPending && <Loading />}
      <ErrorNote error={saved.error} />
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
    </Page>
  );
}
