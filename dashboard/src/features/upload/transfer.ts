// Sending one file's bytes to the links createUpload answered: a presigned POST form (≤ 64 MiB) or presigned PUTs
// per part (multipart). XMLHttpRequest, because fetch reports no upload progress.
import type { UploadTarget } from "./api";

export type Progress = (loaded: number) => void;

/** Why bytes did not arrive: `reason` names the screen's text (upload.files.errors.*); `detail` is S3's own words. */
export class TransferError extends Error {
  constructor(
    readonly reason: "network" | "cancelled" | "refused" | "noLink",
    readonly detail = "",
  ) {
    super(detail || reason);
    this.name = "TransferError";
  }
}

function send(method: string, url: string, body: FormData | Blob, onProgress: Progress, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open(method, url);
    xhr.upload.onprogress = (event) => onProgress(event.loaded);
    xhr.onload = () => {
      if (xhr.status >= 200 && xhr.status < 300) resolve();
      else {
        // S3 answers an XML error: its <Message> says why (size, type, expired link).
        const message = /<Message>([^<]*)<\/Message>/.exec(xhr.responseText ?? "")?.[1];
        reject(new TransferError("refused", message ? `${message} (HTTP ${xhr.status})` : `HTTP ${xhr.status}`));
      }
    };
    xhr.onerror = () => reject(new TransferError("network"));
    xhr.onabort = () => reject(new TransferError("cancelled"));
    signal?.addEventListener("abort", () => xhr.abort());
    xhr.send(body);
  });
}

/** Uploads `file` to `target`; `onProgress` gets the bytes sent so far. */
export async function sendFile(target: UploadTarget, file: Blob, onProgress: Progress, signal?: AbortSignal): Promise<void> {
  if (target.method === "post" && target.post) {
    const form = new FormData();
    for (const [name, value] of Object.entries(target.post.fields)) form.append(name, String(value));
    form.append("file", file);
    // The form's own fields add a few hundred bytes: report the file's share only.
    await send("POST", target.post.url, form, (loaded) => onProgress(Math.min(loaded, file.size)), signal);
    onProgress(file.size);
    return;
  }
  const multipart = target.multipart;
  if (!multipart) throw new TransferError("noLink");
  const sent = new Array<number>(multipart.parts.length).fill(0);
  const report = () => onProgress(sent.reduce((a, b) => a + b, 0));
  // Parts in parallel, two at a time (each is 16 MiB); one failed part fails the file, retried as a whole.
  const queue = [...multipart.parts.entries()];
  const worker = async () => {
    for (let next = queue.shift(); next; next = queue.shift()) {
      const [index, part] = next;
      const start = (part.partNumber - 1) * multipart.partSize;
      const chunk = file.slice(start, Math.min(start + multipart.partSize, file.size));
      await send("PUT", part.url, chunk, (loaded) => {
        sent[index] = loaded;
        report();
      }, signal);
      sent[index] = chunk.size;
      report();
    }
  };
  await Promise.all([worker(), worker()]);
}
