import { useQuery, useQueryClient } from "@tanstack/react-query";
import { useTranslation } from "react-i18next";
import { Link, Navigate, useNavigate, useParams } from "react-router";
import { projectQuery } from "../../app/ProjectShell";
import { messageOf } from "../../components/serverError";
import { LoadError, Spinner } from "../../components/Status";
import { createProject, projectHome, setProject, type ProjectType, type TaskType } from "./api";
import { EMPTY_PROJECT, ProjectForm, toParams, type ProjectValues } from "./ProjectForm";

export function CreateProjectPage() {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const client = useQueryClient();
  return (
    <section aria-labelledby="create-title">
      <p>
        <Link to="/projects">← {t("projects.list.title")}</Link>
      </p>
      <h1 id="create-title">{t("projects.create.title")}</h1>
      <p>{t("projects.create.intro")}</p>
      <ProjectForm
        initial={EMPTY_PROJECT}
        submitLabel={t("projects.create.submit")}
        onSubmit={async (values) => {
          const created = await createProject(toParams(values));
          void client.invalidateQueries({ queryKey: ["projects"] });
          navigate(projectHome(created.projectId, "draft"));
        }}
      />
    </section>
  );
}

/** The project tab "settings": the same form over setProject (the server says when settings can no longer change). */
export function ProjectSettingsPage() {
  const { t } = useTranslation();
  const { projectId = "" } = useParams();
  const client = useQueryClient();
  const project = useQuery(projectQuery(projectId));
  const data = project.data?.projectData;
  if (project.isPending) return <Spinner />;
  if (project.error) return <LoadError error={messageOf(project.error)} onRetry={() => void project.refetch()} />;
  if (!data) return null;
  const initial: ProjectValues = {
    projectName: data.projectName,
    type: data.projectType as ProjectType,
    taskType: data.taskType as TaskType,
    instruction: data.projectInstruction ?? "",
    question: data.question ?? "",
    target: data.target ?? "",
    options: (data.options as unknown[]).map((option) => (typeof option === "string" ? option : String((option as { value?: unknown }).value ?? ""))),
  };
  return (
    <section aria-labelledby="settings-title">
      <h2 id="settings-title">{t("projects.settings.title")}</h2>
      <ProjectForm
        initial={initial}
        submitLabel={t("projects.settings.submit")}
        savedLabel={t("projects.settings.saved")}
        onSubmit={async (values) => {
          await setProject({ projectId, ...toParams(values) });
          await client.invalidateQueries({ queryKey: ["project", projectId] });
        }}
      />
    </section>
  );
}

/** /projects/:id itself: a draft opens on its upload tab, anything later on its progress. */
export function ProjectIndex() {
  const { projectId = "" } = useParams();
  const project = useQuery(projectQuery(projectId));
  const status = project.data?.projectData.projectStatus;
  if (!status) return project.isPending ? <Spinner /> : null;
  return <Navigate to={projectHome(projectId, status)} replace />;
}
