import type { ApprovalStatus, MemberRole, OrganizationStatus } from "../api/types";

export const ROLE_LABEL: Record<string, string> = {
  OWNER: "Owner",
  ADMIN: "Administrator",
  DEVELOPER: "App Developer",
  VIEWER: "Viewer",
};

export const ROLE_HINT: Record<string, string> = {
  ADMIN: "Invites and removes members and changes their roles",
  DEVELOPER: "Builds apps; sees the members",
  VIEWER: "Read-only; never sees client IDs",
};

/** Roles an owner or administrator can give; the owner role only moves by a transfer. */
export const ASSIGNABLE_ROLES = ["ADMIN", "DEVELOPER", "VIEWER"] as const;

export const ORG_STATUS_LABEL: Record<string, string> = {
  DRAFT: "Draft",
  PENDING_APPROVAL: "Pending approval",
  ACTIVE: "Active",
  REJECTED: "Rejected",
  OFFBOARDED: "Offboarded",
};

export const REQUEST_STATUS_LABEL: Record<string, string> = {
  PENDING: "Pending",
  DECIDING: "Being applied",
  APPROVED: "Approved",
  REJECTED: "Rejected",
  EXPIRED: "Expired",
  FAILED: "Failed",
};

export const INVITATION_STATUS_LABEL: Record<string, string> = {
  PENDING: "Pending",
  ACCEPTED: "Accepted",
  REVOKED: "Revoked",
  EXPIRED: "Expired",
};

export const REQUEST_KIND_LABEL: Record<string, string> = {
  ONBOARDING: "Onboarding",
  RENAME: "Rename",
  OFFBOARDING: "Offboarding",
  SUBSCRIPTION: "Subscription",
  GO_LIVE: "Go-live",
  APP_CHANGE: "Live app change",
  CERTIFICATE_RENEWAL: "Certificate renewal",
};

export const SERVICES = [
  { value: "AIS", label: "Account information (AIS)", role: "PSP_AI" },
  { value: "PIS", label: "Payment initiation (PIS)", role: "PSP_PI" },
  { value: "PIIS", label: "Confirmation of funds (PIIS)", role: "PSP_IC" },
] as const;

export const PSD2_ROLE_LABEL: Record<string, string> = {
  PSP_AS: "account servicing",
  PSP_PI: "payment initiation",
  PSP_AI: "account information",
  PSP_IC: "issuing of card-based payment instruments",
};

export const ENVIRONMENT_LABEL: Record<string, string> = { sandbox: "sandbox", production: "production" };

/** Tone of a status badge: its colour, always paired with the status text. */
export function statusTone(status: OrganizationStatus | ApprovalStatus | string): "success" | "warning" | "error" | "neutral" {
  switch (status) {
    case "ACTIVE":
    case "APPROVED":
    case "ACCEPTED":
      return "success";
    case "PENDING_APPROVAL":
    case "PENDING":
    case "DECIDING":
      return "warning";
    case "REJECTED":
      return "error";
    default:
      return "neutral";
  }
}

/** What a role may do in the UI; the server enforces the same matrix. */
export function can(role: MemberRole | string | undefined) {
  const owner = role === "OWNER";
  const admin = role === "ADMIN";
  return {
    manageMembers: owner || admin,
    invite: owner || admin,
    seeCode: owner || admin,
    seeAudit: owner || admin,
    regenerateCode: owner,
    changeOwner: owner,
    rename: owner,
    offboard: owner,
    renewCertificates: owner || admin,
    leave: !owner && role !== undefined,
  };
}

const STORAGE_KEY = "devportal.organization";

/** The organization last chosen in the switcher (its id only). */
export function rememberedOrganization(): string | null {
  try {
    return window.localStorage.getItem(STORAGE_KEY);
  } catch {
    return null;
  }
}

export function rememberOrganization(id: string | null) {
  try {
    if (id) window.localStorage.setItem(STORAGE_KEY, id);
    else window.localStorage.removeItem(STORAGE_KEY);
  } catch {
    // Storage can be unavailable (private mode); the switcher then just forgets.
  }
}
