import { useTranslation } from "react-i18next";
import { Navigate, NavLink, Outlet, useLocation } from "react-router";
import { LanguageSwitch } from "../components/LanguageSwitch";
import { isOperator, saveSession } from "../lib/session";
import { NAV } from "./routes";
import { useSession } from "./useSession";

export function RequireSignIn() {
  const session = useSession();
  const location = useLocation();
  if (!session) return <Navigate to={`/signin?next=${encodeURIComponent(location.pathname + location.search)}`} replace />;
  return <Outlet />;
}

export function Layout() {
  const { t } = useTranslation();
  const session = useSession();
  const operator = isOperator(session);
  return (
    <>
      <a className="skip" href="#main">
        {t("common.skipToContent")}
      </a>
      <header className="topbar">
        <strong className="brand">{t("common.appName")}</strong>
        <nav aria-label={t("common.nav.main")}>
          {NAV.filter(([, , operatorsOnly]) => !operatorsOnly || operator).map(([path, key]) => (
            <NavLink key={path} to={path}>
              {t(key)}
            </NavLink>
          ))}
        </nav>
        <div className="topbar-end">
          <LanguageSwitch remember={!operator} />
          <span className="who">{session?.email}</span>
          <button type="button" onClick={() => saveSession(null)}>
            {t("common.signOut")}
          </button>
        </div>
      </header>
      <main id="main" tabIndex={-1}>
        <Outlet />
      </main>
    </>
  );
}
