import { useState } from "react";
import { useTranslation } from "react-i18next";

import { SelectField, TextArea, TextField } from "../../components/Field";
import { Done, ErrorNote } from "../../components/Status";
import type { Schemas } from "../../lib/api/client";
import { commaList, lines } from "../../lib/format";
import { asCountry, CHOICE_KINDS, QUESTION_KINDS, VACANCY_KINDS } from "../../lib/vocabulary";

type Kind = Schemas["QuestionKind"];
/** A question as it is being written: its choices one per line. */
type DraftQuestion = { kind: Kind; prompt: string; choices: string; required: boolean };

/** A vacancy as the editor holds it (text boxes hold text); `base` is what the editor does not
 * show (work mode, area, places, an internship's dates and hours), sent back as it was. */
export type Draft = {
  title: string; description: string; skills: string; country: string; kind: string;
  deadline: string; paid: string; weeks: string; stipend: string; questions: DraftQuestion[];
  base: Partial<Schemas["VacancyBody"]>;
};

/** The most questions a form has (the API's `MAX_QUESTIONS`). */
const MAX_QUESTIONS = 20;

export function emptyDraft(country = "JP"): Draft {
  return { title: "", description: "", skills: "", country, kind: "permanent", deadline: "",
    paid: "yes", weeks: "8", stipend: "", questions: [], base: {} };
}

