// The operator API (/operator/v1, `operators` group only; JSON with the ID token). Its answers are not in
// docs/openapi.json (that documents the signed API), so their shapes are declared here as the handler returns them.
import { useQuery } from "@tanstack/react-query";
import type { components } from "../../api/schema";
import { jsonCall } from "../../lib/api";

const OPS = "/operator/v1";

export const REVIEW_REASONS = ["flow_logic", "flow_wording", "files_not_standard", "sensitive_content"] as const;
export type ReviewReason = (typeof REVIEW_REASONS)[number];

export interface Review {
  projectId: string;
  userId: string;
  email: string | null;
  name: string;
  type: string;
  taskType: string | null;
  instruction: string;
  submittedAt: number;
  itemCount: number;
  trialSize: number;
  flowOrigin: string;
  sampleItems: { itemId: string; dataUrl: string }[];
  account: { projects: number; rejections: number; completed: number };
}

export interface TrialDispute {
  projectId: string;
  userId: string;
  name: string;
  trialRound: number;
  submittedAt: number;
  issues: { itemId: string; comment: string; dataUrl: string }[];
}

export interface BillingDispute {
  userId: string;
  disputeId: string;
  projectId: string;
  itemIds: string[];
  reason: string;
  status: string;
  disputedCents: number;
  createdAt: number;
}

export interface InboxThread {
  projectId: string;
  name: string;
  status: string;
  userId: string;
  email: string | null;
  unread: number;
  lastAt: number;
  lastText: string;
}

export interface ThreadMessage {
  seq: number;
  at: number;
  sender: "client" | "operator";
  author: string;
  text: string;
  itemId: string | null;
}

export interface AuditEntry {
  at: number;
  operator: string;
  action: string;
  target: string;
  details: Record<string, unknown>;
}

export interface AccountInfo {
  userId: string;
  email: string;
  createdAt: number;
  creditState: string;
  balance: { availableCents: number; bonusCents: number; reservedCents: number; receivableCents: number };
  card: { brand: string | null; last4: string } | null;
  projectsCreated: number;
  projects: { projectId: string; name: string; status: string; createdAt: number }[];
  moreProjects: boolean;
}

export type Prices = components["schemas"]["PricesData"];

export const opsKeys = {
  reviews: ["ops", "reviews"] as const,
  disputes: ["ops", "disputes"] as const,
  billing: ["ops", "billingDisputes"] as const,
  inbox: ["ops", "inbox"] as const,
  thread: (projectId: string) => ["ops", "thread", projectId] as const,
  audit: (day: string) => ["ops", "audit", day] as const,
};

const path = (id: string) => encodeURIComponent(id);

export const getReviews = () => jsonCall<{ reviews: Review[] }>("GET", `${OPS}/reviews`);
export const approve = (projectId: string, trialSize?: number) =>
  jsonCall("POST", `${OPS}/reviews/${path(projectId)}/approve`, trialSize ? { trialSize } : {});
export const reject = (projectId: string, reasons: string[], note: string) =>
  jsonCall("POST", `${OPS}/reviews/${path(projectId)}/reject`, { reasons, note });
export const setTrialSize = (projectId: string, size: number) =>
  jsonCall<{ trialSize: number }>("POST", `${OPS}/projects/${path(projectId)}/trialSize`, { size });
export const startOverride = (projectId: string) => jsonCall("POST", `${OPS}/projects/${path(projectId)}/start`);

export const getDisputes = () => jsonCall<{ disputes: TrialDispute[] }>("GET", `${OPS}/disputes`);
export const answerDisputes = (projectId: string, text: string, relabel: string[]) =>
  jsonCall("POST", `${OPS}/projects/${path(projectId)}/disputes/answer`, { text, relabel });

export const getBillingDisputes = () => jsonCall<{ disputes: BillingDispute[] }>("GET", `${OPS}/billing/disputes`);
export const acceptBillingDispute = (d: BillingDispute, amountCents: number, note: string) =>
  jsonCall("POST", `${OPS}/billing/disputes/${path(d.userId)}/${path(d.disputeId)}/accept`, { amountCents, note });
export const rejectBillingDispute = (d: BillingDispute, reason: string) =>
  jsonCall("POST", `${OPS}/billing/disputes/${path(d.userId)}/${path(d.disputeId)}/reject`, { reason });

export const getInbox = (cursor?: string | null) =>
  jsonCall<{ threads: InboxThread[]; nextCursor: string | null }>(
    "GET",
    `${OPS}/inbox?limit=20${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`,
  );
export const getThread = (projectId: string, since?: number | null) =>
  jsonCall<{ messages: ThreadMessage[]; nextSince: number | null; unread: number }>(
    "GET",
    `${OPS}/projects/${path(projectId)}/messages?limit=50${since ? `&since=${since}` : ""}`,
  );
export const postMessage = (projectId: string, text: string) =>
  jsonCall("POST", `${OPS}/projects/${path(projectId)}/messages`, { text });

export const getPrices = () =>
  fetch("/api/v1/prices").then(async (response) => ((await response.json()) as { data: Prices }).data);
export const setPrices = (projectId: string, prices: Record<string, number>) =>
  jsonCall("PUT", `${OPS}/projects/${path(projectId)}/prices`, { prices });

export const getAudit = (day: string) => jsonCall<{ entries: AuditEntry[] }>("GET", `${OPS}/audit?day=${encodeURIComponent(day)}`);

export const lookupAccount = (by: "email" | "userId", value: string) =>
  jsonCall<AccountInfo>("GET", `${OPS}/accounts?${by}=${encodeURIComponent(value)}`);

export const usePrices = () => useQuery({ queryKey: ["prices"], queryFn: getPrices, staleTime: 300_000 });
