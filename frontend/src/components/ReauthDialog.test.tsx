import { render, screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";
import { api, call } from "../api/client";
import { fakeServer, json } from "../test/fakeServer";
import { ReauthDialog } from "./ReauthDialog";

const stale = { code: "REAUTHENTICATION_REQUIRED", message: "Confirm your password to do this.", requestId: "r1" };

describe("ReauthDialog", () => {
  it("asks for the password when a change needs it fresh, then sends the change again", async () => {
    document.cookie = "devportal_csrf=tok; path=/";
    let confirmed = false;
    const { requests } = fakeServer({
      "POST /api/ops/requests/req-1/approve": () => (confirmed ? json(202, { id: "req-1", status: "DECIDING" }) : json(403, stale)),
      "POST /api/auth/confirm-password": (req) => {
        if ((req.body as { password: string }).password !== "Operations#2026") {
          return json(400, { code: "VALIDATION_FAILED", message: "Some fields need your attention.", requestId: "r2",
            fields: [{ field: "password", rule: "incorrect", message: "The password is not correct." }] });
        }
        confirmed = true;
        return json(200, { message: "Password confirmed." });
      },
    });
    const user = userEvent.setup();
    render(<ReauthDialog />);

    const decided = call(api.POST("/api/ops/requests/{requestId}/approve", { params: { path: { requestId: "req-1" } }, body: { comment: "ok" } }));
    await screen.findByRole("dialog", { name: "Confirm your password" });
    const password = document.getElementById("reauth-password") as HTMLInputElement;
    await waitFor(() => expect(document.activeElement).toBe(password));

    await user.type(password, "wrong");
    await user.click(screen.getByRole("button", { name: "Confirm and continue" }));
    expect(await screen.findByText("The password is not correct.")).toBeTruthy();

    await user.clear(password);
    await user.type(password, "Operations#2026");
    await user.click(screen.getByRole("button", { name: "Confirm and continue" }));

    expect(await decided).toEqual({ ok: true, status: 202, data: { id: "req-1", status: "DECIDING" } });
    await waitFor(() => expect(screen.queryByRole("dialog")).toBeNull());
    expect(requests.map((r) => `${r.method} ${r.path}`)).toEqual([
      "POST /api/ops/requests/req-1/approve",
      "POST /api/auth/confirm-password",
      "POST /api/auth/confirm-password",
      "POST /api/ops/requests/req-1/approve",
    ]);
    expect(requests[3].body).toEqual({ comment: "ok" });
  });

  it("leaves the change undone, with the server's answer, when the user cancels", async () => {
    document.cookie = "devportal_csrf=tok; path=/";
    const { requests } = fakeServer({ "POST /api/ops/requests/req-2/reject": () => json(403, stale) });
    const user = userEvent.setup();
    render(<ReauthDialog />);

    const decided = call(api.POST("/api/ops/requests/{requestId}/reject", { params: { path: { requestId: "req-2" } }, body: { comment: "no" } }));
    await screen.findByRole("dialog", { name: "Confirm your password" });
    await user.click(screen.getByRole("button", { name: "Cancel" }));

    expect(await decided).toEqual({ ok: false, status: 403, error: { ...stale, status: 403, fields: undefined } });
    expect(requests.map((r) => `${r.method} ${r.path}`)).toEqual(["POST /api/ops/requests/req-2/reject"]);
    expect(screen.queryByRole("dialog")).toBeNull();
  });
});
