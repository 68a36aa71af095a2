import { describe, expect, it } from "vitest";
import { begin, canRedo, canUndo, LIMIT, push, redo, seal, undo } from "./history";

describe("history", () => {
  it("starts with nothing to undo or redo", () => {
    const history = begin("a");
    expect(history.present).toBe("a");
    expect(canUndo(history)).toBe(false);
    expect(canRedo(history)).toBe(false);
    expect(undo(history)).toBe(history);
    expect(redo(history)).toBe(history);
  });

  it("undoes and redoes pushes in order", () => {
    let history = push(push(begin("a"), "b"), "c");
    expect(history.past).toEqual(["a", "b"]);
    history = undo(history);
    expect(history.present).toBe("b");
    history = undo(history);
    expect(history.present).toBe("a");
    expect(canUndo(history)).toBe(false);
    history = redo(history);
    expect(history.present).toBe("b");
    expect(history.future).toEqual(["c"]);
    history = redo(history);
    expect(history.present).toBe("c");
    expect(canRedo(history)).toBe(false);
  });

  it("a push after an undo drops what was undone", () => {
    const history = push(undo(push(push(begin("a"), "b"), "c")), "d");
    expect(history.past).toEqual(["a", "b"]);
    expect(history.present).toBe("d");
    expect(canRedo(history)).toBe(false);
  });

  it("pushing the present itself changes nothing", () => {
    const history = push(begin("a"), "b");
    expect(push(history, history.present)).toBe(history);
  });

  it("merges a run of pushes with one key into one step, until sealed or another key", () => {
    let history = begin("");
    for (const text of ["h", "he", "hel"]) history = push(history, text, "question");
    expect(history.past).toEqual([""]);
    expect(history.present).toBe("hel");
    history = push(history, "x", "options");
    expect(history.past).toEqual(["", "hel"]);
    history = seal(history);
    history = push(history, "xy", "options");
    expect(history.past).toEqual(["", "hel", "x"]);
    expect(undo(history).present).toBe("x");
    // After an undo the next keyed push is a step of its own.
    const again = push(undo(history), "xz", "options");
    expect(again.past).toEqual(["", "hel", "x"]);
  });

  it("keeps at most LIMIT past states", () => {
    let history = begin(0);
    for (let n = 1; n <= LIMIT + 20; n++) history = push(history, n);
    expect(history.past).toHaveLength(LIMIT);
    expect(history.past[0]).toBe(20);
  });
});
