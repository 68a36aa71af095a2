// Every screen's route. Each feature exports its routes (features/<feature>/routes.tsx); they are listed here once.
import type { RouteObject } from "react-router";
import { publicAuthRoutes, signedInAuthRoutes } from "../features/auth/routes";

export const routes: { public: RouteObject[]; signedIn: RouteObject[] } = {
  public: [...publicAuthRoutes],
  signedIn: [...signedInAuthRoutes],
};

/** The header's navigation: [path, i18n key, operators only]. */
export const NAV: [string, string, boolean][] = [
  ["/projects", "common.nav.projects", false],
  ["/billing", "common.nav.billing", false],
  ["/keys", "common.nav.apiKeys", false],
  ["/ops", "common.nav.operator", true],
];
