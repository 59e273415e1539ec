import { useTranslation } from "react-i18next";

import { CheckGroup, RadioGroup, TextArea, TextField } from "../../components/Field";
import type { Schemas } from "../../lib/api/client";

type Given = NonNullable<Schemas["ApplicationBody"]["answers"]>;

/** The answers to send: each question answered (text trimmed, at least one choice picked, or
 * yes/no), by question id; a question left blank is not sent (the API refuses a required one). */
export function answersOf(form: Schemas["FormQuestion"][], given: Given): Given {
  const out: Given = {};
  for (const q of form) {
    const a = given[q.question_id];
    if (typeof a === "string") {
      if (a.trim()) out[q.question_id] = a.trim();
    } else if (Array.isArray(a)) {
      if (a.length > 0) out[q.question_id] = a;
    } else if (typeof a === "boolean") {
      out[q.question_id] = a;
    }
  }
  return out;
}

/** The form answered as the recipient will receive it: each question's prompt beside its answer. */
export function answeredForm(form: Schemas["FormQuestion"][], given: Given) {
  const answers = answersOf(form, given);
  return form.filter((q) => q.question_id in answers).map((q) => ({
    question_id: q.question_id, kind: q.kind, prompt: q.prompt, answer: answers[q.question_id],
  }));
}

/** A vacancy's application form: a text box, a text area, a radio group, a group of checkboxes
 * or yes/no for each question, labelled by its prompt (and said to be required when it is). */
export function FormAnswers({ form, given, onChange }: {
  form: Schemas["FormQuestion"][]; given: Given; onChange: (given: Given) => void;
}) {
  const { t } = useTranslation();
  return (
    <>
      {form.map((q) => {
        const id = q.question_id;
        const required = q.required ?? true;
        const label = required ? t("apply.requiredPrompt", { prompt: q.prompt }) : q.prompt;
        const a = given[id];
        const set = (value: Given[string]) => onChange({ ...given, [id]: value });
        const choices = (q.choices ?? []).map((c) => ({ value: c, label: c }));
        switch (q.kind) {
          case "short_text":
            return <TextField key={id} label={label} value={typeof a === "string" ? a : ""} onChange={set} required={required} />;
          case "long_text":
            return <TextArea key={id} label={label} value={typeof a === "string" ? a : ""} onChange={set} rows={5} required={required} />;
          case "one_choice":
            return <RadioGroup key={id} legend={label} options={choices} required={required}
              selected={typeof a === "string" ? a : undefined} onChange={set} />;
          case "several_choices":
            return <CheckGroup key={id} legend={label} options={choices}
              selected={Array.isArray(a) ? a : []} onChange={set} />;
          case "yes_no":
            return <RadioGroup key={id} legend={label} required={required}
              options={[{ value: "yes", label: t("common.yes") }, { value: "no", label: t("common.no") }]}
              selected={typeof a === "boolean" ? (a ? "yes" : "no") : undefined} onChange={(v) => set(v === "yes")} />;
        }
      })}
    </>
  );
}
