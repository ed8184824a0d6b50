import { render } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import { stepText } from "../lib/apps";
import { SubscriptionBadge, subscriptionExplanation } from "./SubscriptionStatus";

describe("subscription status", () => {
  it.each([
    ["ACTIVE", "Active", "badge--success"],
    ["PENDING", "Pending approval", "badge--warning"],
    ["REJECTED", "Rejected", "badge--error"],
  ] as const)("shows %s as %s, coloured %s", (status, text, tone) => {
    const { container } = render(<SubscriptionBadge status={status} />);
    const badge = container.querySelector(".badge")!;
    expect(badge.textContent).toBe(text);
    expect(badge.className).toContain(tone);
    expect(badge.getAttribute("data-status")).toBe(status);
  });

  it("explains each status, with the bank's reason for a rejection", () => {
    expect(subscriptionExplanation({ status: "ACTIVE" }, true)).toBe("Included with every app; it cannot be removed.");
    expect(subscriptionExplanation({ status: "ACTIVE" }, false)).toBe("The app can call this API.");
    expect(subscriptionExplanation({ status: "PENDING" }, false)).toBe("Waiting for the bank's operations team; you will get an email when it is decided.");
    expect(subscriptionExplanation({ status: "REJECTED", reason: "No merchant agreement yet" }, false)).toBe("The bank did not approve it: No merchant agreement yet");
    expect(subscriptionExplanation({ status: "REJECTED" }, false)).toBe("The bank did not approve it.");
  });

  it("names the step a request waits for only when it has several", () => {
    expect(stepText({ steps: ["Review", "Contract signed"], step: 0 })).toBe("Step 1 of 2: Review");
    expect(stepText({ steps: ["Review", "Contract signed"], step: 1 })).toBe("Step 2 of 2: Contract signed");
    expect(stepText({ steps: undefined, step: 0 })).toBe("");
    expect(stepText({ steps: ["Only"], step: 0 })).toBe("");
  });
});
