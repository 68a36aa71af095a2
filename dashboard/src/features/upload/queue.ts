// The browser's upload queue: files are announced to createUpload a hundred at a time, their bytes sent to the
// presigned links a few in parallel, then completeUpload turns them into items. Every file keeps its own state and
// progress; failed ones can be retried (a retry asks for fresh links). The server decides what is accepted.
import { messageOf } from "../../components/serverError";
import { TransferError } from "./transfer";
import { FILES_PER_CALL, type CompleteUploadData, type CreateUploadData, type ResourceType, type UploadFile, type UploadTarget } from "./api";

export type JobStatus = "queued" | "uploading" | "uploaded" | "added" | "existing" | "refused" | "failed";

/** Failures the queue itself names (the screen words them); the server's and S3's own messages go in `error`. */
export type JobProblem = "network" | "cancelled" | "refused" | "noLink" | "missing" | "unconfirmed";

export interface UploadJob {
  id: number;
  name: string; // the path within a dropped folder, else the file's name
  size: number;
  status: JobStatus;
  loaded: number;
  error?: string;
  problem?: JobProblem;
}

export interface Transport {
  createUpload(resourceType: ResourceType, files: UploadFile[]): Promise<CreateUploadData>;
  sendFile(target: UploadTarget, file: Blob, onProgress: (loaded: number) => void): Promise<void>;
  completeUpload(keys: string[]): Promise<CompleteUploadData>;
}

export const PARALLEL = 4;

/** A failure as the job keeps it: its kind and the words of whoever refused. */
function failure(error: unknown): Pick<UploadJob, "error" | "problem"> {
  if (error instanceof TransferError) return { problem: error.reason, error: error.detail || undefined };
  return { error: messageOf(error), problem: undefined };
}

export class UploadQueue {
  private jobs: UploadJob[] = [];
  private files = new Map<number, File>();
  private listeners = new Set<() => void>();
  private nextId = 1;
  private running: Promise<void> | null = null;

  constructor(
    private readonly transport: Transport,
    private readonly resourceType: () => ResourceType,
    private readonly onItems?: () => void,
  ) {}

  subscribe = (listener: () => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  snapshot = () => this.jobs;

  private update(id: number, change: Partial<UploadJob>) {
    this.jobs = this.jobs.map((job) => (job.id === id ? { ...job, ...change } : job));
    this.listeners.forEach((listener) => listener());
  }

  /** Queue files (with their folder-relative names) and start sending. */
  add(files: { file: File; name: string }[]): Promise<void> {
    const added = files.map(({ file, name }) => {
      const id = this.nextId++;
      this.files.set(id, file);
      return { id, name, size: file.size, status: "queued" as JobStatus, loaded: 0 };
    });
    this.jobs = [...this.jobs, ...added];
    this.listeners.forEach((listener) => listener());
    return this.run();
  }

  retryFailed(): Promise<void> {
    for (const job of this.jobs) if (job.status === "failed") this.update(job.id, { status: "queued", loaded: 0, error: undefined, problem: undefined });
    return this.run();
  }

  clearFinished() {
    this.jobs = this.jobs.filter((job) => job.status !== "added" && job.status !== "existing");
    this.listeners.forEach((listener) => listener());
  }

  /** One run at a time; files queued meanwhile are taken by the loop. */
  private run(): Promise<void> {
    this.running ??= this.loop().finally(() => {
      this.running = null;
    });
    return this.running;
  }

  private async loop() {
    for (;;) {
      const batch = this.jobs.filter((job) => job.status === "queued").slice(0, FILES_PER_CALL);
      if (!batch.length) return;
      for (const job of batch) this.update(job.id, { status: "uploading" });
      await this.batch(batch);
    }
  }

  private async batch(batch: UploadJob[]) {
    let created: CreateUploadData;
    try {
      created = await this.transport.createUpload(
        this.resourceType(),
        batch.map((job) => ({ name: job.name.split("/").pop() ?? job.name, size: job.size, contentType: this.files.get(job.id)?.type || "application/octet-stream" })),
      );
    } catch (error) {
      for (const job of batch) this.update(job.id, { status: "failed", ...failure(error) });
      return;
    }
    // The answer lists the files in the order given.
    const targets = new Map(batch.map((job, index) => [job.id, created.files[index]]));
    const pending = [...batch];
    const sent: { job: UploadJob; target: UploadTarget }[] = [];
    const worker = async () => {
      for (let job = pending.shift(); job; job = pending.shift()) {
        const target = targets.get(job.id);
        const file = this.files.get(job.id);
        if (!target || !file) {
          this.update(job.id, { status: "failed", problem: "noLink" });
          continue;
        }
        try {
          await this.transport.sendFile(target, file, (loaded) => this.update(job.id, { loaded }));
          this.update(job.id, { status: "uploaded", loaded: job.size });
          sent.push({ job, target });
        } catch (error) {
          this.update(job.id, { status: "failed", ...failure(error) });
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(PARALLEL, batch.length) }, worker));
    if (!sent.length) return;
    try {
      const done = await this.transport.completeUpload(sent.map(({ target }) => target.key));
      const added = new Set(done.addedURLs);
      const existing = new Set(done.existingURLs);
      const missing = new Set(done.missingKeys);
      const refused = new Map(done.refused.map((entry) => [entry.key, entry.reason]));
      for (const { job, target } of sent) {
        if (refused.has(target.key)) this.update(job.id, { status: "refused", error: refused.get(target.key) });
        else if (missing.has(target.key)) this.update(job.id, { status: "failed", problem: "missing" });
        else if (existing.has(target.url)) this.update(job.id, { status: "existing" });
        else if (added.has(target.url)) this.update(job.id, { status: "added" });
        else this.update(job.id, { status: "failed", problem: "unconfirmed" });
      }
      this.onItems?.();
    } catch (error) {
      for (const { job } of sent) this.update(job.id, { status: "failed", ...failure(error) });
    }
  }
}

/** Totals for the overall bar: bytes sent of bytes queued, and files per state. */
export function totals(jobs: UploadJob[]) {
  const counts: Record<JobStatus, number> = { queued: 0, uploading: 0, uploaded: 0, added: 0, existing: 0, refused: 0, failed: 0 };
  let loaded = 0;
  let size = 0;
  for (const job of jobs) {
    counts[job.status] += 1;
    loaded += job.loaded;
    size += job.size;
  }
  return { counts, loaded, size, busy: counts.queued + counts.uploading + counts.uploaded > 0 };
}
