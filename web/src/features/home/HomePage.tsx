import { useTranslation } from "react-i18next";
import { Link } from "react-router";

import { Page } from "../../components/Page";
import { useSession } from "../../lib/auth/useSession";

const START: Record<string, [string, string][]> = {
  student: [["/me/resume", "nav.resume"], ["/vacancies", "nav.vacancies"], ["/me/matches", "nav.matches"],
    ["/me/applications", "nav.applications"], ["/me/consents", "nav.privacy"]],
  client: [["/organisation", "nav.organisation"], ["/organisation/vacancies", "nav.ownVacancies"]],
  staff: [["/staff/policies", "nav.staff"], ["/audit", "nav.audit"]],
  auditor: [["/audit", "nav.audit"], ["/audit/subjects", "audit.recordTitle"]],
};

export function HomePage() {
  const { t } = useTranslation();
  const session = useSession();
  return (
    <Page title={t("home.title")}>
      <p className="lead">{t("home.lead")}</p>
      {session ? (
        <ul className="tiles">
          {(START[session.role] ?? []).map(([to, key]) => <li key={to}><Link to={to}>{t(key)}</Link></li>)}
        </ul>
      ) : (
        <ul className="tiles">
          <li><Link to="/sign-in">{t("auth.signIn")}</Link></li>
          <li><Link to="/register">{t("auth.register")}</Link></li>
        </ul>
      )}
      <p>{t("home.privacy")}</p>
    </Page>
  );
}
