import { useState } from "react";
import { useTranslation } from "react-i18next";
import { Link } from "react-router";

import { CheckGroup } from "../../components/Field";
import { Section } from "../../components/Page";
import { ErrorNote, Loading } from "../../components/Status";
import type { Schemas } from "../../lib/api/client";
import { countryName } from "../../lib/format";
import { DEFAULT_ITEMS, SENDABLE, useAccount, useApply, useOrganisation, useResume } from "./api";
import { answeredForm, answersOf, FormAnswers } from "./FormAnswers";

type Vacancy = Schemas["VacancyOut"];

/** What exactly would be sent, to whom, in which country: shown before anything is sent. */
function preview(items: string[], profile: Schemas["Profile"], cv: Schemas["ResumeContent"] | null, form: unknown) {
  const parts: Record<string, unknown> = {
    application_form: form,
    name: profile.name, contact: { email: profile.email }, school: profile.school ?? null,
    gender: profile.gender ?? null, resume: cv, education: cv?.education ?? [],
    experience: cv?.experience ?? [], skills: cv?.skills ?? [], languages: cv?.languages ?? [],
    preferences: { desired_roles: cv?.desired_roles ?? [], desired_locations: cv?.desired_locations ?? [] },
  };
  return Object.fromEntries([...items].sort().map((i) => [i, parts[i]]));
}

export function ApplyPanel({ vacancy }: { vacancy: Vacancy }) {
  const { t, i18n } = useTranslation();
  const account = useAccount();
  const resume = useResume();
  const org = useOrganisation(vacancy.organization_id);
  const apply = useApply();
  const [items, setItems] = useState<string[]>(DEFAULT_ITEMS);
  const [given, setGiven] = useState<NonNullable<Schemas["ApplicationBody"]["answers"]>>({});
  const result = apply.data;
  const form = vacancy.form ?? [];
  // A vacancy's form answers always go with an application to it (and only then).
  const sent = form.length > 0 ? [...items, "application_form"] : items;
  if (!account.data || resume.isPending || org.isPending) return <Loading />;
  if (!resume.data) {
    return <Section title={t("apply.title")}><p>{t("apply.needCv")} <Link to="/me/resume">{t("nav.resume")}</Link></p></Section>;
  }
  const recipient = org.data;
  return (
    <Section title={t("apply.title")}>
      {result ? (
        result.status === "shared" ? (
          <div role="status" className="done">
            <p>{t("apply.shared", { name: recipient?.legal_name ?? vacancy.organization_id })}</p>
            <p><Link to="/me/disclosures">{t("apply.seeDisclosures")}</Link></p>
          </div>
        ) : (
          <div role="alert" className="error" data-reason={result.reason}>
            <p>{t("apply.blocked")}: {t(`decision.${result.reason}`)}</p>
            <p>{t("apply.missing", { name: recipient?.legal_name ?? vacancy.organization_id })}</p>
            <p><Link to="/me/consents">{t("apply.toConsents")}</Link></p>
          </div>
        )
      ) : (
        <form onSubmit={(e) => {
          e.preventDefault();
          apply.mutate({
            body: { vacancy_id: vacancy.vacancy_id, data_items: sent as Schemas["DataCategory"][], answers: answersOf(form, given) },
            token: { resume_id: resume.data!.resume_id, revision: resume.data!.revision },
          });
        }}>
          <dl className="facts">
            <dt>{t("apply.recipient")}</dt>
            <dd>{recipient?.legal_name ?? vacancy.organization_id}</dd>
            {recipient && <><dt>{t("apply.address")}</dt><dd>{recipient.address}</dd>
              <dt>{t("apply.representative")}</dt><dd>{recipient.representative}</dd></>}
            <dt>{t("apply.country")}</dt>
            <dd>{countryName(recipient?.country ?? vacancy.location_country, i18n.language)}</dd>
            <dt>{t("apply.purpose")}</dt><dd>{t("purposes.client_application")}</dd>
          </dl>
          <CheckGroup legend={t("apply.items")} selected={items} onChange={setItems}
            options={SENDABLE.map((i) => ({ value: i, label: t(`categories.${i}`) }))} />
          {form.length > 0 && (
            <>
              <h3>{t("apply.formTitle")}</h3>
              <p className="hint">{t("apply.formSent", { item: t("categories.application_form") })}</p>
              <FormAnswers form={form} given={given} onChange={setGiven} />
            </>
          )}
          {items.includes("resume") && resume.data.declared_sensitive.length > 0 && (
            <p className="warning">{t("apply.withSensitive", {
              categories: resume.data.declared_sensitive.map((c) => t(`sensitive.${c}`)).join(", ") })}</p>
          )}
          <h3>{t("apply.exactly")}</h3>
          <pre className="preview" tabIndex={0} aria-label={t("apply.exactly")}>
            {JSON.stringify(preview(sent, account.data.profile, resume.data.content, answeredForm(form, given)), null, 2)}
          </pre>
          <ErrorNote error={apply.error} />
          <button type="submit" disabled={apply.isPending || items.length === 0}>
            {t("apply.send", { name: recipient?.legal_name ?? vacancy.organization_id })}
          </button>
        </form>
      )}
    </Section>
  );
}
