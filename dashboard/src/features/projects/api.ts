// The projects list and the project's settings: each a documented call through the dashboard API.
import type { components } from "../../api/schema";
import { dashboardCall } from "../../lib/api";

type Schemas = components["schemas"];
export type CreateProjectParams = Schemas["CreateProjectParams"];
export type SetProjectParams = Schemas["SetProjectParams"];
export type ProjectConfig = Schemas["ProjectConfigData"];
export type ProjectType = CreateProjectParams["type"];
export type TaskType = CreateProjectParams["taskType"];

export type ProjectSummary = Schemas["ProjectSummary"];
export type ProjectPage = Schemas["ListProjectsData"];

export const PAGE_SIZE = 20;
export type ListedStatus = NonNullable<Schemas["ListProjectsParams"]["status"]>;
/** The statuses listProjects filters by, in the lifecycle's order (every value of the schema's enum, checked by
 * the compiler: a status added there fails the build until it is listed here). */
const STATUS_ORDER = { draft: 0, checking: 1, trial: 2, trialDone: 3, waitingPayment: 4, inProgress: 5, paused: 6, ending: 7, completed: 8 } satisfies Record<ListedStatus, number>;
export const STATUSES = Object.keys(STATUS_ORDER) as ListedStatus[];
export const PROJECT_TYPES: ProjectType[] = ["image_classification", "text_classification", "image_rectangle_frame_select", "image_stroke"];
export const TASK_TYPES: TaskType[] = ["single_choice", "multiple_choice", "rectangle_frame_select", "free_point", "stroke", "cube_circle"];

export const listProjects = (cursor: string | null, status: string) =>
  dashboardCall<ProjectPage>("projects/listProjects", {
    pageSize: PAGE_SIZE,
    ...(cursor ? { cursor } : {}),
    ...(status ? { status } : {}),
  });
export const createProject = (params: CreateProjectParams) => dashboardCall<ProjectConfig>("projects", params);
export const setProject = (params: SetProjectParams) => dashboardCall<ProjectConfig>("projects/setProject", params);
export const cloneProject = (projectId: string, name: string) =>
  dashboardCall<ProjectConfig>("projects/cloneProject", { projectId, name });
export const deleteProject = (projectId: string) => dashboardCall<unknown>("projects/alterState", { projectId, type: "delete" });

/** Where opening a project lands: a draft still needs its data, anything later is watched on its progress. */
export function projectHome(projectId: string, status: string): string {
  return `/projects/${projectId}/${status === "draft" ? "upload" : "progress"}`;
}
