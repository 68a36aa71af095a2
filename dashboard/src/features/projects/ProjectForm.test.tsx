import { cleanup, render, screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, describe, expect, it, vi } from "vitest";
import "../../lib/i18n";
import { ApiError } from "../../lib/api";
import { EMPTY_PROJECT, ProjectForm, toParams } from "./ProjectForm";

describe("the project form", () => {
  afterEach(cleanup);

  it("sends the documented params, leaving out empty optional texts and option rows", () => {
    expect(toParams({ ...EMPTY_PROJECT, projectName: " Cats ", question: "", options: ["cat", " ", "dog"] })).toEqual({
      projectName: "Cats",
      type: "image_classification",
      taskType: "single_choice",
      options: [{ value: "cat" }, { value: "dog" }],
    });
  });

  it("shows the server's message under the field it names, and others above the button", async () => {
    const user = userEvent.setup();
    const onSubmit = vi
      .fn()
      .mockRejectedValueOnce(new ApiError("Parameter missing or invalid", 2, 200, "params.projectName: String should have at least 1 character"))
      .mockRejectedValueOnce(new ApiError("Project creation failed, please check the parameter configuration", 7, 200, "question is required for classification projects"))
      .mockRejectedValueOnce(new ApiError("Insufficient permissions", 10, 200));
    render(<ProjectForm initial={EMPTY_PROJECT} submitLabel="Create project" onSubmit={onSubmit} />);
    const submit = screen.getByRole("button", { name: "Create project" });

    await user.click(submit);
    expect(screen.getByRole("textbox", { name: "Project name" }).getAttribute("aria-invalid")).toBe("true");
    expect(screen.getByRole("alert").textContent).toBe("String should have at least 1 character");

    await user.click(submit);
    expect(screen.getByRole("textbox", { name: "Project name" }).getAttribute("aria-invalid")).toBeNull();
    expect(screen.getByRole("textbox", { name: "Question" }).getAttribute("aria-invalid")).toBe("true");
    expect(screen.getByRole("alert").textContent).toBe("question is required for classification projects");

    await user.click(submit);
    expect(screen.getByRole("alert").textContent).toBe("Insufficient permissions");
  });

  it("adds and removes option rows", async () => {
    const user = userEvent.setup();
    render(<ProjectForm initial={EMPTY_PROJECT} submitLabel="Create project" onSubmit={vi.fn()} />);
    await user.click(screen.getByRole("button", { name: "Add an option" }));
    expect(screen.getAllByRole("textbox", { name: /^Option \d$/ })).toHaveLength(3);
    await user.click(screen.getByRole("button", { name: "Remove option 1" }));
    expect(screen.getAllByRole("textbox", { name: /^Option \d$/ })).toHaveLength(2);
  });
});
