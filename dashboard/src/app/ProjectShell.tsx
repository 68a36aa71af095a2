import { useQuery } from "@tanstack/react-query";
import { useTranslation } from "react-i18next";
import { NavLink, Outlet, useParams } from "react-router";
import type { components } from "../api/schema";
import { LoadError, Spinner } from "../components/Status";
import { dashboardCall } from "../lib/api";
import { PROJECT_TABS, TAB_BADGES } from "./routes";

export type ProjectData = components["schemas"]["RetrieveProjectData"];

/** The query every tab of a project shares (the header shows it; tabs read it with the same key). */
export function projectQuery(projectId: string) {
  return {
    queryKey: ["project", projectId],
    queryFn: () => dashboardCall<ProjectData>("projects/retrieveProject", { projectId }),
  };
}

/** A project's page: its name and state, and a tab per screen (upload, flow, review, progress, …). */
export function ProjectShell() {
  const { t } = useTranslation();
  const { projectId = "" } = useParams();
  const project = useQuery({ ...projectQuery(projectId), refetchInterval: 10_000 });
  const progress = project.data?.projectData;
  return (
    <article aria-labelledby="project-title">
      {project.isPending && <Spinner />}
      {project.error && <LoadError error={project.error} onRetry={() => void project.refetch()} />}
      {progress && (
        <header className="project-header">
          <h1 id="project-title">{progress.projectName}</h1>
          <span className="status" data-testid="project-status">
            {t(`common.projectStatus.${progress.projectStatus}`, { defaultValue: progress.projectStatus })}
          </span>{" "}
          <code className="muted">{projectId}</code>
        </header>
      )}
      <nav className="tabs" aria-label={t("common.projectTabs")}>
        {PROJECT_TABS.map(([segment, key]) => {
          const Badge = TAB_BADGES[segment];
          return (
            <NavLink key={segment} to={`/projects/${projectId}/${segment}`}>
              {t(key)}
              {Badge && <Badge projectId={projectId} />}
            </NavLink>
          );
        })}
      </nav>
      <Outlet />
    </article>
  );
}
