// The billing calls (docs/billing.md): balance and ledger, the saved card (Stripe), refunds, invoices, disputes,
// and a project's estimate → confirm.
import type { components } from "../../api/schema";
import { dashboardCall } from "../../lib/api";

type S = components["schemas"];
export type Balance = S["BalanceData"];
export type LedgerEntry = S["LedgerEntry"];
export type SetupCard = S["SetupCardData"];
export type ConfirmCard = S["ConfirmCardData"];
export type Refund = S["RefundData"];
export type RefundRecord = S["RefundRecord"];
export type Invoice = S["InvoiceInfo"];
export type Dispute = S["DisputeInfo"];
export type Estimate = S["EstimateData"];
export type Confirm = S["ConfirmData"];

export const LEDGER_PAGE = 20;

export const balanceQuery = (cursor: string | null) => ({
  queryKey: ["billing", "balance", cursor],
  queryFn: () => dashboardCall<Balance>("billing/retrieveBalance", cursor ? { cursor, limit: LEDGER_PAGE } : { limit: LEDGER_PAGE }),
});
export const refundsQuery = {
  queryKey: ["billing", "refunds"],
  queryFn: () => dashboardCall<S["ListRefundsData"]>("billing/listRefunds", {}),
};
export const invoicesQuery = {
  queryKey: ["billing", "invoices"],
  queryFn: () => dashboardCall<S["ListInvoicesData"]>("billing/listInvoices", {}),
};
export const disputesQuery = {
  queryKey: ["billing", "disputes"],
  queryFn: () => dashboardCall<S["ListDisputesData"]>("billing/listDisputes", {}),
};
export const estimateQuery = (projectId: string) => ({
  queryKey: ["billing", "estimate", projectId],
  queryFn: () => dashboardCall<Estimate>("projects/estimate", { projectId }),
});

export const setupCard = () => dashboardCall<SetupCard>("billing/setupCard", {});
export const confirmCard = (setupIntentId: string) => dashboardCall<ConfirmCard>("billing/confirmCard", { setupIntentId });
export const requestRefund = () => dashboardCall<Refund>("billing/refund", {});
export const retrieveInvoice = (number: string) => dashboardCall<Invoice>("billing/retrieveInvoice", { number });
export const confirmProject = (projectId: string) => dashboardCall<Confirm>("projects/confirm", { projectId });
