import { useState } from "react";
import { useTranslation } from "react-i18next";
import { Link } from "react-router";

import { SelectField, TextArea, TextField } from "../../components/Field";
import { Page } from "../../components/Page";
import { Done, ErrorNote } from "../../components/Status";
import { useGuestFiling } from "./api";

/** A complaint or an enquiry without an account: answered by email, at the address given. */
export function GuestPage() {
  const { t, i18n } = useTranslation();
  const file = useGuestFiling();
  const [kind, setKind] = useState<"complaint" | "enquiry">("complaint");
  const [email, setEmail] = useState("");
  const [title, setTitle] = useState("");
  const [message, setMessage] = useState("");
  return (
    <Page title={t("guest.title")}>
      <p>{t("guest.explain")}</p>
      <p><Link to="/policy">{t("policy.title")}</Link></p>
      {file.data ? (
        <Done>{t("guest.filed", { id: file.data.request_id })}</Done>
      ) : (
        <form className="card narrow" onSubmit={(e) => {
          e.preventDefault();
          file.mutate({ kind, email, title, message, language: i18n.language === "en" ? "en" : "ja" });
        }}>
          <SelectField label={t("desk.kind")} value={kind} onChange={(k) => setKind(k as "complaint" | "enquiry")}>
            <option value="complaint">{t("requestKinds.complaint")}</option>
            <option value="enquiry">{t("requestKinds.enquiry")}</option>
          </SelectField>
          <TextField label={t("guest.email")} hint={t("guest.emailHint")} type="email" value={email} onChange={setEmail}
            autoComplete="email" required />
          <TextField label={t("desk.title")} value={title} onChange={setTitle} required />
          <TextArea label={t("guest.message")} value={message} onChange={setMessage} rows={6} />
          <ErrorNote error={file.error} />
          <button type="submit" disabled={file.isPending || !message.trim()}>{t("desk.send")}</button>
        </form>
      )}
    </Page>
  );
}
