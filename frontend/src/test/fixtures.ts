import type { Certificate } from "../api/types";

export const ACCOUNT = {
  userId: "u-1",
  email: "ada@example.com",
  fullName: "Ada Lovelace",
  status: "ACTIVE",
  createdAt: "2024-01-02T10:00:00Z",
  activatedAt: "2024-01-02T11:00:00Z",
  passwordChangedAt: "2024-01-02T10:00:00Z",
  passwordExpiresAt: "2024-04-01T10:00:00Z",
  passwordExpiresInDays: 50,
  operations: false,
  preferences: { passwordExpiry: true, requestUpdates: true, certificateExpiry: false, productNews: false },
  mfaEnabled: false,
  mfaSetupRequired: false,
};

export const OPS_ACCOUNT = { ...ACCOUNT, userId: "u-ops", email: "ops@bank.example", fullName: "Olive Ops", operations: true };

export const QWAC: Certificate = {
  subject: {
    commonName: "tpp.example.com",
    organization: "Example TPP",
    country: "BE",
    dn: "organizationIdentifier=PSDBE-NBB-0123456789,CN=tpp.example.com,O=Example TPP,C=BE",
  },
  issuer: { commonName: "Sandbox eIDAS CA", organization: "Open Bank Sandbox", country: "DE", dn: "CN=Sandbox eIDAS CA,O=Open Bank Sandbox,C=DE" },
  serial: "1a2b3c",
  organizationIdentifier: { value: "PSDBE-NBB-0123456789", scheme: "PSD", country: "BE", ncaId: "NBB", nationalId: "0123456789" },
  notBefore: "2025-01-02T10:00:00Z",
  notAfter: "2027-01-02T09:30:00Z",
  keyUsage: ["digitalSignature", "keyEncipherment"],
  extKeyUsage: ["serverAuth", "clientAuth"],
  sha256Fingerprint: "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
  qcCompliance: true,
  qcType: "web",
  psd2: { roles: ["PSP_AI", "PSP_PI"], ncaName: "National Bank of Belgium", ncaId: "BE-NBB" },
};

export const QSEALC: Certificate = {
  ...QWAC,
  serial: "4d5e6f",
  keyUsage: ["digitalSignature", "nonRepudiation"],
  extKeyUsage: [],
  qcType: "eseal",
  sha256Fingerprint: "60303ae22b998861bce3b28f33eec1be758a213c86c93c076dbe9f558c11c752",
};

export const PEM_QWAC = "-----BEGIN CERTIFICATE-----\nMIIBqwac\n-----END CERTIFICATE-----";
export const PEM_QSEALC = "-----BEGIN CERTIFICATE-----\nMIIBqsealc\n-----END CERTIFICATE-----";

/** An active sandbox organization as its owner sees it. */
export const ORGANIZATION = {
  id: "org-1",
  name: "Example TPP",
  environment: "sandbox",
  status: "ACTIVE",
  role: "OWNER",
  contact: { firstName: "Ada", lastName: "Lovelace", email: "ada@example.com", phone: "+32 2 123 45 67" },
  services: ["AIS"],
  organizationIdentifier: "PSDBE-SBX-0123456789",
  members: 1,
  maxMembers: 10,
  createdAt: "2025-03-01T10:00:00Z",
};
