import { useState } from "react";
import { useTranslation } from "react-i18next";

import { TextArea, TextField } from "../../components/Field";
import { Page, Section } from "../../components/Page";
import { Done, ErrorNote } from "../../components/Status";
import type { Schemas } from "../../lib/api/client";
import { StaffNav } from "./StaffNav";
import { PURPOSES, usePolicies, usePublishPolicy } from "./api";

type Change = { changed: boolean; significant: boolean };

export function PoliciesPage() {
  const { t } = useTranslation();
  const policies = usePolicies();
  const publish = usePublishPolicy();
  const [version, setVersion] = useState("");
  const [effective, setEffective] = useState("");
  const [ja, setJa] = useState("");
  const [en, setEn] = useState("");
  const [changes, setChanges] = useState<Record<string, Change>>({});
  const change = (p: string, key: keyof Change, value: boolean) =>
    setChanges({ ...changes, [p]: { changed: false, significant: false, ...changes[p], [key]: value } });
  return (
    <Page title={t("staff.policies")}>
      <StaffNav />
      <p>{t("staff.versions")}: {(policies.data?.versions ?? []).join(", ")}</p>
      <Section title={t("staff.publishPolicy")}>
        <form onSubmit={(e) => {
          e.preventDefault();
          publish.mutate({
            policy_version: version,
            effective_at: new Date(effective).toISOString(),
            texts: { ja, en },
            changes: Object.entries(changes).filter(([, c]) => c.changed || c.significant)
              .map(([purpose, c]) => ({ purpose: purpose as Schemas["Purpose"], changed: c.changed || c.significant,
                significant: c.significant })),
          });
        }}>
          <TextField label={t("staff.version")} value={version} onChange={setVersion} required />
          <TextField label={t("staff.effectiveAt")} type="datetime-local" value={effective} onChange={setEffective} required />
          <TextArea label={t("staff.policyTextJa")} value={ja} onChange={setJa} rows={6} />
          <TextArea label={t("staff.policyTextEn")} value={en} onChange={setEn} rows={6} />
          <table>
            <caption>{t("staff.changes")}</caption>
            <thead><tr><th scope="col">{t("consents.purpose")}</th><th scope="col">{t("staff.changed")}</th>
              <th scope="col">{t("staff.significant")}</th></tr></thead>
            <tbody>
              {PURPOSES.map((p) => (
                <tr key={p}>
                  <th scope="row">{t(`purposes.${p}`)}</th>
                  <td><input type="checkbox" aria-label={`${t(`purposes.${p}`)}: ${t("staff.changed")}`}
                    checked={changes[p]?.changed ?? false} onChange={(e) => change(p, "changed", e.target.checked)} /></td>
                  <td><input type="checkbox" aria-label={`${t(`purposes.${p}`)}: ${t("staff.significant")}`}
                    checked={changes[p]?.significant ?? false} onChange={(e) => change(p, "significant", e.target.checked)} /></td>
                </tr>
              ))}
            </tbody>
          </table>
          <ErrorNote error={publish.error} />
          {publish.isSuccess && <Done>{t("staff.published")}</Done>}
          <button type="submit" disabled={publish.isPending}>{t("staff.publish")}</button>
        </form>
      </Section>
    </Page>
  );
}