/** `2026-05-01T09:30` in the browser's time zone: what a `datetime-local` input holds. */
function localInput(iso: string | null | undefined): string {
  if (!iso) return "";
  const d = new Date(iso);
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

/** The editor filled from a vacancy as the API shows it (its form's questions without their
 * ids: a revision numbers them again, `q1`, `q2`, ... in order). */
export function draftOf(v: Schemas["VacancyOut"]): Draft {
  const terms = v.internship ?? null;
  return {
    title: v.title, description: v.description ?? "", skills: (v.skills ?? []).join(", "),
    country: v.location_country, kind: v.kind ?? "permanent", deadline: localInput(v.deadline),
    paid: terms && !terms.paid ? "no" : "yes",
    weeks: terms ? (terms.duration_weeks ? String(terms.duration_weeks) : "") : "8",
    stipend: terms?.stipend ? String(terms.stipend.amount) : "",
    questions: v.form.map((q) => ({
      kind: q.kind, prompt: q.prompt, choices: (q.choices ?? []).join("\n"), required: q.required ?? true,
    })),
    base: { work_mode: v.work_mode, location_area: v.location_area, places: v.places, internship: terms },
  };
}

/** The whole `VacancyBody` the editor stands for (a post, or a revision: PUT takes it all). */
export function bodyOf(d: Draft): Schemas["VacancyBody"] {
  const { internship: terms, ...rest } = d.base;
  const paid = d.paid === "yes";
  return {
    ...rest,
    title: d.title, description: d.description, skills: commaList(d.skills),
    location_country: asCountry(d.country), kind: d.kind as Schemas["VacancyKind"],
    deadline: d.deadline ? new Date(d.deadline).toISOString() : null,
    internship: d.kind === "internship" ? {
      ...(terms ?? {}), paid, duration_weeks: d.weeks ? Number(d.weeks) : null,
      stipend: paid ? { currency: "JPY", per: "month", ...(terms?.stipend ?? {}), amount: Number(d.stipend) } : null,
    } : null,
    form: d.questions.map((q) => ({
      kind: q.kind, prompt: q.prompt, required: q.required,
      choices: CHOICE_KINDS.has(q.kind) ? lines(q.choices) : [],
    })),
  };
}

/** What the editor needs of a mutation that saves a vacancy (posting it, or revising it). */
type Saving = {
  mutate: (body: Schemas["VacancyBody"], options?: { onSuccess?: () => void }) => void;
  error: unknown; isPending: boolean; isSuccess: boolean;
};

/** A vacancy's editor, for posting one and for revising it: what it says, an internship's
 * terms, and its application form (questions added and removed). `reset`: empty again once
 * saved (a post); else what was saved stays in it (a revision). */
export function VacancyEditor({ initial, save, submit, done, reset = false }: {
  initial: Draft; save: Saving; submit: string; done: string; reset?: boolean;
}) {
  const { t } = useTranslation();
  const [draft, setDraft] = useState(initial);
  const set = (key: "title" | "description" | "skills" | "country" | "kind" | "deadline" | "paid" | "weeks" | "stipend") =>
    (value: string) => setDraft({ ...draft, [key]: value });
  const internship = draft.kind === "internship";
  const dated = Boolean(draft.base.internship?.start_date && draft.base.internship?.end_date);
  return (
    <form onSubmit={(e) => {
      e.preventDefault();
      save.mutate(bodyOf(draft), { onSuccess: () => { if (reset) setDraft(emptyDraft(draft.country)); } });
    }}>
      <TextField label={t("clients.vacancyTitle")} value={draft.title} onChange={set("title")} required />
      <TextArea label={t("clients.description")} value={draft.description} onChange={set("description")} rows={4} />
      <TextField label={t("vacancies.skills")} hint={t("resume.commaSeparated")} value={draft.skills} onChange={set("skills")} />
      <TextField label={t("vacancies.country")} hint={t("consents.regionHint")} value={draft.country} onChange={set("country")} required />
      <SelectField label={t("vacancies.kind")} value={draft.kind} onChange={set("kind")}>
        {VACANCY_KINDS.map((k) => <option key={k} value={k}>{t(`vacancyKinds.${k}`)}</option>)}
      </SelectField>
      {internship && (
        <SelectField label={t("clients.paid")} value={draft.paid} onChange={set("paid")}>
          <option value="yes">{t("common.yes")}</option><option value="no">{t("common.no")}</option>
        </SelectField>
      )}
      {internship && draft.paid === "yes" && (
        <TextField label={t("clients.stipend")} type="number" value={draft.stipend} onChange={set("stipend")} required />
      )}
      {internship && (
        <TextField label={t("clients.weeks")} type="number" value={draft.weeks} onChange={set("weeks")} required={!dated} />
      )}
      <TextField label={t("vacancies.deadline")} type="datetime-local" value={draft.deadline} onChange={set("deadline")} />
      <Questions questions={draft.questions} onChange={(questions) => setDraft({ ...draft, questions })} />
      <ErrorNote error={save.error} />
      {save.isSuccess && <Done>{done}</Done>}
      <button type="submit" disabled={save.isPending}>{submit}</button>
    </form>
  );
}

/** The application form: each question's kind, prompt, choices and whether it must be answered. */
function Questions({ questions, onChange }: { questions: DraftQuestion[]; onChange: (q: DraftQuestion[]) => void }) {
  const { t } = useTranslation();
  const change = (i: number, patch: Partial<DraftQuestion>) =>
    onChange(questions.map((q, j) => (j === i ? { ...q, ...patch } : q)));
  return (
    <fieldset className="checks">
      <legend>{t("form.title")}</legend>
      <p className="hint">{t("form.explain", { max: MAX_QUESTIONS })}</p>
      {questions.length === 0 && <p className="empty">{t("form.none")}</p>}
      {questions.map((q, i) => {
        const n = i + 1;
        return (
          <fieldset key={i} className="checks">
            <legend>{t("form.question", { n })}</legend>
            <SelectField label={t("form.kind", { n })} value={q.kind} onChange={(kind) => change(i, { kind: kind as Kind })}>
              {QUESTION_KINDS.map((k) => <option key={k} value={k}>{t(`questionKinds.${k}`)}</option>)}
            </SelectField>
            <TextField label={t("form.prompt", { n })} value={q.prompt} onChange={(prompt) => change(i, { prompt })} required />
            {CHOICE_KINDS.has(q.kind) && (
              <TextArea label={t("form.choices", { n })} hint={t("form.choicesHint")} value={q.choices}
                onChange={(choices) => change(i, { choices })} required />
            )}
            <label className="check">
              <input type="checkbox" checked={q.required} onChange={(e) => change(i, { required: e.target.checked })} />
              {t("form.required", { n })}
            </label>
            <div className="actions">
              <button type="button" className="secondary" onClick={() => onChange(questions.filter((_, j) => j !== i))}>
                {t("form.remove", { n })}</button>
            </div>
          </fieldset>
        );
      })}
      <button type="button" className="secondary" disabled={questions.length >= MAX_QUESTIONS}
        onClick={() => onChange([...questions, { kind: "short_text", prompt: "", choices: "", required: true }])}>
        {t("form.add")}</button>
    </fieldset>
  );
}
