// 数据验收 (docs: listResults, acceptResults): delivered results, accepted or sent back for free rework within
// 21 days of delivery (accepted automatically after).
import type { components } from "../../api/schema";
import { dashboardCall } from "../../lib/api";

type S = components["schemas"];
export type ResultRecord = S["ResultRecord"];
export type ResultsPage = S["ListResultsData"];
export type AcceptAnswer = S["AcceptResultsData"];

export const RESULTS_PAGE = 10;
/** acceptResults' itemIds limit (bytebridge.models.results.MAX_ACCEPT_BATCH), the size of "accept all"'s pages. */
export const ACCEPT_BATCH = 100;

export interface Filters {
  status: string;
  acceptance: string;
}

const filterParams = (filters: Filters) => ({
  ...(filters.status ? { status: filters.status } : {}),
  ...(filters.acceptance ? { acceptance: filters.acceptance } : {}),
});

export const resultsQuery = (projectId: string, filters: Filters, cursor: string | null) => ({
  queryKey: ["results", projectId, filters, cursor],
  queryFn: () => dashboardCall<ResultsPage>("projects/listResults", { projectId, limit: RESULTS_PAGE, ...filterParams(filters), ...(cursor ? { cursor } : {}) }),
});

export const decide = (projectId: string, itemIds: string[], decision: "accept" | "reject", comment = "") =>
  dashboardCall<AcceptAnswer>("projects/acceptResults", { projectId, itemIds, decision, comment });

/** Accept every pending delivered item, a page at a time (never all ids in memory at once); reports progress. */
export async function acceptAllPending(projectId: string, onProgress: (accepted: number) => void): Promise<number> {
  let accepted = 0;
  let cursor: string | null = null;
  do {
    const page: ResultsPage = await dashboardCall<ResultsPage>("projects/listResults", {
      projectId,
      limit: ACCEPT_BATCH,
      acceptance: "pending",
      ...(cursor ? { cursor } : {}),
    });
    if (page.items.length > 0) {
      const answer = await decide(projectId, page.items.map((item) => item.itemId), "accept");
      accepted += answer.changed.length;
      onProgress(accepted);
    }
    cursor = page.nextCursor;
  } while (cursor);
  return accepted;
}

/** Dispute what delivered items were charged (docs/billing.md "Disputes of consumed amounts"): operators decide. */
export const fileDispute = (projectId: string, itemIds: string[], reason: string) =>
  dashboardCall<S["DisputeInfo"]>("billing/fileDispute", { projectId, itemIds, reason });
