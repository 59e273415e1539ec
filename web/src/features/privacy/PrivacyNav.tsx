import { useTranslation } from "react-i18next";
import { NavLink } from "react-router";

/** The privacy centre's own pages. */
export function PrivacyNav() {
  const { t } = useTranslation();
  const pages = [
    ["/me/consents", "privacy.consents"], ["/me/transfer-objections", "privacy.transfers"],
    ["/me/disclosures", "privacy.disclosures"], ["/me/requests", "privacy.requests"], ["/me/export", "privacy.export"],
    ["/me/erase", "privacy.erase"],
  ] as const;
  return (
    <nav aria-label={t("privacy.title")} className="subnav">
      <ul>{pages.map(([to, key]) => <li key={to}><NavLink to={to}>{t(key)}</NavLink></li>)}</ul>
    </nav>
  );
}
