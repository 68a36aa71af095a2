import type { components } from "../../api/schema";
import { dashboardCall } from "../../lib/api";

type Schemas = components["schemas"];
export type Statement = Schemas["StatementData"];
export type Estimate = Schemas["EstimateData"];
export type ResultPage = Schemas["ListResultsData"];
export type AlterType = Schemas["AlterType"];

export const retrieveStatement = (projectId: string) => dashboardCall<Statement>("billing/retrieveStatement", { projectId });
export const estimate = (projectId: string) => dashboardCall<Estimate>("projects/estimate", { projectId });
export const alterState = (projectId: string, type: AlterType) => dashboardCall<unknown>("projects/alterState", { projectId, type });
const listResults = (projectId: string, cursor: string | null) =>
  dashboardCall<ResultPage>("projects/listResults", { projectId, limit: 100, timeField: "deliveredAt", ...(cursor ? { cursor } : {}) });

/** The chart reads at most this many result pages (100 each): enough for the curve's shape, never the whole list. */
export const CHART_PAGES = 10;

/** Delivery times of finished results (listResults in delivery order), at most CHART_PAGES pages; `complete` says
 * whether every delivered result was read. */
export async function deliveryTimes(projectId: string): Promise<{ times: number[]; complete: boolean }> {
  const times: number[] = [];
  let cursor: string | null = null;
  for (let page = 0; page < CHART_PAGES; page++) {
    const answer: ResultPage = await listResults(projectId, cursor);
    for (const item of answer.items) if (item.deliveredAt != null) times.push(item.deliveredAt);
    cursor = answer.nextCursor ?? null;
    if (!cursor) return { times: times.sort((a, b) => a - b), complete: true };
  }
  return { times: times.sort((a, b) => a - b), complete: false };
}

/** Cumulative finished items over time: one point per delivery, ending with `total` (the project's own count,
 * which includes what the chart did not read) at `now`. */
export function cumulative(times: number[], total: number, now: number): [number, number][] {
  const points: [number, number][] = times.map((at, index) => [at, index + 1]);
  if (points.length) points.push([now, Math.max(total, points.length)]);
  return points;
}
