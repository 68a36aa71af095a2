import type { RouteObject } from "react-router";
import { AccountsPage, AuditPage, PricesPage } from "./AdminPages";
import { BillingDisputesPage, TrialDisputesPage } from "./DisputesPages";
import { InboxPage, ThreadPage } from "./InboxPages";
import { OpsShell } from "./OpsShell";
import { ReviewsPage } from "./ReviewsPage";

export const operatorRoutes: RouteObject[] = [
  {
    path: "/ops",
    element: <OpsShell />,
    children: [
      { index: true, element: <ReviewsPage /> },
      { path: "disputes", element: <TrialDisputesPage /> },
      { path: "billing", element: <BillingDisputesPage /> },
      { path: "inbox", element: <InboxPage /> },
      { path: "inbox/:projectId", element: <ThreadPage /> },
      { path: "prices", element: <PricesPage /> },
      { path: "audit", element: <AuditPage /> },
      { path: "accounts", element: <AccountsPage /> },
    ],
  },
];
