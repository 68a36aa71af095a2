import { afterEach, describe, expect, it, vi } from "vitest";
import { fieldOf } from "../components/serverError";
import { ApiError, dashboardCall, jsonCall } from "./api";
import { saveSession } from "./session";

function answer(status: number, body: unknown) {
  return vi.fn(async () => new Response(JSON.stringify(body), { status, headers: { "Content-Type": "application/json" } }));
}

describe("the browser's calls", () => {
  afterEach(() => {
    vi.unstubAllGlobals();
    saveSession(null);
  });

  it("sends the params with the ID token and resolves to the envelope's data", async () => {
    saveSession({ idToken: "id.token.here", refreshToken: null, expiresAt: Date.now() + 3_600_000, email: "a@b.c", groups: [], userId: null });
    const fetch = answer(200, { code: 0, successMsg: "success", data: { projectId: "p1" } });
    vi.stubGlobal("fetch", fetch);
    await expect(dashboardCall("projects/retrieveProject", { projectId: "p1" })).resolves.toEqual({ projectId: "p1" });
    const [url, init] = fetch.mock.calls[0] as unknown as [string, RequestInit];
    expect(url).toBe("/dashboard/v1/projects/retrieveProject");
    expect(JSON.parse(String(init.body))).toEqual({ params: { projectId: "p1" } });
    expect((init.headers as Record<string, string>).Authorization).toBe("Bearer id.token.here");
  });

  it("turns a documented error code into an ApiError carrying the server's message and field", async () => {
    saveSession({ idToken: "t", refreshToken: null, expiresAt: Date.now() + 3_600_000, email: "", groups: [], userId: null });
    vi.stubGlobal("fetch", answer(200, { code: 2, errorMsg: "params.name: String should have at least 1 character" }));
    const error = await dashboardCall("projects", {}).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ApiError);
    expect((error as ApiError).code).toBe(2);
    expect(fieldOf(error, ["name", "type"])).toBe("name");
  });

  it("refuses to call a JWT API without a session and forgets the session on a 401", async () => {
    await expect(jsonCall("GET", "/account/v1/me")).rejects.toMatchObject({ code: "unauthenticated" });
    saveSession({ idToken: "t", refreshToken: null, expiresAt: Date.now() + 3_600_000, email: "", groups: [], userId: null });
    vi.stubGlobal("fetch", answer(401, { error: { code: "unauthenticated", message: "sign in" } }));
    await expect(jsonCall("GET", "/account/v1/me")).rejects.toMatchObject({ status: 401, message: "sign in" });
    expect(localStorage.getItem("bb.session")).toBeNull();
  });
});
