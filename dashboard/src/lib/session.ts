// The signed-in user's Cognito tokens, kept in localStorage so a reload stays signed in; the ID token is what the
// JWT APIs (/dashboard, /account, /operator) take. Refreshed shortly before it expires.

const KEY = "bb.session";
const REFRESH_MARGIN_MS = 60_000;

export interface Session {
  idToken: string;
  refreshToken: string | null;
  expiresAt: number; // epoch ms
  email: string;
  groups: string[];
  userId: string | null;
}

export interface Tokens {
  idToken: string;
  refreshToken: string | null;
  expiresIn: number;
}

type Listener = (session: Session | null) => void;
const listeners = new Set<Listener>();

function claimsOf(idToken: string): Record<string, unknown> {
  const payload = idToken.split(".")[1] ?? "";
  const json = atob(payload.replace(/-/g, "+").replace(/_/g, "/"));
  return JSON.parse(new TextDecoder().decode(Uint8Array.from(json, (c) => c.charCodeAt(0))));
}

export function sessionFromTokens(tokens: Tokens, previous?: Session | null): Session {
  const claims = claimsOf(tokens.idToken);
  const groups = claims["cognito:groups"];
  return {
    idToken: tokens.idToken,
    refreshToken: tokens.refreshToken ?? previous?.refreshToken ?? null,
    expiresAt: Date.now() + tokens.expiresIn * 1000,
    email: String(claims.email ?? previous?.email ?? ""),
    groups: Array.isArray(groups) ? groups.map(String) : typeof groups === "string" ? groups.split(",") : [],
    userId: typeof claims["custom:user_id"] === "string" ? (claims["custom:user_id"] as string) : null,
  };
}

export function currentSession(): Session | null {
  const raw = localStorage.getItem(KEY);
  if (!raw) return null;
  try {
    return JSON.parse(raw) as Session;
  } catch {
    return null;
  }
}

export function saveSession(session: Session | null): void {
  if (session) localStorage.setItem(KEY, JSON.stringify(session));
  else localStorage.removeItem(KEY);
  listeners.forEach((listener) => listener(session));
}

export function onSessionChange(listener: Listener): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

export function needsRefresh(session: Session): boolean {
  return session.expiresAt - Date.now() < REFRESH_MARGIN_MS;
}

export function isOperator(session: Session | null): boolean {
  return !!session?.groups.includes("operators");
}
