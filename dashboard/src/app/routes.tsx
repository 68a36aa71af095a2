// Every screen's route. Each feature exports its routes (features/<feature>/routes.tsx); they are listed here once.
import type { ReactNode } from "react";
import type { RouteObject } from "react-router";
import { publicAuthRoutes, signedInAuthRoutes } from "../features/auth/routes";
import { projectsRoutes, projectsTabRoutes } from "../features/projects/routes";
import { flowProjectTabs } from "../features/flow/routes";
import { uploadTabRoutes } from "../features/upload/routes";
import { progressTabRoutes } from "../features/progress/routes";
import { messagesTabRoutes } from "../features/messages/routes";
import { billingRoutes, paymentTabRoutes } from "../features/billing/routes";
import { reviewTabRoutes } from "../features/review/routes";
import { acceptanceTabRoutes } from "../features/acceptance/routes";
import { exportTabRoutes } from "../features/export/routes";
import { operatorRoutes } from "../features/operator/routes";
import { UnreadBadge } from "../features/messages/MessagesPage";

export const routes: { public: RouteObject[]; signedIn: RouteObject[]; projectTabs: RouteObject[] } = {
  public: [...publicAuthRoutes],
  signedIn: [...projectsRoutes, ...signedInAuthRoutes, ...billingRoutes, ...operatorRoutes],
  // Children of /projects/:projectId (paths relative to it, e.g. "flow"), shown under the project's header and tabs.
  projectTabs: [...flowProjectTabs, ...projectsTabRoutes, ...uploadTabRoutes, ...progressTabRoutes, ...messagesTabRoutes, ...reviewTabRoutes, ...paymentTabRoutes, ...acceptanceTabRoutes, ...exportTabRoutes],
};

/** The header's navigation: [path, i18n key, operators only]. */
export const NAV: [string, string, boolean][] = [
  ["/projects", "common.nav.projects", false],
  ["/billing", "common.nav.billing", false],
  ["/keys", "common.nav.apiKeys", false],
  ["/ops", "common.nav.operator", true],
];

/** A project's tabs, in the order of the seed's journey: [path under /projects/:projectId, i18n key]. */
export const PROJECT_TABS: [string, string][] = [["flow", "flow.tab"], ["upload", "upload.tab"], ["review", "review.tab"], ["payment", "billing.payment.title"], ["progress", "progress.tab"], ["results", "acceptance.tab"], ["export", "export.tab"], ["messages", "messages.tab"], ["settings", "projects.settings.tab"]];

/** A small live count shown on a project's tab (e.g. unread messages): [path under /projects/:projectId] → component. */
export const TAB_BADGES: Record<string, (props: { projectId: string }) => ReactNode> = { messages: UnreadBadge };
