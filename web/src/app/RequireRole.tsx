import type { ReactNode } from "react";
import { useTranslation } from "react-i18next";
import { Navigate, useLocation } from "react-router";

import { Page } from "../components/Page";
import type { AccountRole as Role } from "../lib/auth/session";
import { useSession } from "../lib/auth/useSession";

/** A page for signed-in people of these roles: others are sent to sign in (and back after). */
export function RequireRole({ roles, children }: { roles: Role[]; children: ReactNode }) {
  const session = useSession();
  const location = useLocation();
  const { t } = useTranslation();
  if (!session) {
    const next = encodeURIComponent(location.pathname + location.search);
    return <Navigate to={`/sign-in?next=${next}`} replace />;
  }
  if (!roles.includes(session.role)) {
    return <Page title={t("reasons.forbidden")}><p>{t("common.notForRole")}</p></Page>;
  }
  return <>{children}</>;
}
