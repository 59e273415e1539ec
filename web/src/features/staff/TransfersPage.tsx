import { useState } from "react";
import { useTranslation } from "react-i18next";

import { CheckGroup, TextField } from "../../components/Field";
import { Page, Section } from "../../components/Page";
import { Done, ErrorNote } from "../../components/Status";
import type { Schemas } from "../../lib/api/client";
import { formatDate } from "../../lib/format";
import { StaffNav } from "./StaffNav";
import { PURPOSES, useAnnounceTransfer, usePolicies } from "./api";

export function StaffTransfersPage() {
  const { t, i18n } = useTranslation();
  const policies = usePolicies();
  const announce = useAnnounceTransfer();
  const [acquirer, setAcquirer] = useState("");
  const [name, setName] = useState("");
  const [purposes, setPurposes] = useState<string[]>([]);
  const [deadline, setDeadline] = useState("");
  return (
    <Page title={t("staff.transfers")}>
      <StaffNav />
      <ul>
        {(policies.data?.transfers ?? []).map((tr) => (
          <li key={tr.transfer_id}>{tr.acquirer}: {tr.purposes.map((p) => t(`purposes.${p}`)).join(", ")} — {formatDate(tr.opt_out_deadline, i18n.language)}</li>
        ))}
      </ul>
      <Section title={t("staff.announce")}>
        <form onSubmit={(e) => {
          e.preventDefault();
          announce.mutate({ acquirer, acquirer_name: name, purposes: purposes as Schemas["Purpose"][],
            opt_out_deadline: new Date(deadline).toISOString() });
        }}>
          <TextField label={t("staff.acquirer")} hint={t("consents.recipientHint")} value={acquirer} onChange={setAcquirer} required />
          <TextField label={t("staff.acquirerName")} value={name} onChange={setName} required />
          <CheckGroup legend={t("transfers.purposes")} selected={purposes} onChange={setPurposes}
            options={PURPOSES.map((p) => ({ value: p, label: t(`purposes.${p}`) }))} />
          <TextField label={t("transfers.deadline")} type="datetime-local" value={deadline} onChange={setDeadline} required />
          <ErrorNote error={announce.error} />
          {announce.isSuccess && <Done>{t("staff.announced")}</Done>}
          <button type="submit" disabled={announce.isPending}>{t("staff.announceButton")}</button>
        </form>
      </Section>
    </Page>
  );
}
