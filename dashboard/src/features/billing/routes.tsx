import type { RouteObject } from "react-router";
import { BillingPage } from "./BillingPage";
import { PaymentTab } from "./PaymentTab";

export const billingRoutes: RouteObject[] = [{ path: "/billing", element: <BillingPage /> }];
export const paymentTabRoutes: RouteObject[] = [{ path: "payment", element: <PaymentTab /> }];
