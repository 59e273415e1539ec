import { useState } from "react";
import { useTranslation } from "react-i18next";

import { TextField } from "../../components/Field";
import { Done, ErrorNote } from "../../components/Status";
import { ApiError } from "../../lib/api/errors";
import { formatDate } from "../../lib/format";
import { type DeskRequest, useNewCode, useVerify } from "./api";

/** Step-up verification of a request that discloses or destroys data: the password again and
 * the six-digit code the desk emailed (valid ten minutes, five tries); a new code on request. */
export function StepUp({ request, onVerified }: { request: DeskRequest; onVerified?: (r: DeskRequest) => void }) {
  const { t, i18n } = useTranslation();
  const verify = useVerify(request.request_id);
  const newCode = useNewCode(request.request_id);
  const [password, setPassword] = useState("");
  const [code, setCode] = useState("");
  const v = request.verification;
  const triesLeft = verify.error instanceof ApiError ? verify.error.details.tries_left : v.tries_left;
  return (
    <form className="card narrow step-up" aria-label={t("desk.stepUp")} onSubmit={(e) => {
      e.preventDefault();
      verify.mutate({ password, code: code.trim() }, {
        onSuccess: (r) => { setPassword(""); setCode(""); onVerified?.(r); },
      });
    }}>
      <h2>{t("desk.stepUp")}</h2>
      <p>{t("desk.stepUpExplain")}</p>
      {v.code_expires_at && <p className="meta">{t("desk.codeExpires", { at: formatDate(v.code_expires_at, i18n.language) })}</p>}
      <TextField label={t("desk.password")} type="password" value={password} onChange={setPassword}
        autoComplete="current-password" required />
      <TextField label={t("desk.code")} hint={t("desk.codeHint")} value={code} onChange={setCode}
        autoComplete="one-time-code" required />
      <ErrorNote error={verify.error} />
      {typeof triesLeft === "number" && <p className="meta">{t("desk.triesLeft", { count: triesLeft })}</p>}
      <div className="actions">
        <button type="submit" disabled={verify.isPending || !password || !/^\d{6}$/.test(code.trim())}>{t("desk.verify")}</button>
        <button type="button" className="secondary" disabled={newCode.isPending} onClick={() => newCode.mutate()}>
          {t("desk.newCode")}</button>
      </div>
      <ErrorNote error={newCode.error} />
      {newCode.isSuccess && <Done>{t("desk.codeSent")}</Done>}
    </form>
  );
}
