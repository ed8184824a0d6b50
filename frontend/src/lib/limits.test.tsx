import { render } from "@testing-library/react";
import { useState } from "react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";
import openapi from "../api/openapi.json";
import { TextAreaField, TextField } from "../components/Field";
import { charCount, limitOf, remainingText, tooLongMessage } from "./limits";

describe("length limits", () => {
  it("are the server's: each one stated is the OpenAPI document's maxLength", () => {
    const doc = openapi as unknown as {
      paths: Record<string, Record<string, { requestBody?: { content: { "application/json": { schema: { $ref: string } } } } }>>;
      components: { schemas: Record<string, { properties: Record<string, { maxLength?: number }> }> };
    };
    const maxLength = (method: string, path: string, field: string) => {
      const ref = doc.paths[path][method].requestBody!.content["application/json"].schema.$ref;
      return doc.components.schemas[ref.split("/").pop()!].properties[field].maxLength;
    };
    expect(limitOf("POST /api/organizations/{orgId}/apps", "name")).toBe(100);
    expect(limitOf("POST /api/organizations/{orgId}/apps", "name")).toBe(maxLength("post", "/api/organizations/{orgId}/apps", "name"));
    expect(limitOf("POST /api/organizations/{orgId}/apps/{appId}/redirect-uris", "uri")).toBe(2048);
    expect(limitOf("POST /api/organizations/{orgId}/apps/{appId}/redirect-uris", "uri")).toBe(
      maxLength("post", "/api/organizations/{orgId}/apps/{appId}/redirect-uris", "uri"),
    );
    expect(limitOf("POST /api/organizations", "company")).toBe(maxLength("post", "/api/organizations", "company"));
  });

  it.each([
    ["Budget Buddy", 12],
    ["  padded  ", 6],
    ["Cafe\u0301", 4],
    ["😀😀", 2],
    ["", 0],
  ])("counts %j as %i characters, as the server does", (text, n) => {
    expect(charCount(text)).toBe(n);
  });

  it.each([
    [100, 0, "100 of 100 characters left"],
    [100, 99, "1 of 100 characters left"],
    [100, 100, "0 of 100 characters left"],
    [100, 101, "1 character over the limit of 100"],
    [100, 123, "23 characters over the limit of 100"],
    [1, 0, "1 of 1 character left"],
  ])("with a limit of %i and %i characters the counter says %j", (limit, n, want) => {
    expect(remainingText(limit, n)).toBe(want);
  });

  it("words the too-long message as the server does", () => {
    expect(tooLongMessage(100, 101)).toBe("Use at most 100 characters; this has 101.");
    expect(tooLongMessage(2048, 2049)).toBe("Use at most 2048 characters; this has 2049.");
  });
});

function Harness({ initial, area }: { initial: string; area?: boolean }) {
  const [v, setV] = useState(initial);
  return area ? (
    <TextAreaField form="f" name="reason" label="Reason" limit={5} value={v} onValueChange={setV} />
  ) : (
    <TextField form="f" name="name" label="Name" limit={5} value={v} onValueChange={setV} errors={["Use at most 5 characters; this has 6."]} />
  );
}

describe("a limited field", () => {
  it("keeps a pasted text whole, counts it, and says once that it is too long", async () => {
    const user = userEvent.setup();
    render(<Harness initial="" />);
    const input = document.getElementById("f-name") as HTMLInputElement;
    expect(input.hasAttribute("maxlength")).toBe(false);
    expect(document.getElementById("f-name-count")!.textContent).toBe("5 of 5 characters left");
    await user.click(input);
    await user.paste("abcdef");
    expect(input.value).toBe("abcdef");
    expect(document.getElementById("f-name-count")!.textContent).toBe("1 character over the limit of 5");
    // The server's identical message is not repeated.
    expect(document.getElementById("f-name-error")!.textContent).toBe("Use at most 5 characters; this has 6.");
    expect(input.getAttribute("aria-invalid")).toBe("true");
    expect(input.getAttribute("aria-describedby")).toBe("f-name-count f-name-error");
  });

  it("works for text areas too", async () => {
    const user = userEvent.setup();
    render(<Harness initial="abc" area />);
    const area = document.getElementById("f-reason") as HTMLTextAreaElement;
    expect(document.getElementById("f-reason-count")!.textContent).toBe("2 of 5 characters left");
    await user.type(area, "defg");
    expect(area.value).toBe("abcdefg");
    expect(document.getElementById("f-reason-error")!.textContent).toBe("Use at most 5 characters; this has 7.");
  });
});
