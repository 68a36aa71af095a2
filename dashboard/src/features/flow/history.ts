// Undo/redo for the flow builder: a list of past states, the present one and the undone ones. Typing in a field
// changes the graph at every keystroke; pushes that carry the same `key` as the previous one are merged into one step.

export interface History<T> {
  past: T[];
  present: T;
  future: T[];
  /** The key of the last push, to merge a run of edits of one field into one step. */
  lastKey: string | null;
}

export const LIMIT = 100;

export function begin<T>(present: T): History<T> {
  return { past: [], present, future: [], lastKey: null };
}

/** A new present state. Same object: nothing happens. Same `key` as the previous push: that step is replaced. */
export function push<T>(history: History<T>, next: T, key: string | null = null): History<T> {
  if (next === history.present) return history;
  if (key !== null && key === history.lastKey) return { ...history, present: next, future: [] };
  const past = [...history.past, history.present].slice(-LIMIT);
  return { past, present: next, future: [], lastKey: key };
}

/** Ends a merge run: the next push, whatever its key, is a step of its own. */
export function seal<T>(history: History<T>): History<T> {
  return history.lastKey === null ? history : { ...history, lastKey: null };
}

export function undo<T>(history: History<T>): History<T> {
  if (!history.past.length) return history;
  const previous = history.past[history.past.length - 1];
  return { past: history.past.slice(0, -1), present: previous, future: [history.present, ...history.future], lastKey: null };
}

export function redo<T>(history: History<T>): History<T> {
  if (!history.future.length) return history;
  const [next, ...future] = history.future;
  return { past: [...history.past, history.present], present: next, future, lastKey: null };
}

export const canUndo = <T,>(history: History<T>) => history.past.length > 0;
export const canRedo = <T,>(history: History<T>) => history.future.length > 0;
