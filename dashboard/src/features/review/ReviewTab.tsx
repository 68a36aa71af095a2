import { keepPreviousData, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { Link, useParams } from "react-router";
import { projectQuery, type ProjectData } from "../../app/ProjectShell";
import { AnswerView } from "../../components/AnswerView";
import { ConfirmDialog } from "../../components/ConfirmDialog";
import { FormError, TextArea } from "../../components/Field";
import { Pager, useCursorPages } from "../../components/Pager";
import { EmptyState, LoadError, ProgressBar, Spinner } from "../../components/Status";
import { dateTime } from "../../lib/format";
import { acceptTrial, reconfigure, saveTrialIssue, startProject, submitTrialIssues, trialResultsQuery, type ResultRecord } from "./api";
import "../../components/resultViews.css";

function useRefreshProject(projectId: string) {
  const client = useQueryClient();
  return () => {
    void client.invalidateQueries({ queryKey: ["project", projectId] });
    void client.invalidateQueries({ queryKey: ["trialResults", projectId] });
  };
}

function History({ project }: { project: ProjectData }) {
  const { t } = useTranslation();
  const rows = project.history ?? [];
  if (rows.length === 0) return null;
  const status = (value: string) => t(`common.projectStatus.${value}`, { defaultValue: value });
  return (
    <section aria-labelledby="history-title">
      <h3 id="history-title">{t("review.history")}</h3>
      <div className="table-wrap">
        <table>
          <thead>
            <tr>
              <th scope="col">{t("review.when")}</th>
              <th scope="col">{t("review.by")}</th>
              <th scope="col">{t("review.change")}</th>
              <th scope="col">{t("review.reason")}</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((row, i) => (
              <tr key={i}>
                <td>{dateTime(row.at)}</td>
                <td>{row.by}</td>
                <td>
                  {status(row.from)} → {status(row.to)}
                </td>
                <td>{row.reason ?? ""}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}

function TrialItem({ projectId, item, comment, editable }: { projectId: string; item: ResultRecord; comment: string; editable: boolean }) {
  const { t } = useTranslation();
  const refresh = useRefreshProject(projectId);
  const [text, setText] = useState(comment);
  const save = useMutation({ mutationFn: () => saveTrialIssue(projectId, item.itemId, text.trim()), onSuccess: refresh });
  return (
    <li className="card result-item" aria-label={t("review.trial.item", { itemId: item.itemId })}>
      <h4>{t("review.trial.item", { itemId: item.itemId })}</h4>
      <p className="muted">
        {t("review.trial.status")}: {item.status} ·{" "}
        <a href={item.resourceURL} target="_blank" rel="noreferrer">
          {item.resourceURL.split("/").pop()}
        </a>
      </p>
      <AnswerView resourceURL={item.resourceURL} result={item.result} />
      {editable && (
        <form
          onSubmit={(event) => {
            event.preventDefault();
            save.mutate();
          }}
        >
          <TextArea label={t("review.trial.issue")} hint={t("review.trial.issueHint")} value={text} onChange={(e) => setText(e.target.value)} error={save.error?.message} rows={2} />
          <button type="submit" disabled={save.isPending}>
            {t("review.trial.saveIssue")}
          </button>
          {save.data && <span role="status"> {t("review.trial.issueSaved", { count: save.data.issues })}</span>}
        </form>
      )}
    </li>
  );
}

function TrialResults({ project, projectId }: { project: ProjectData; projectId: string }) {
  const { t } = useTranslation();
  const trial = project.trial!;
  const status = project.projectData.projectStatus;
  const pages = useCursorPages();
  const results = useQuery({
    ...trialResultsQuery(projectId, trial.round, pages.cursor),
    placeholderData: keepPreviousData,
    refetchInterval: status === "trial" ? 5_000 : false,
  });
  const comments = new Map(trial.issues.map((issue) => [issue.itemId, issue.comment]));
  const editable = status === "trialDone" && !trial.issuesSubmitted;
  return (
    <section aria-labelledby="trial-title">
      <h3 id="trial-title">{t("review.trial.title", { round: trial.round })}</h3>
      <p>{t("review.trial.intro")}</p>
      <ProgressBar label={t("review.trial.progress")} value={trial.finished} max={trial.size} />
      {trial.answer && <p role="note">{t("review.trial.answer", { answer: trial.answer })}</p>}
      {results.isPending && <Spinner />}
      {results.error && <LoadError error={results.error} onRetry={() => void results.refetch()} />}
      {results.data && results.data.items.length === 0 && pages.page === 1 && <EmptyState title={t("review.trial.empty")} />}
      {results.data && results.data.items.length > 0 && (
        <ul className="plain results">
          {results.data.items.map((item) => (
            <TrialItem key={item.itemId} projectId={projectId} item={item} comment={comments.get(item.itemId) ?? ""} editable={editable} />
          ))}
        </ul>
      )}
      {results.data && <Pager page={pages.page} nextCursor={results.data.nextCursor} onNext={pages.next} onPrevious={pages.previous} />}
    </section>
  );
}

function Verdict({ project, projectId }: { project: ProjectData; projectId: string }) {
  const { t } = useTranslation();
  const refresh = useRefreshProject(projectId);
  const trial = project.trial!;
  const [asking, setAsking] = useState<"accept" | "reconfigure" | null>(null);
  const accept = useMutation({ mutationFn: () => acceptTrial(projectId), onSuccess: () => (setAsking(null), refresh()) });
  const submit = useMutation({ mutationFn: () => submitTrialIssues(projectId), onSuccess: refresh });
  const redo = useMutation({ mutationFn: () => reconfigure(projectId), onSuccess: () => (setAsking(null), refresh()) });
  return (
    <div className="actions verdict">
      <button type="button" className="primary" onClick={() => setAsking("accept")}>
        {t("review.trial.accept")}
      </button>
      {!trial.issuesSubmitted && (
        <button type="button" onClick={() => submit.mutate()} disabled={submit.isPending || trial.issues.length === 0}>
          {t("review.trial.submitIssues")}
        </button>
      )}
      <button type="button" onClick={() => setAsking("reconfigure")}>
        {t("review.trial.reconfigure")}
      </button>
      {trial.issuesSubmitted && <p role="status">{t("review.trial.issuesSubmitted")}</p>}
      <FormError error={submit.error?.message} />
      <ConfirmDialog
        open={asking === "accept"}
        title={t("review.trial.acceptTitle")}
        confirmLabel={t("review.trial.accept")}
        busy={accept.isPending}
        onConfirm={() => accept.mutate()}
        onCancel={() => setAsking(null)}
      >
        <p>{t("review.trial.acceptBody")}</p>
        <FormError error={accept.error?.message} />
      </ConfirmDialog>
      <ConfirmDialog
        open={asking === "reconfigure"}
        title={t("review.trial.reconfigureTitle")}
        confirmLabel={t("review.trial.reconfigure")}
        busy={redo.isPending}
        onConfirm={() => redo.mutate()}
        onCancel={() => setAsking(null)}
      >
        <p>{t("review.trial.reconfigureBody")}</p>
        <FormError error={redo.error?.message} />
      </ConfirmDialog>
    </div>
  );
}

/** The project's "review" tab: the state with the review's outcome, submit for review, and the trial's verdict. */
export function ReviewTab() {
  const { t } = useTranslation();
  const { projectId = "" } = useParams();
  const project = useQuery(projectQuery(projectId));
  const refresh = useRefreshProject(projectId);
  const start = useMutation({ mutationFn: () => startProject(projectId), onSuccess: refresh });
  if (project.isPending) return <Spinner />;
  if (project.error) return <LoadError error={project.error} onRetry={() => void project.refetch()} />;
  const data = project.data;
  const status = data.projectData.projectStatus;
  const trial = data.trial;
  const reconfigured = status === "draft" && trial != null;
  return (
    <section aria-labelledby="review-title" className="stack">
      <h2 id="review-title">{t("review.title")}</h2>
      {data.review && (
        <div className="form-error" role="alert">
          <strong>{t("review.rejected")}</strong>
          <ul>
            {data.review.reasons.map((reason) => (
              <li key={reason}>{t(`review.reasons.${reason}`, { defaultValue: reason })}</li>
            ))}
          </ul>
          {data.review.note && <p>{data.review.note}</p>}
        </div>
      )}
      {status === "draft" && (
        <div>
          <p>{reconfigured ? t("review.trial.reconfigured") : t("review.draft")}</p>
          {reconfigured && <Link to={`/projects/${projectId}/flow`}>{t("review.trial.edit")}</Link>}{" "}
          <button type="button" className="primary" onClick={() => start.mutate()} disabled={start.isPending}>
            {reconfigured ? t("review.trial.relabel") : t("review.submit")}
          </button>
          <FormError error={start.error?.message} />
          {start.isSuccess && <p role="status">{t("review.submitted")}</p>}
        </div>
      )}
      {status === "checking" && <p>{t("review.checking")}</p>}
      {status === "trial" && trial && <p>{t("review.trialRunning", { finished: trial.finished, size: trial.size })}</p>}
      {status === "waitingPayment" && (
        <p role="status">
          {t("review.trial.accepted")} <Link to={`/projects/${projectId}/payment`}>{t("review.trial.goPay")}</Link>
        </p>
      )}
      {status === "trialDone" && trial && <Verdict project={data} projectId={projectId} />}
      {trial && (status === "trial" || status === "trialDone") && <TrialResults project={data} projectId={projectId} />}
      <History project={data} />
    </section>
  );
}
