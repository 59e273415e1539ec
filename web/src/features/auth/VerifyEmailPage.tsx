import { useEffect } from "react";
import { useTranslation } from "react-i18next";
import { Link, useSearchParams } from "react-router";

import { Page } from "../../components/Page";
import { ApiError } from "../../lib/api/errors";
import { Done, ErrorNote, Loading } from "../../components/Status";
import { useVerify } from "./api";

/** The page the verification email links to (`/verify-email?token=`). */
export function VerifyEmailPage() {
  const { t } = useTranslation();
  const [params] = useSearchParams();
  const token = params.get("token") ?? "";
  const verify = useVerify();
  const { mutate } = verify;
  useEffect(() => {
    if (token) mutate(token);
  }, [token, mutate]);
  return (
    <Page title={t("auth.verifyTitle")}>
      {verify.isPending && <Loading />}
      {verify.isSuccess && <Done>{t("auth.verified")}</Done>}
      {!token && <ErrorNote error={new ApiError(400, { detail: { reason: "invalid_verification" } })} />}
      <ErrorNote error={verify.error} />
      <p><Link to="/sign-in">{t("auth.signIn")}</Link></p>
    </Page>
  );
}
