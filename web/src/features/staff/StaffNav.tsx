import { useTranslation } from "react-i18next";
import { NavLink } from "react-router";

export function StaffNav() {
  const { t } = useTranslation();
  const pages = [
    ["/staff/desk", "desk.queue"], ["/staff/policies", "staff.policies"], ["/staff/country-notices", "staff.notices"],
    ["/staff/transfers", "staff.transfers"], ["/staff/organisations", "staff.organisations"],
    ["/staff/accounts", "staff.accounts"], ["/staff/legal-disclosures", "staff.legal"],
  ] as const;
  return (
    <nav aria-label={t("staff.title")} className="subnav">
      <ul>{pages.map(([to, key]) => <li key={to}><NavLink to={to}>{t(key)}</NavLink></li>)}</ul>
    </nav>
  );
}
