import { useEffect, useId, useState } from "react";
import { useTranslation } from "react-i18next";

import { CheckGroup, TextArea, TextField } from "../../components/Field";
import { Page, Section } from "../../components/Page";
import { Done, ErrorNote, Loading } from "../../components/Status";
import { ApiError } from "../../lib/api/errors";
import { formatDate, lines, commaList } from "../../lib/format";
import { currentPolicy, usePolicies } from "../../lib/queries";
import { readAsBase64, useDeleteResume, useResume, useWriteResume } from "./api";

const EMPTY = { education: "", experience: "", skills: "", languages: "", desired_roles: "",
  desired_locations: "", free_text: "" };

export function ResumePage() {
  const { t, i18n } = useTranslation();
  const resume = useResume();
  const policies = usePolicies();
  const write = useWriteResume();
  const remove = useDeleteResume();
  const [form, setForm] = useState(EMPTY);
  const [pdf, setPdf] = useState<{ name: string; base64: string } | null>(null);
  const [volunteer, setVolunteer] = useState<string[]>([]);
  const fileId = useId();
  const current = resume.data;
  useEffect(() => {
    if (current) {
      const c = current.content;
      setForm({ education: (c.education ?? []).join("\n"), experience: (c.experience ?? []).join("\n"),
        skills: (c.skills ?? []).join(", "), languages: (c.languages ?? []).join(", "),
        desired_roles: (c.desired_roles ?? []).join("\n"),
        desired_locations: (c.desired_locations ?? []).join(", "), free_text: c.free_text ?? "" });
    }
  }, [current]);
  const refusal = write.error instanceof ApiError && write.error.reason === "sensitive_data"
    ? ((write.error.details.categories as string[] | undefined) ?? []) : [];
  const refusalKey = refusal.join(",");
  useEffect(() => setVolunteer(refusalKey ? refusalKey.split(",") : []), [refusalKey]);
  if (resume.isPending) return <Page title={t("resume.title")}><Loading /></Page>;
  const set = (key: keyof typeof EMPTY) => (value: string) => setForm({ ...form, [key]: value });
  const submit = (withVolunteer: boolean) => {
    const version = currentPolicy(policies.data?.versions);
    write.mutate({
      exists: Boolean(current),
      body: {
        education: lines(form.education), experience: lines(form.experience),
        skills: commaList(form.skills), languages: commaList(form.languages),
        desired_roles: lines(form.desired_roles), desired_locations: commaList(form.desired_locations),
        free_text: form.free_text,
        pdf_base64: pdf?.base64 ?? null,
        volunteer: withVolunteer && version && volunteer.length > 0
          ? { categories: volunteer as never, policy_version: version } : null,
      },
    });
  };
  return (
    <Page title={t("resume.title")}>
      {current && (
        <p className="meta">{t("resume.revision", { revision: current.revision,
          at: formatDate(current.updated_at, i18n.language) })}
          {current.has_pdf && ` · ${t("resume.hasPdf")}`}
          {current.declared_sensitive.length > 0 && ` · ${t("resume.declared")}: ${
            current.declared_sensitive.map((c) => t(`sensitive.${c}`)).join(", ")}`}</p>
      )}
      <form className="card" onSubmit={(e) => { e.preventDefault(); submit(false); }}>
        <TextArea label={t("resume.education")} hint={t("resume.onePerLine")} value={form.education} onChange={set("education")} />
        <TextArea label={t("resume.experience")} hint={t("resume.onePerLine")} value={form.experience} onChange={set("experience")} />
        <TextField label={t("resume.skills")} hint={t("resume.commaSeparated")} value={form.skills} onChange={set("skills")} />
        <TextField label={t("resume.languages")} hint={t("resume.commaSeparated")} value={form.languages} onChange={set("languages")} />
        <TextArea label={t("resume.desiredRoles")} hint={t("resume.onePerLine")} value={form.desired_roles} onChange={set("desired_roles")} rows={2} />
        <TextField label={t("resume.desiredLocations")} hint={t("resume.commaSeparated")} value={form.desired_locations} onChange={set("desired_locations")} />
        <TextArea label={t("resume.freeText")} value={form.free_text} onChange={set("free_text")} rows={5} />
        <div className="field">
          <label htmlFor={fileId}>{t("resume.pdf")}</label>
          <input id={fileId} type="file" accept="application/pdf" aria-describedby={`${fileId}-hint`}
            onChange={async (e) => {
              const file = e.target.files?.[0];
              setPdf(file ? { name: file.name, base64: await readAsBase64(file) } : null);
            }} />
          <p id={`${fileId}-hint`} className="hint">{pdf ? t("resume.pdfChosen", { name: pdf.name }) : t("resume.pdfHint")}</p>
        </div>
        {refusal.length === 0 && <ErrorNote error={write.error} />}
        {write.isSuccess && <Done>{t("resume.saved")}</Done>}
        <button type="submit" disabled={write.isPending}>{current ? t("resume.revise") : t("resume.submit")}</button>
      </form>
      {refusal.length > 0 && (
        <Section title={t("resume.sensitiveTitle")}>
          <ErrorNote error={write.error} />
          <p>{t("resume.sensitiveExplain")}</p>
          <CheckGroup legend={t("resume.volunteerLegend")} selected={volunteer} onChange={setVolunteer}
            options={refusal.map((c) => ({ value: c, label: t(`sensitive.${c}`) }))} />
          <p className="hint">{t("resume.volunteerPolicy", { version: currentPolicy(policies.data?.versions) ?? "" })}</p>
          <button type="button" disabled={write.isPending || volunteer.length === 0}
            onClick={() => submit(true)}>{t("resume.volunteer")}</button>
        </Section>
      )}
      {current && (
        <Section title={t("resume.deleteTitle")}>
          <p>{t("resume.deleteExplain")}</p>
          <ErrorNote error={remove.error} />
          <button type="button" className="danger" onClick={() => remove.mutate()}>{t("resume.delete")}</button>
        </Section>
      )}
    </Page>
  );
}
