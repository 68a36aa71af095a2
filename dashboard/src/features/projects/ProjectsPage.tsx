import { keepPreviousData, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { Link, useNavigate } from "react-router";
import { ConfirmDialog } from "../../components/ConfirmDialog";
import { SelectField, TextField } from "../../components/Field";
import { Pager, useCursorPages } from "../../components/Pager";
import { EmptyState, LoadError, Spinner } from "../../components/Status";
import { messageOf } from "../../components/serverError";
import { ApiError } from "../../lib/api";
import { count, date, money } from "../../lib/format";
import "./projects.css";
import { cloneProject, deleteProject, listProjects, projectHome, STATUSES, type ProjectSummary } from "./api";

/** The seed's FAQ (我为什么不能删除项目?): which states allow deletion and what to do otherwise, by the code the
 * server refused with (22: running, 23: in review / trial / waiting for payment). */
export function DeleteGuidance({ error, projectId }: { error: ApiError; projectId: string }) {
  const { t } = useTranslation();
  const key = error.code === 22 ? "running" : error.code === 23 ? "waiting" : null;
  return (
    <div className="form-error" role="alert">
      <p>{messageOf(error)}</p>
      {key && (
        <>
          <p>{t("projects.delete.allowed")}</p>
          <p>{t(`projects.delete.${key}`)}</p>
          <p>
            <Link to={`/projects/${projectId}/${key === "running" ? "progress" : "messages"}`}>
              {t(`projects.delete.${key}Link`)}
            </Link>
          </p>
        </>
      )}
    </div>
  );
}

function ProjectRow({ project, onClone, onDelete }: { project: ProjectSummary; onClone: () => void; onDelete: () => void }) {
  const { t } = useTranslation();
  const total = project.itemCount;
  return (
    <tr>
      <th scope="row">
        <Link to={projectHome(project.projectId, project.status)}>{project.name}</Link>
        <div className="muted">{t(`projects.types.${project.type}`, { defaultValue: project.type })}</div>
      </th>
      <td>
        <span className="status">{t(`common.projectStatus.${project.status}`, { defaultValue: project.status })}</span>
      </td>
      <td>
        <progress aria-label={t("projects.list.progressOf", { name: project.name })} value={project.completedQuantity} max={Math.max(total, 1)} />{" "}
        {t("projects.list.doneOfTotal", { done: count(project.completedQuantity), total: count(total) })}
      </td>
      <td>
        {money(project.spentCents, project.currency)}
        {project.estimateCents != null && <div className="muted">{t("projects.list.ofEstimate", { estimate: money(project.estimateCents, project.currency) })}</div>}
      </td>
      <td>{date(project.createdAt)}</td>
      <td>
        <div className="actions">
          <button type="button" onClick={onClone} aria-label={t("projects.list.cloneNamed", { name: project.name })}>
            {t("projects.list.clone")}
          </button>
          <button type="button" className="danger" onClick={onDelete} aria-label={t("projects.list.deleteNamed", { name: project.name })}>
            {t("projects.list.delete")}
          </button>
        </div>
      </td>
    </tr>
  );
}

export function ProjectsPage() {
  const { t } = useTranslation();
  const client = useQueryClient();
  const navigate = useNavigate();
  const [status, setStatus] = useState("");
  const pages = useCursorPages();
  const list = useQuery({
    queryKey: ["projects", status, pages.cursor],
    queryFn: () => listProjects(pages.cursor, status),
    placeholderData: keepPreviousData,
  });
  const [cloning, setCloning] = useState<ProjectSummary | null>(null);
  const [cloneName, setCloneName] = useState("");
  const [deleting, setDeleting] = useState<ProjectSummary | null>(null);
  const [deleteError, setDeleteError] = useState<{ error: ApiError; projectId: string } | null>(null);
  const clone = useMutation({
    mutationFn: () => cloneProject(cloning!.projectId, cloneName.trim()),
    onSuccess: (created) => {
      setCloning(null);
      void client.invalidateQueries({ queryKey: ["projects"] });
      navigate(projectHome(created.projectId, "draft"));
    },
  });
  const remove = useMutation({
    mutationFn: (project: ProjectSummary) => deleteProject(project.projectId),
    onSuccess: () => {
      setDeleting(null);
      void client.invalidateQueries({ queryKey: ["projects"] });
    },
    onError: (error, project) => {
      setDeleting(null);
      setDeleteError({ error: error instanceof ApiError ? error : new ApiError(String(error), "unknown", 0), projectId: project.projectId });
    },
  });
  const projects = list.data?.projects ?? [];
  return (
    <section aria-labelledby="projects-title">
      <div className="actions projects-head">
        <h1 id="projects-title">{t("projects.list.title")}</h1>
        <Link className="button primary" to="/projects/new">
          {t("projects.create.title")}
        </Link>
      </div>
      <SelectField
        label={t("projects.list.filter")}
        value={status}
        onChange={(event) => {
          setStatus(event.target.value);
          pages.reset();
        }}
        options={[{ value: "", label: t("projects.list.all") }, ...STATUSES.map((value) => ({ value, label: t(`common.projectStatus.${value}`) }))]}
      />
      {deleteError && <DeleteGuidance error={deleteError.error} projectId={deleteError.projectId} />}
      {remove.isSuccess && <p role="status">{t("projects.delete.done")}</p>}
      {list.isPending && <Spinner />}
      {list.error && <LoadError error={messageOf(list.error)} onRetry={() => void list.refetch()} />}
      {list.data && projects.length === 0 && (
        <EmptyState title={status ? t("projects.list.noneInStatus") : t("projects.list.empty")}>
          <p>{t("projects.list.emptyHint")}</p>
          <Link className="button primary" to="/projects/new">
            {t("projects.list.createFirst")}
          </Link>
        </EmptyState>
      )}
      {projects.length > 0 && (
        <div className="table-wrap">
          <table>
            <caption className="muted">{t("projects.list.caption")}</caption>
            <thead>
              <tr>
                <th scope="col">{t("projects.list.name")}</th>
                <th scope="col">{t("projects.list.status")}</th>
                <th scope="col">{t("projects.list.progress")}</th>
                <th scope="col">{t("projects.list.spend")}</th>
                <th scope="col">{t("projects.list.created")}</th>
                <th scope="col">{t("projects.list.actions")}</th>
              </tr>
            </thead>
            <tbody>
              {projects.map((project) => (
                <ProjectRow
                  key={project.projectId}
                  project={project}
                  onClone={() => {
                    clone.reset();
                    setCloneName(t("projects.clone.defaultName", { name: project.name }));
                    setCloning(project);
                  }}
                  onDelete={() => {
                    setDeleteError(null);
                    remove.reset();
                    setDeleting(project);
                  }}
                />
              ))}
            </tbody>
          </table>
        </div>
      )}
      {(pages.page > 1 || list.data?.nextCursor) && (
        <Pager page={pages.page} nextCursor={list.data?.nextCursor} onNext={pages.next} onPrevious={pages.previous} />
      )}
      <ConfirmDialog
        open={!!cloning}
        title={t("projects.clone.title", { name: cloning?.name ?? "" })}
        confirmLabel={t("projects.clone.submit")}
        busy={clone.isPending}
        onConfirm={() => clone.mutate()}
        onCancel={() => setCloning(null)}
      >
        <p>{t("projects.clone.body")}</p>
        <TextField label={t("projects.clone.name")} value={cloneName} onChange={(e) => setCloneName(e.target.value)} error={clone.error ? messageOf(clone.error) : null} />
      </ConfirmDialog>
      <ConfirmDialog
        open={!!deleting}
        title={t("projects.delete.title", { name: deleting?.name ?? "" })}
        confirmLabel={t("projects.list.delete")}
        busy={remove.isPending}
        onConfirm={() => deleting && remove.mutate(deleting)}
        onCancel={() => setDeleting(null)}
      >
        <p>{t("projects.delete.body")}</p>
      </ConfirmDialog>
    </section>
  );
}
