import { describe, expect, it } from "vitest";
import { cumulative } from "./api";

describe("items finished over time", () => {
  it("counts deliveries cumulatively and ends at the project's own count now", () => {
    expect(cumulative([10, 20, 20, 35], 4, 100)).toEqual([
      [10, 1],
      [20, 2],
      [20, 3],
      [35, 4],
      [100, 4],
    ]);
  });

  it("ends at the project's count when the chart read only part of the results", () => {
    expect(cumulative([10, 20], 500, 100)).toEqual([
      [10, 1],
      [20, 2],
      [100, 500],
    ]);
  });

  it("draws nothing before the first result", () => {
    expect(cumulative([], 0, 100)).toEqual([]);
  });
});
