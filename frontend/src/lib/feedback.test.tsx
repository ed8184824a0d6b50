import { render, screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";
import { api, supportReference, toApiError } from "../api/client";
import { FormAlert } from "../components/FormAlert";
import { fakeServer, json } from "../test/fakeServer";
import { useSuccessMessage } from "./feedback";
import { useApiForm } from "./hooks";

describe("error reference", () => {
  it.each([
    { status: 500, requestId: "r-1", want: "r-1" },
    { status: 503, requestId: "r-2", want: "r-2" },
    { status: 500, requestId: "", want: null },
    { status: 400, requestId: "r-3", want: null },
    { status: 401, requestId: "r-4", want: null },
    { status: 403, requestId: "r-5", want: null },
    { status: 404, requestId: "r-6", want: null },
    { status: 409, requestId: "r-7", want: null },
    { status: 0, requestId: "", want: null },
  ])("HTTP $status with reference '$requestId' shows $want", ({ status, requestId, want }) => {
    const error = toApiError(status, { code: "X", message: "Something.", requestId });
    expect(error.status).toBe(status);
    expect(supportReference(error)).toBe(want);
  });

  it("shows the reference in the alert for a server failure only", () => {
    const { rerender } = render(<FormAlert form="f" error={toApiError(400, { code: "VALIDATION", message: "Check the name.", requestId: "r-400" })} />);
    expect(document.getElementById("f-error")!.textContent).toBe("Check the name.");
    rerender(<FormAlert form="f" error={toApiError(500, { code: "INTERNAL", message: "Something went wrong.", requestId: "r-500" })} />);
    expect(document.getElementById("f-error")!.textContent).toBe("Something went wrong.Reference: r-500");
  });
});

/** Two independent forms on one page, each with its own success message. */
function TwoForms() {
  const a = useApiForm("a");
  const b = useApiForm("b");
  const [aDone, setADone] = useSuccessMessage("");
  const [bDone, setBDone] = useSuccessMessage("");
  const send = (form: typeof a, path: "/api/account", done: (m: string) => void, label: string) => async () => {
    const r = await form.submit(() => api.PATCH(path, { body: { fullName: label } }));
    if (r?.ok) done(`${label} saved.`);
  };
  return (
    <>
      <button type="button" onClick={() => void send(a, "/api/account", setADone, "A")()}>
        Save A
      </button>
      <p id="a-done">{aDone}</p>
      <FormAlert form="a" error={a.error} />
      <button type="button" onClick={() => void send(b, "/api/account", setBDone, "B")()}>
        Save B
      </button>
      <p id="b-done">{bDone}</p>
      <FormAlert form="b" error={b.error} />
    </>
  );
}

describe("messages clear on the next action", () => {
  it("drops an earlier success when another form is sent, and an earlier error too", async () => {
    document.cookie = "devportal_csrf=c; path=/";
    fakeServer({
      "PATCH /api/account": (req) => {
        const name = (req.body as { fullName: string }).fullName;
        return name === "B" && !bFixed
          ? json(400, { code: "VALIDATION", message: "Check B.", requestId: "r-b" })
          : json(200, { fullName: name });
      },
    });
    let bFixed = false;
    const user = userEvent.setup();
    render(<TwoForms />);

    await user.click(screen.getByRole("button", { name: "Save A" }));
    await waitFor(() => expect(document.getElementById("a-done")!.textContent).toBe("A saved."));

    // B fails: A's success does not stay beside B's error.
    await user.click(screen.getByRole("button", { name: "Save B" }));
    await waitFor(() => expect(document.getElementById("b-error")!.textContent).toBe("Check B."));
    expect(document.getElementById("a-done")!.textContent).toBe("");

    // A again: B's old error goes, A says it saved.
    await user.click(screen.getByRole("button", { name: "Save A" }));
    await waitFor(() => expect(document.getElementById("a-done")!.textContent).toBe("A saved."));
    expect(document.getElementById("b-error")).toBeNull();

    // B succeeds: A's success goes, B's shows.
    bFixed = true;
    await user.click(screen.getByRole("button", { name: "Save B" }));
    await waitFor(() => expect(document.getElementById("b-done")!.textContent).toBe("B saved."));
    expect(document.getElementById("a-done")!.textContent).toBe("");
  });
});
