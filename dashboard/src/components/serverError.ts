// The server's words for a failed call: the envelope's errorMsg is the documented generic text ("Parameter missing
// or invalid"); its `detail` says what exactly ("params.projectName: String should have at least 1 character").
import { ApiError } from "../lib/api";

/** The whole message, for a form-level or page-level error. */
export function messageOf(error: unknown): string {
  if (error instanceof ApiError) return error.detail ? `${error.message}: ${error.detail}` : error.message;
  return error instanceof Error ? error.message : String(error);
}

/** The param a failed call names, if any: "params.options[1].value: …" → "options"; "question is required…" →
 * "question" when `question` is one of `fields`. */
export function fieldOf(error: unknown, fields: string[]): string | null {
  if (!(error instanceof ApiError)) return null;
  for (const text of [error.detail ?? "", error.message]) {
    const named = /^(?:params\.)?([A-Za-z]\w*)(?=[.[:\s])/.exec(text)?.[1];
    if (named && fields.includes(named)) return named;
  }
  return null;
}

/** The message to show under field `name` (without the "params.name:" prefix the label already says), or null. */
export function fieldMessage(error: unknown, name: string, fields: string[]): string | null {
  if (fieldOf(error, fields) !== name || !(error instanceof ApiError)) return null;
  const text = error.detail ?? error.message;
  return text.replace(/^(?:params\.)?[A-Za-z][\w.[\]]*:\s*/, "") || error.message;
}
