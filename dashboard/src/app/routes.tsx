// Every screen's route. Each feature exports its routes (features/<feature>/routes.tsx); they are listed here once.
import type { RouteObject } from "react-router";
import { publicAuthRoutes, signedInAuthRoutes } from "../features/auth/routes";

export const routes: { public: RouteObject[]; signedIn: RouteObject[]; projectTabs: RouteObject[] } = {
  public: [...publicAuthRoutes],
  signedIn: [...signedInAuthRoutes],
  // Children of /projects/:projectId (paths relative to it, e.g. "flow"), shown under the project's header and tabs.
  projectTabs: [],
};

/** The header's navigation: [path, i18n key, operators only]. */
export const NAV: [string, string, boolean][] = [
  ["/projects", "common.nav.projects", false],
  ["/billing", "common.nav.billing", false],
  ["/keys", "common.nav.apiKeys", false],
  ["/ops", "common.nav.operator", true],
];

/** A project's tabs, in the order of the seed's journey: [path under /projects/:projectId, i18n key]. */
export const PROJECT_TABS: [string, string][] = [];
