import { describe, expect, it } from "vitest";
import { ApiError } from "../../lib/api";
import { linksIn, type CompleteUploadData, type CreateUploadData, type UploadFile, type UploadTarget } from "./api";
import { PARALLEL, totals, UploadQueue, type Transport } from "./queue";
import { TransferError } from "./transfer";

/** A stand-in for the server and S3: records calls, sends in steps, fails what it is told to. */
function server({ failSends = new Set<string>(), refuse = new Set<string>(), missing = new Set<string>(), existing = new Set<string>() } = {}) {
  const calls = { create: [] as UploadFile[][], complete: [] as string[][], sends: [] as string[] };
  let inFlight = 0;
  let maxInFlight = 0;
  const transport: Transport = {
    async createUpload(_type, files) {
      calls.create.push(files);
      const answer: CreateUploadData = {
        projectId: "p1",
        uploadId: `u${calls.create.length}`,
        files: files.map((file) => ({
          name: file.name,
          key: `U/p1/uploads/u${calls.create.length}/${file.name}`,
          url: `s3://data/U/p1/uploads/u${calls.create.length}/${file.name}`,
          method: "post",
          post: { url: "http://s3/data", fields: {} },
          expiresAt: 0,
        })) as UploadTarget[],
      };
      return answer;
    },
    async sendFile(target, file, onProgress) {
      calls.sends.push(target.name);
      inFlight += 1;
      maxInFlight = Math.max(maxInFlight, inFlight);
      await new Promise((resolve) => setTimeout(resolve, 1));
      onProgress(Math.floor(file.size / 2));
      await new Promise((resolve) => setTimeout(resolve, 1));
      inFlight -= 1;
      if (failSends.has(target.name)) {
        failSends.delete(target.name); // fails once: a retry goes through
        throw new TransferError("network");
      }
      onProgress(file.size);
    },
    async completeUpload(keys) {
      calls.complete.push(keys);
      const name = (key: string) => key.split("/").pop()!;
      const url = (key: string) => `s3://data/${key}`;
      const answer: CompleteUploadData = {
        projectId: "p1",
        addedURLs: keys.filter((key) => ![refuse, missing, existing].some((set) => set.has(name(key)))).map(url),
        existingURLs: keys.filter((key) => existing.has(name(key))).map(url),
        missingKeys: keys.filter((key) => missing.has(name(key))),
        refused: keys.filter((key) => refuse.has(name(key))).map((key) => ({ key, reason: "the file is text/html, not a picture" })),
      };
      return answer;
    },
  };
  return { transport, calls, maxInFlight: () => maxInFlight };
}

const files = (names: string[]) => names.map((name) => ({ file: new File([new Uint8Array(10 + name.length)], name, { type: "image/png" }), name }));

describe("the upload queue", () => {
  it("sends every file a few at a time and reports each one added", async () => {
    const fake = server();
    let refreshed = 0;
    const queue = new UploadQueue(fake.transport, () => "image", () => (refreshed += 1));
    await queue.add(files(["cat_1.png", "cat_2.png", "cat_3.png", "dog_1.png", "dog_2.png", "dog_3.png", "dog_4.png"]));
    const jobs = queue.snapshot();
    expect(jobs.map((job) => job.status)).toEqual(Array(7).fill("added"));
    expect(jobs.every((job) => job.loaded === job.size)).toBe(true);
    expect(fake.maxInFlight()).toBeLessThanOrEqual(PARALLEL);
    expect(fake.maxInFlight()).toBeGreaterThan(1);
    expect(fake.calls.create).toHaveLength(1);
    expect(fake.calls.create[0][0]).toEqual({ name: "cat_1.png", size: 19, contentType: "image/png" });
    expect(fake.calls.complete[0]).toHaveLength(7);
    expect(refreshed).toBe(1);
    expect(totals(jobs)).toMatchObject({ busy: false, counts: { added: 7 } });
  });

  it("asks for links a hundred files at a time and names folder files by their last segment", async () => {
    const fake = server();
    const queue = new UploadQueue(fake.transport, () => "image");
    await queue.add(files(Array.from({ length: 230 }, (_, n) => `photos/set/cat_${n}.png`)));
    expect(fake.calls.create.map((batch) => batch.length)).toEqual([100, 100, 30]);
    expect(fake.calls.create[0][0].name).toBe("cat_0.png");
    expect(queue.snapshot()[0].name).toBe("photos/set/cat_0.png");
    expect(totals(queue.snapshot()).counts.added).toBe(230);
  });

  it("keeps refused, missing and existing files apart, and retries the failed ones with fresh links", async () => {
    const fake = server({ failSends: new Set(["b.png"]), refuse: new Set(["c.png"]), missing: new Set(["d.png"]), existing: new Set(["e.png"]) });
    const queue = new UploadQueue(fake.transport, () => "image");
    await queue.add(files(["a.png", "b.png", "c.png", "d.png", "e.png"]));
    const byName = () => Object.fromEntries(queue.snapshot().map((job) => [job.name, job]));
    expect(byName()["a.png"].status).toBe("added");
    expect(byName()["b.png"]).toMatchObject({ status: "failed", problem: "network" });
    expect(byName()["c.png"]).toMatchObject({ status: "refused", error: "the file is text/html, not a picture" });
    expect(byName()["d.png"]).toMatchObject({ status: "failed", problem: "missing" });
    expect(byName()["e.png"].status).toBe("existing");
    // b.png was never uploaded: completeUpload is not asked about it.
    expect(fake.calls.complete[0].some((key) => key.endsWith("/b.png"))).toBe(false);

    await queue.retryFailed();
    expect(fake.calls.create).toHaveLength(2);
    expect(fake.calls.create[1].map((file) => file.name)).toEqual(["b.png", "d.png"]);
    expect(byName()["b.png"].status).toBe("added");
    expect(byName()["d.png"].status).toBe("failed"); // still not received by the stand-in
    queue.clearFinished();
    expect(queue.snapshot().map((job) => job.name)).toEqual(["c.png", "d.png"]);
  });

  it("shows the server's refusal of the whole call on every file of it", async () => {
    const fake = server();
    fake.transport.createUpload = async () => {
      throw new ApiError("Parameter missing or invalid", 2, 200, "params.files[0].contentType: image/bmp is not allowed for image");
    };
    const queue = new UploadQueue(fake.transport, () => "image");
    await queue.add(files(["a.bmp", "b.bmp"]));
    expect(queue.snapshot().map((job) => [job.status, job.error])).toEqual([
      ["failed", "Parameter missing or invalid: params.files[0].contentType: image/bmp is not allowed for image"],
      ["failed", "Parameter missing or invalid: params.files[0].contentType: image/bmp is not allowed for image"],
    ]);
    expect(fake.calls.sends).toEqual([]);
  });
});

describe("links from text or CSV", () => {
  it("takes each http, https, s3 or gs link once, in order", () => {
    const csv = 'url,label\n"https://cdn.example.com/a.jpg",cat\nhttps://cdn.example.com/b.jpg;dog\ns3://bucket/c.png\nhttps://cdn.example.com/a.jpg\nnot a link\n';
    expect(linksIn(csv)).toEqual(["https://cdn.example.com/a.jpg", "https://cdn.example.com/b.jpg", "s3://bucket/c.png"]);
  });
});
