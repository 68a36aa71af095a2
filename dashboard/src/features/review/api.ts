// The lifecycle calls of docs/lifecycle.md: submit for review, the trial's verdict (accept, issues, reconfigure).
import type { components } from "../../api/schema";
import { dashboardCall } from "../../lib/api";

type S = components["schemas"];
export type ResultRecord = S["ResultRecord"];
export type ResultsPage = S["ListResultsData"];
export type TrialIssues = S["TrialIssuesData"];

export const TRIAL_PAGE = 10;

export const trialResultsQuery = (projectId: string, round: number, cursor: string | null) => ({
  queryKey: ["trialResults", projectId, round, cursor],
  queryFn: () => dashboardCall<ResultsPage>("projects/listResults", { projectId, limit: TRIAL_PAGE, ...(cursor ? { cursor } : {}) }),
});

export const startProject = (projectId: string) => dashboardCall<S["AlterStateData"]>("projects/alterState", { projectId, type: "start" });
export const acceptTrial = (projectId: string) => dashboardCall<S["LifecycleData"]>("projects/acceptTrial", { projectId });
export const saveTrialIssue = (projectId: string, itemId: string, comment: string) =>
  dashboardCall<TrialIssues>("projects/trialIssues", { projectId, issues: [{ itemId, comment }] });
export const submitTrialIssues = (projectId: string) => dashboardCall<TrialIssues>("projects/submitTrialIssues", { projectId });
export const reconfigure = (projectId: string) => dashboardCall<S["LifecycleData"]>("projects/reconfigure", { projectId });
