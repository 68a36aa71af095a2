import { cleanup, render, screen } from "@testing-library/react";
import { createMemoryRouter, RouterProvider } from "react-router";
import { afterEach, describe, expect, it } from "vitest";
import "../../lib/i18n";
import { ApiError } from "../../lib/api";
import { DeleteGuidance } from "./ProjectsPage";

function show(error: ApiError) {
  const router = createMemoryRouter([{ path: "/", element: <DeleteGuidance error={error} projectId="p1" /> }]);
  render(<RouterProvider router={router} />);
}

describe("why a project cannot be deleted (the seed's FAQ)", () => {
  afterEach(cleanup);

  it("a running project: the server's words, which states allow deletion, and end it first", () => {
    show(new ApiError("The project is in progress and cannot be deleted", 22, 200, "end it first"));
    const alert = screen.getByRole("alert");
    expect(alert.textContent).toContain("The project is in progress and cannot be deleted: end it first");
    expect(alert.textContent).toContain("while it is a draft, once its trial is done, or once it is completed");
    expect(screen.getByRole("link", { name: "Open its progress to end it" }).getAttribute("href")).toBe("/projects/p1/progress");
  });

  it("in review, trial or waiting for payment: wait, or ask the project manager", () => {
    show(new ApiError("The project cannot be deleted now", 23, 200));
    expect(screen.getByRole("alert").textContent).toContain("wait until the review or trial is done");
    expect(screen.getByRole("link", { name: "Write to your project manager" }).getAttribute("href")).toBe("/projects/p1/messages");
  });

  it("any other refusal: only the server's message", () => {
    show(new ApiError("Insufficient permissions", 10, 200));
    expect(screen.getByRole("alert").textContent).toBe("Insufficient permissions");
    expect(screen.queryByRole("link")).toBeNull();
  });
});
