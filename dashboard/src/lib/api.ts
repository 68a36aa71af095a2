// Every call the browser makes. Two answer shapes exist on the server:
// - the dashboard API (/dashboard/v1/<path of the signed API>): the documented envelope {code, errorMsg, data};
// - the JSON APIs (/auth, /account, /operator): the value itself, or {"error": {"code", "message"}} with a 4xx.
// Both become ApiError here, so screens show the server's own message next to the field or form it concerns.
import { currentSession, needsRefresh, saveSession, sessionFromTokens, type Tokens } from "./session";

export class ApiError extends Error {
  constructor(
    message: string,
    readonly code: number | string,
    readonly status: number,
    /** The envelope's `detail` (e.g. setFlow's list of problems), when the server gave one. */
    readonly detail?: string,
  ) {
    super(message);
    this.name = "ApiError";
  }
}

export const UNAUTHENTICATED = "unauthenticated";

async function readJson(response: Response): Promise<unknown> {
  const text = await response.text();
  if (!text) return null;
  try {
    return JSON.parse(text);
  } catch {
    throw new ApiError(`unexpected answer (HTTP ${response.status})`, "bad_response", response.status);
  }
}

let refreshing: Promise<void> | null = null;

async function freshIdToken(): Promise<string | null> {
  const session = currentSession();
  if (!session) return null;
  if (needsRefresh(session) && session.refreshToken) {
    refreshing ??= fetch("/auth/v1/refresh", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ refreshToken: session.refreshToken }),
    })
      .then(async (response) => {
        if (!response.ok) throw new ApiError("session expired", UNAUTHENTICATED, 401);
        saveSession(sessionFromTokens((await response.json()) as Tokens, session));
      })
      .catch(() => saveSession(null))
      .finally(() => {
        refreshing = null;
      });
    await refreshing;
  }
  return currentSession()?.idToken ?? null;
}

async function send(method: string, url: string, body: unknown, auth: boolean): Promise<Response> {
  const headers: Record<string, string> = {};
  if (body !== undefined) headers["Content-Type"] = "application/json";
  if (auth) {
    const token = await freshIdToken();
    if (!token) throw new ApiError("sign in first", UNAUTHENTICATED, 401);
    headers.Authorization = `Bearer ${token}`;
  }
  let response: Response;
  try {
    response = await fetch(url, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  } catch {
    throw new ApiError("the server cannot be reached: check your connection and retry", "network", 0);
  }
  if (response.status === 401 && auth) saveSession(null);
  return response;
}

/** A call of the JSON APIs: /auth/v1 (auth: false), /account/v1 and /operator/v1 (with the ID token). */
export async function jsonCall<T>(method: string, url: string, body?: unknown, auth = true): Promise<T> {
  const response = await send(method, url, body, auth);
  const value = (await readJson(response)) as { error?: { code: string; message: string } } | null;
  if (!response.ok) {
    const error = value?.error;
    throw new ApiError(error?.message ?? `HTTP ${response.status}`, error?.code ?? response.status, response.status);
  }
  return value as T;
}

interface Envelope<T> {
  code: number;
  successMsg?: string;
  errorMsg?: string;
  detail?: string;
  data?: T;
}

/** A call of the signed API's use cases through the dashboard API: `path` as in the documentation without
 * /api/v1 (e.g. "projects/retrieveProject"), `params` as documented. Resolves to the envelope's data. */
export async function dashboardCall<T>(path: string, params: object = {}): Promise<T> {
  const response = await send("POST", `/dashboard/v1/${path}`, { params }, true);
  const value = (await readJson(response)) as (Envelope<T> & { error?: { code: string; message: string } }) | null;
  if (value?.error) throw new ApiError(value.error.message, value.error.code, response.status);
  if (!value || value.code !== 0) {
    throw new ApiError(value?.errorMsg ?? `HTTP ${response.status}`, value?.code ?? response.status, response.status, value?.detail);
  }
  return value.data as T;
}
