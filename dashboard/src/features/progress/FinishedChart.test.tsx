import { cleanup, render, screen } from "@testing-library/react";
import { afterEach, describe, expect, it } from "vitest";
import "../../lib/i18n";
import { cumulative } from "./api";
import { FinishedChart } from "./FinishedChart";

describe("the finished-items chart", () => {
  afterEach(cleanup);

  it("draws a rising step line named by its total and time span", () => {
    const start = Date.UTC(2026, 11, 2, 9, 0);
    const points = cumulative([start, start + 60_000, start + 120_000], 3, start + 180_000);
    const { container } = render(<FinishedChart points={points} />);
    const chart = screen.getByRole("img");
    expect(chart.getAttribute("aria-label")).toMatch(/^3 items finished between /);
    const path = container.querySelector("path")!.getAttribute("d")!;
    // Starts at zero on the left, ends at the top on the right: three steps up (one V per point, plus the last).
    expect(path.startsWith("M 48 192")).toBe(true);
    expect(path.match(/V /g)).toHaveLength(4);
    expect(path.endsWith("V 12.0")).toBe(true);
  });

  it("says when nothing is finished yet", () => {
    render(<FinishedChart points={[]} />);
    expect(screen.getByText("No finished item yet: the chart starts with the first result.")).toBeTruthy();
  });
});
