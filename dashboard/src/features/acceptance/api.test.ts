import { afterEach, describe, expect, it, vi } from "vitest";
import { saveSession } from "../../lib/session";
import { acceptAllPending } from "./api";

describe("accept all waiting results", () => {
  afterEach(() => {
    vi.unstubAllGlobals();
    saveSession(null);
  });

  it("pages through the pending results and accepts each page's items, reporting progress", async () => {
    saveSession({ idToken: "t", refreshToken: null, expiresAt: Date.now() + 3_600_000, email: "", groups: [], userId: null });
    const pages: Record<string, { items: { itemId: string }[]; nextCursor: string | null }> = {
      first: { items: [{ itemId: "a" }, { itemId: "b" }], nextCursor: "c2" },
      c2: { items: [{ itemId: "c" }], nextCursor: null },
    };
    const accepted: string[][] = [];
    vi.stubGlobal(
      "fetch",
      vi.fn(async (url: string, init: RequestInit) => {
        const { params } = JSON.parse(String(init.body)) as { params: Record<string, unknown> };
        let data: unknown;
        if (url.endsWith("/listResults")) {
          expect(params.acceptance).toBe("pending");
          data = { projectId: "p1", ...pages[(params.cursor as string) ?? "first"] };
        } else {
          expect(url).toMatch(/\/acceptResults$/);
          expect(params.decision).toBe("accept");
          accepted.push(params.itemIds as string[]);
          data = { projectId: "p1", decision: "accept", changed: params.itemIds, unchanged: [], conflicts: [] };
        }
        return new Response(JSON.stringify({ code: 0, data }), { status: 200 });
      }),
    );
    const progress: number[] = [];
    await expect(acceptAllPending("p1", (n) => progress.push(n))).resolves.toBe(3);
    expect(accepted).toEqual([["a", "b"], ["c"]]);
    expect(progress).toEqual([2, 3]);
  });
});
