import { render, screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it, vi } from "vitest";
import type { NewCredential } from "../api/types";
import { OneTimeSecret } from "./OneTimeSecret";
import { el } from "../test/dom";

const CREDENTIAL: NewCredential = {
  clientId: "cid-123",
  appId: "app-1",
  name: "Default",
  createdAt: "2025-03-01T10:00:00Z",
  secretResetAt: "2025-03-01T10:00:00Z",
  secretIssued: true,
  secret: "s3cr3t-value",
  warning: "Copy the secret now and keep it safe: it is shown only this once. If you lose it, reset it.",
};

describe("OneTimeSecret", () => {
  it("shows the secret with its client ID and the server's warning, takes focus and copies the secret", async () => {
    const user = userEvent.setup();
    const writeText = vi.fn(async () => undefined);
    Object.defineProperty(navigator, "clipboard", { value: { writeText }, configurable: true });
    const onDone = vi.fn();
    render(<OneTimeSecret issued={{ credential: CREDENTIAL, reason: "registered" }} onDone={onDone} />);

    expect(el("secret-panel-title")!.textContent).toBe("Your app is registered: here is its first secret");
    await waitFor(() => expect(document.activeElement).toBe(el("secret-panel-title")));
    expect(el("secret-warning")!.textContent).toBe(CREDENTIAL.warning);
    expect(el("secret-clientId")!.textContent).toBe("cid-123");
    expect(el("secret-value")!.textContent).toBe("s3cr3t-value");
    expect(el("secret-name")!.textContent).toBe("Default");

    await user.click(screen.getByRole("button", { name: "Copy secret" }));
    expect(writeText).toHaveBeenCalledWith("s3cr3t-value");
    await waitFor(() => expect(el("secret-copy-status")!.textContent).toBe("Secret copied to the clipboard."));

    await user.click(screen.getByRole("button", { name: "I have stored the secret" }));
    expect(onDone).toHaveBeenCalledTimes(1);
  });

  it("says how to copy by hand when the browser refuses the clipboard", async () => {
    const user = userEvent.setup();
    Object.defineProperty(navigator, "clipboard", { value: { writeText: vi.fn(async () => Promise.reject(new Error("denied"))) }, configurable: true });
    render(<OneTimeSecret issued={{ credential: CREDENTIAL, reason: "reset" }} onDone={() => {}} />);
    expect(el("secret-panel-title")!.textContent).toBe("New secret");
    await user.click(el("secret-copy")!);
    await waitFor(() => expect(el("secret-copy-status")!.textContent).toBe("Your browser did not allow copying: select the secret and copy it."));
  });
});
