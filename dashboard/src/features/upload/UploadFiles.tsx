import { useQueryClient } from "@tanstack/react-query";
import { useMemo, useRef, useState, useSyncExternalStore, type DragEvent } from "react";
import { useTranslation } from "react-i18next";
import { ProgressBar } from "../../components/Status";
import { count } from "../../lib/format";
import { completeUpload, createUpload, type ResourceType } from "./api";
import { droppedFiles, pickedFiles, type Picked } from "./files";
import { totals, UploadQueue, type UploadJob } from "./queue";
import { sendFile } from "./transfer";

function bytes(size: number): string {
  if (size < 1024) return `${size} B`;
  if (size < 1024 ** 2) return `${(size / 1024).toFixed(1)} KiB`;
  if (size < 1024 ** 3) return `${(size / 1024 ** 2).toFixed(1)} MiB`;
  return `${(size / 1024 ** 3).toFixed(2)} GiB`;
}

/** Rows drawn at most: a folder of 100,000 files is counted in full but listed in part, problems first. */
const SHOWN = 300;

function shownJobs(jobs: UploadJob[]): UploadJob[] {
  if (jobs.length <= SHOWN) return jobs;
  const problem = (job: UploadJob) => job.status === "failed" || job.status === "refused";
  return [...jobs.filter(problem), ...jobs.filter((job) => !problem(job))].slice(0, SHOWN);
}

function JobRow({ job }: { job: UploadJob }) {
  const { t } = useTranslation();
  return (
    <li className="upload-row" data-status={job.status}>
      <span className="upload-name">{job.name}</span>
      <progress aria-label={t("upload.files.progressOf", { name: job.name })} value={job.loaded} max={Math.max(job.size, 1)} />
      <span className="muted">{bytes(job.size)}</span>
      <span className={job.status === "failed" || job.status === "refused" ? "field-error" : "status"}>
        {[t(`upload.files.status.${job.status}`), job.problem && t(`upload.files.errors.${job.problem}`), job.error].filter(Boolean).join(": ")}
      </span>
    </li>
  );
}

/** Drag and drop or pick files and folders; many in parallel with progress per file and overall; retry. */
export function UploadFiles({ projectId, resourceType }: { projectId: string; resourceType: ResourceType }) {
  const { t } = useTranslation();
  const client = useQueryClient();
  const typeRef = useRef(resourceType);
  typeRef.current = resourceType;
  const queue = useMemo(
    () =>
      new UploadQueue(
        {
          createUpload: (type, files) => createUpload(projectId, type, files),
          sendFile: (target, file, onProgress) => sendFile(target, file, onProgress),
          completeUpload: (keys) => completeUpload(projectId, keys),
        },
        () => typeRef.current,
        () => {
          void client.invalidateQueries({ queryKey: ["project", projectId] });
          void client.invalidateQueries({ queryKey: ["refused", projectId] });
        },
      ),
    [projectId, client],
  );
  const jobs = useSyncExternalStore(queue.subscribe, queue.snapshot);
  const sum = totals(jobs);
  const [over, setOver] = useState(false);
  const add = (picked: Picked[]) => {
    if (picked.length) void queue.add(picked);
  };
  const onDrop = (event: DragEvent) => {
    event.preventDefault();
    setOver(false);
    void droppedFiles(event.dataTransfer).then(add);
  };
  return (
    <section aria-labelledby="files-title" className="card">
      <h2 id="files-title">{t("upload.files.title")}</h2>
      <div
        className={over ? "dropzone dropzone-over" : "dropzone"}
        data-testid="dropzone"
        onDragOver={(event) => {
          event.preventDefault();
          setOver(true);
        }}
        onDragLeave={() => setOver(false)}
        onDrop={onDrop}
      >
        <p>{t("upload.files.drop")}</p>
        <div className="actions">
          <label className="button">
            {t("upload.files.pickFiles")}
            <input type="file" multiple className="visually-hidden" aria-label={t("upload.files.pickFiles")} onChange={(e) => {
              add(pickedFiles(e.target.files));
              e.target.value = "";
            }} />
          </label>
          <label className="button">
            {t("upload.files.pickFolder")}
            <input
              type="file"
              multiple
              className="visually-hidden"
              aria-label={t("upload.files.pickFolder")}
              {...{ webkitdirectory: "", directory: "" }}
              onChange={(e) => {
                add(pickedFiles(e.target.files));
                e.target.value = "";
              }}
            />
          </label>
        </div>
        <p className="muted">{t("upload.files.limits")}</p>
      </div>
      {jobs.length > 0 && (
        <>
          <ProgressBar
            label={t("upload.files.overall", {
              done: count(sum.counts.added + sum.counts.existing),
              total: count(jobs.length),
              sent: bytes(sum.loaded),
              size: bytes(sum.size),
            })}
            value={sum.loaded}
            max={sum.size}
          />
          <p role="status" aria-live="polite" data-testid="upload-summary">
            {t("upload.files.summary", {
              added: sum.counts.added,
              existing: sum.counts.existing,
              refused: sum.counts.refused,
              failed: sum.counts.failed,
              busy: sum.counts.queued + sum.counts.uploading + sum.counts.uploaded,
            })}
          </p>
          <div className="actions">
            {sum.counts.failed > 0 && (
              <button type="button" className="primary" onClick={() => void queue.retryFailed()}>
                {t("upload.files.retry", { count: sum.counts.failed })}
              </button>
            )}
            {!sum.busy && (
              <button type="button" onClick={() => queue.clearFinished()}>
                {t("upload.files.clear")}
              </button>
            )}
          </div>
          <ul className="plain upload-list" aria-label={t("upload.files.listLabel")}>
            {shownJobs(jobs).map((job) => (
              <JobRow key={job.id} job={job} />
            ))}
          </ul>
          {jobs.length > SHOWN && <p className="muted">{t("upload.files.more", { count: jobs.length - SHOWN })}</p>}
        </>
      )}
    </section>
  );
}
