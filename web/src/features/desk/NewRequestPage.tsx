import { useState } from "react";
import { useTranslation } from "react-i18next";
import { useNavigate, useSearchParams } from "react-router";

import { SelectField, TextArea, TextField } from "../../components/Field";
import { Page } from "../../components/Page";
import { ErrorNote } from "../../components/Status";
import type { Schemas } from "../../lib/api/client";
import { CONSENTABLE } from "../../lib/vocabulary";
import { PROFILE_FIELDS, REQUEST_KINDS, useFileRequest } from "./api";

const NEEDS_FIELD = new Set(["correction", "addition", "deletion"]);
const NEEDS_VALUE = new Set(["correction", "addition"]);
const TICKET = new Set(["complaint", "enquiry"]);

/** File a request to the desk: a correction, addition or deletion of a field, to stop a use or
 * a provision, a complaint or an enquiry (and a disclosure or an erasure, which ask for step-up). */
export function NewRequestPage() {
  const { t, i18n } = useTranslation();
  const [params] = useSearchParams();
  const file = useFileRequest();
  const navigate = useNavigate();
  const [kind, setKind] = useState(params.get("kind") ?? "correction");
  const [field, setField] = useState("school");
  const [value, setValue] = useState("");
  const [purpose, setPurpose] = useState("marketing");
  const [recipient, setRecipient] = useState("");
  const [title, setTitle] = useState("");
  const [details, setDetails] = useState("");
  const deletable = PROFILE_FIELDS.filter((f) => f === "gender" || f === "school" || f === "other");
  return (
    <Page title={t("desk.fileNew")}>
      <p>{t("desk.fileExplain")}</p>
      <form className="card" onSubmit={(e) => {
        e.preventDefault();
        const body: Schemas["RequestBody"] = {
          kind: kind as Schemas["RequestKind"],
          language: i18n.language === "en" ? "en" : "ja",
          ...(NEEDS_FIELD.has(kind) ? { field: field as Schemas["ProfileField"] } : {}),
          ...(NEEDS_VALUE.has(kind) && value ? { value } : {}),
          ...(kind === "cessation_of_use" ? { purpose: purpose as Schemas["Purpose"] } : {}),
          ...(kind === "cessation_of_provision" ? { recipient } : {}),
          ...(TICKET.has(kind) && title ? { title } : {}),
          ...(details.trim() ? { details: details.trim() } : {}),
        };
        file.mutate(body, { onSuccess: (r) => void navigate(`/me/requests/${r.request_id}`) });
      }}>
        <SelectField label={t("desk.kind")} value={kind} onChange={setKind}>
          {REQUEST_KINDS.map((k) => <option key={k} value={k}>{t(`requestKinds.${k}`)}</option>)}
        </SelectField>
        <p className="hint">{t(`requestHelp.${kind}`)}</p>
        {NEEDS_FIELD.has(kind) && (
          <SelectField label={t("desk.field")} value={field} onChange={setField}>
            {(kind === "deletion" ? deletable : PROFILE_FIELDS).map((f) => <option key={f} value={f}>{t(`profileFields.${f}`)}</option>)}
          </SelectField>
        )}
        {NEEDS_VALUE.has(kind) && field !== "other" && (
          <TextField label={t("desk.value")} value={value} onChange={setValue} required />
        )}
        {kind === "cessation_of_use" && (
          <SelectField label={t("consents.purpose")} value={purpose} onChange={setPurpose}>
            {CONSENTABLE.map((p) => <option key={p} value={p}>{t(`purposes.${p}`)}</option>)}
          </SelectField>
        )}
        {kind === "cessation_of_provision" && (
          <TextField label={t("consents.recipient")} hint={t("desk.recipientHint")} value={recipient} onChange={setRecipient} required />
        )}
        {TICKET.has(kind) && <TextField label={t("desk.title")} value={title} onChange={setTitle} required />}
        <TextArea label={t("desk.details")} value={details} onChange={setDetails} rows={5} />
        <ErrorNote error={file.error} />
        <button type="submit" disabled={file.isPending}>{t("desk.file")}</button>
      </form>
    </Page>
  );
}
