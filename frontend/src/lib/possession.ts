import type { Proof } from "../api/types";
import { formatDateTime } from "./format";

/** How possession of a private key was proven, in words. */
export const PROOF_METHOD_LABEL: Record<string, string> = {
  signature: "by signing a challenge",
  issuance: "by issuance (the sandbox CA issued it with its key)",
  handshake: "by connecting with it to the TPP API",
};

/** "Proven by signing a challenge on 21 November 2026, 10:03 by ann@example.com." */
export function proofText(p: Proof): string {
  return `Proven ${PROOF_METHOD_LABEL[p.method] ?? p.method} on ${formatDateTime(p.at)} by ${p.by}.`;
}

/** Why a certificate needs a proof at all: shown wherever one is asked for. */
export const WHY_PROOF =
  "A certificate is public: anyone can paste it. Signing a challenge with its private key shows that it is yours. The key never leaves your machine: you sign on your side and paste only the signature.";

/** The commands the portal shows, in the order shown, with their labels. */
export const COMMANDS = [
  { key: "rsa", algorithm: "RSA", short: "RSA", label: "RSA key" },
  { key: "rsaPss", algorithm: "RSA", short: "RSA-PSS", label: "RSA key, PSS padding (if your key's policy requires PSS)" },
  { key: "ec", algorithm: "EC", short: "EC", label: "EC key" },
] as const;
