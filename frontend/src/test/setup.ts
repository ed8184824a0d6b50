import { cleanup, configure } from "@testing-library/react";
import { afterEach } from "vitest";
import { resetPasswordPolicyCache } from "../lib/hooks";
import { resetTPPAPICache } from "../lib/tppapi";

export function clearCookies() {
  for (const part of document.cookie.split(";")) {
    const name = part.split("=")[0]?.trim();
    if (name) document.cookie = `${name}=; expires=Thu, 01 Jan 1970 00:00:00 GMT; path=/`;
  }
}

// make test runs Vitest beside the Go suites on two cores: a page that renders in 50 ms
// alone can take seconds there, which is slow, not wrong.
configure({ asyncUtilTimeout: 5_000 });

afterEach(() => {
  cleanup();
  clearCookies();
  resetPasswordPolicyCache();
  resetTPPAPICache();
});
