import { useTranslation } from "react-i18next";
import { Link, NavLink, Outlet, useNavigate } from "react-router";

import { LANGUAGES } from "../lib/i18n";
import { signOut } from "../lib/auth/session";
import { useSession } from "../lib/auth/useSession";
import { NAV } from "./routes";

export function Layout() {
  const { t, i18n } = useTranslation();
  const session = useSession();
  const navigate = useNavigate();
  const links = session ? NAV[session.role] : [];
  return (
    <>
      <a className="skip" href="#main">{t("app.skip")}</a>
      <header className="top">
        <Link to="/" className="brand">{t("app.name")}</Link>
        <nav aria-label={t("app.mainNav")}>
          <ul>
            {links.map(([to, key]) => <li key={to}><NavLink to={to}>{t(key)}</NavLink></li>)}
          </ul>
        </nav>
        <div className="tools">
          <div role="group" aria-label={t("app.language")}>
            {LANGUAGES.map((lng) => (
              <button key={lng} type="button" lang={lng} className="lang" aria-pressed={i18n.language === lng}
                onClick={() => void i18n.changeLanguage(lng)}>{lng === "ja" ? "日本語" : "English"}</button>
            ))}
          </div>
          {session ? (
            <>
              <NavLink to="/me">{t("nav.profile")}</NavLink>
              <button type="button" className="secondary" onClick={async () => {
                await signOut();
                void navigate("/sign-in");
              }}>{t("auth.signOut")}</button>
            </>
          ) : <NavLink to="/sign-in">{t("auth.signIn")}</NavLink>}
        </div>
      </header>
      <main id="main">
        <Outlet />
      </main>
      <footer>
        <p>{t("app.footer")}</p>
        <p><Link to="/policy">{t("policy.title")}</Link> · <Link to="/enquiries">{t("guest.title")}</Link></p>
      </footer>
    </>
  );
}
