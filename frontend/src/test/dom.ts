import { waitFor } from "@testing-library/react";
import { expect } from "vitest";

/** The element with this id, or null. */
export const el = (id: string) => document.getElementById(id);

/** Waits until the element with this id is on the page and returns it. */
export async function found(id: string): Promise<HTMLElement> {
  return waitFor(() => {
    const e = el(id);
    expect(e).not.toBeNull();
    return e!;
  });
}
