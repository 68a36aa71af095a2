// The builder's unsaved work, kept in this browser per project so a reload (or a crash) loses nothing: the draft
// graph until it is saved, and the nodes' positions always (the server keeps no layout).
import type { Graph, Point } from "./model";

const draftKey = (projectId: string) => `bb.flowDraft.${projectId}`;
const layoutKey = (projectId: string) => `bb.flowLayout.${projectId}`;

export interface Draft {
  graph: Graph;
  /** The saved version the draft was started from (null: the documented flow or none). */
  baseVersion: number | null;
}

function read<T>(key: string): T | null {
  try {
    const text = localStorage.getItem(key);
    return text ? (JSON.parse(text) as T) : null;
  } catch {
    return null;
  }
}

function write(key: string, value: unknown): void {
  try {
    localStorage.setItem(key, JSON.stringify(value));
  } catch {
    // A full or disabled storage only loses the draft's persistence; the editor keeps working.
  }
}

export function loadDraft(projectId: string): Draft | null {
  const draft = read<Draft>(draftKey(projectId));
  return draft && Array.isArray(draft.graph?.nodes) && Array.isArray(draft.graph?.edges) ? draft : null;
}

export const saveDraft = (projectId: string, draft: Draft) => write(draftKey(projectId), draft);
export const clearDraft = (projectId: string) => localStorage.removeItem(draftKey(projectId));
export const loadLayout = (projectId: string) => read<Record<string, Point>>(layoutKey(projectId)) ?? {};
export const saveLayout = (projectId: string, positions: Record<string, Point>) => write(layoutKey(projectId), positions);
