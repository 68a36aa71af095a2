import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { render, screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { createMemoryRouter, RouterProvider } from "react-router";
import { afterEach, describe, expect, it, vi } from "vitest";
import "../../lib/i18n";
import { saveSession } from "../../lib/session";
import { ReviewTab } from "./ReviewTab";

// jsdom has no modal dialogs: open and close them as the browser would (the dialog's content then counts).
HTMLDialogElement.prototype.showModal ??= function (this: HTMLDialogElement) {
  this.open = true;
};
HTMLDialogElement.prototype.close ??= function (this: HTMLDialogElement) {
  this.open = false;
};

const progress = (projectStatus: string) => ({
  projectName: "cats",
  projectInstruction: "",
  question: null,
  target: null,
  projectType: "image_classification",
  taskType: "single_choice",
  projectItemQuantity: 10,
  processingQuantity: 0,
  projectStatus,
  completedQuantity: 0,
  noStartQuantity: 10,
  successQuantity: 0,
  failedQuantity: 0,
  outputQuantity: 0,
  amountSpent: 0,
  options: [],
});

/** The server as the browser sees it: retrieveProject answers `project`; every call is recorded. */
function serve(project: object, results: object[] = []) {
  const calls: [string, Record<string, unknown>][] = [];
  vi.stubGlobal(
    "fetch",
    vi.fn(async (url: string, init: RequestInit) => {
      const { params } = JSON.parse(String(init.body)) as { params: Record<string, unknown> };
      const path = url.replace("/dashboard/v1/", "");
      calls.push([path, params]);
      const data =
        path === "projects/retrieveProject"
          ? project
          : path === "projects/listResults"
            ? { projectId: "p1", items: results, nextCursor: null }
            : path === "projects/trialIssues"
              ? { projectId: "p1", projectStatus: "trialDone", created: 0, issues: 1 }
              : { projectId: "p1", projectStatus: "checking", created: 0 };
      return new Response(JSON.stringify({ code: 0, data }), { status: 200 });
    }),
  );
  return calls;
}

function show() {
  const router = createMemoryRouter([{ path: "/projects/:projectId/review", element: <ReviewTab /> }], { initialEntries: ["/projects/p1/review"] });
  render(
    <QueryClientProvider client={new QueryClient({ defaultOptions: { queries: { retry: false } } })}>
      <RouterProvider router={router} />
    </QueryClientProvider>,
  );
}

describe("the review tab", () => {
  afterEach(() => {
    vi.unstubAllGlobals();
    saveSession(null);
  });
  const signIn = () => saveSession({ idToken: "t", refreshToken: null, expiresAt: Date.now() + 3_600_000, email: "", groups: [], userId: null });

  it("shows a rejected review's reasons and submits the draft again with alterState start", async () => {
    signIn();
    const calls = serve({
      projectData: progress("draft"),
      extraInfo: { downloadableResultNum: 0, downloadResultURL: "" },
      review: { reasons: ["flow_wording"], note: "Say what a cat is." },
      history: [{ at: 1, by: "operator@bytebridge.local", from: "checking", to: "draft", reason: "rejected" }],
      trial: null,
    });
    show();
    expect(await screen.findByText("The instructions or questions need rewording")).toBeTruthy();
    expect(screen.getByText("Say what a cat is.")).toBeTruthy();
    expect(screen.getByText("In review → Draft")).toBeTruthy();
    await userEvent.click(screen.getByRole("button", { name: "Submit for review" }));
    await waitFor(() => expect(calls).toContainEqual(["projects/alterState", { projectId: "p1", type: "start" }]));
  });

  it("lists a finished trial's items with their answers, saves an issue, and accepts the trial", async () => {
    signIn();
    const calls = serve(
      {
        projectData: progress("trialDone"),
        extraInfo: { downloadableResultNum: 0, downloadResultURL: "" },
        trial: { round: 1, size: 2, finished: 2, cost: 6, issues: [], issuesSubmitted: false, answer: null },
      },
      [
        {
          itemId: "i1",
          resourceType: "image",
          resourceURL: "s3://b/u/cat_1.jpg",
          status: "completed",
          createdAt: 1,
          deliveredAt: 2,
          acceptance: null,
          acceptanceComment: null,
          acceptedAt: null,
          acceptDeadline: null,
          reworkCount: 0,
          flowVersion: 1,
          result: { answers: { classify: { choice: "cat" } } },
        },
      ],
    );
    show();
    const item = await screen.findByRole("listitem", { name: "Item i1" });
    expect(item.textContent).toContain("cat");
    expect(screen.getByRole("button", { name: "Submit all issues" })).toHaveProperty("disabled", true);
    await userEvent.type(screen.getByLabelText("Issue with this item"), "not a cat");
    await userEvent.click(screen.getByRole("button", { name: "Save the issue" }));
    await waitFor(() => expect(calls).toContainEqual(["projects/trialIssues", { projectId: "p1", issues: [{ itemId: "i1", comment: "not a cat" }] }]));
    expect(await screen.findByText(/Saved \(1 items with issues\)/)).toBeTruthy();
    await userEvent.click(screen.getByRole("button", { name: "Accept the trial results" }));
    const dialog = await screen.findByRole("dialog");
    expect(dialog.textContent).toContain("The project then waits for payment");
    const [, confirm] = screen.getAllByRole("button", { name: "Accept the trial results" });
    await userEvent.click(confirm);
    await waitFor(() => expect(calls).toContainEqual(["projects/acceptTrial", { projectId: "p1" }]));
  });
});
