import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { cleanup, fireEvent, render, screen, waitFor } from "@testing-library/react";
import type { ReactNode } from "react";
import { MemoryRouter, Route, Routes } from "react-router";
import { afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { ApiError } from "../../lib/api";
import "../../lib/i18n";
import { saveSession } from "../../lib/session";
import { ConfirmedAction, OpsShell } from "./OpsShell";

beforeAll(() => {
  // jsdom has <dialog> without its modal methods.
  HTMLDialogElement.prototype.showModal ??= function (this: HTMLDialogElement) {
    this.open = true;
  };
  HTMLDialogElement.prototype.close ??= function (this: HTMLDialogElement) {
    this.open = false;
  };
});

afterEach(() => {
  cleanup();
  saveSession(null);
});

function wrap(children: ReactNode) {
  const client = new QueryClient({ defaultOptions: { queries: { retry: false }, mutations: { retry: false } } });
  return render(
    <QueryClientProvider client={client}>
      <MemoryRouter initialEntries={["/ops"]}>
        <Routes>
          <Route path="/ops" element={children}>
            <Route index element={<p>queue</p>} />
          </Route>
        </Routes>
      </MemoryRouter>
    </QueryClientProvider>,
  );
}

const session = (groups: string[]) =>
  saveSession({ idToken: "x.e30.y", refreshToken: null, expiresAt: Date.now() + 3_600_000, email: "a@b.c", groups, userId: null });

describe("the operator console", () => {
  it("tells a signed-in client it is for operators only", () => {
    session(["clients"]);
    wrap(<OpsShell />);
    expect(screen.getByRole("heading", { name: "Operators only" })).toBeTruthy();
    expect(screen.queryByText("queue")).toBeNull();
    expect(screen.queryByRole("navigation", { name: "Operator sections" })).toBeNull();
  });

  it("shows its sections to operators", () => {
    session(["operators"]);
    wrap(<OpsShell />);
    expect(screen.getByRole("navigation", { name: "Operator sections" })).toBeTruthy();
    expect(screen.getByText("queue")).toBeTruthy();
  });
});

describe("an action behind a confirmation", () => {
  it("asks nothing while its check fails, then runs only on confirm", async () => {
    const run = vi.fn().mockResolvedValue({ ok: true });
    const done = vi.fn();
    let picked = false;
    wrap(<ConfirmedAction label="Reject" title="Reject it?" check={() => (picked ? null : "Pick a reason.")} run={run} onDone={done} />);
    fireEvent.click(screen.getByRole("button", { name: "Reject" }));
    expect(screen.getByRole("alert").textContent).toBe("Pick a reason.");
    expect(screen.queryByRole("dialog")).toBeNull();

    picked = true;
    fireEvent.click(screen.getByRole("button", { name: "Reject" }));
    const dialog = screen.getByRole("dialog", { name: "Reject it?" });
    expect(run).not.toHaveBeenCalled();
    fireEvent.click(dialog.querySelector("button.primary")!);
    await waitFor(() => expect(done).toHaveBeenCalledWith({ ok: true }));
    expect(run).toHaveBeenCalledTimes(1);
    expect(screen.queryByRole("dialog")).toBeNull();
  });

  it("keeps the dialog open with the server's message when refused", async () => {
    const run = vi.fn().mockRejectedValue(new ApiError("cannot approve p1: it is trial, not checking", "conflict", 409));
    wrap(<ConfirmedAction label="Approve" title="Approve it?" run={run} />);
    fireEvent.click(screen.getByRole("button", { name: "Approve" }));
    fireEvent.click(screen.getByRole("dialog").querySelector("button.primary")!);
    await waitFor(() =>
      expect(screen.getByRole("alert").textContent).toBe("The server refused: cannot approve p1: it is trial, not checking"),
    );
    expect(screen.getByRole("dialog")).toBeTruthy();
    fireEvent.click(screen.getByRole("button", { name: "Cancel" }));
    expect(screen.queryByRole("dialog")).toBeNull();
  });
});
