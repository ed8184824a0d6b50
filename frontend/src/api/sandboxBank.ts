// The sandbox bank's customers as the TPP area's browser route GET /sandbox-bank/customers
// answers them (Go: shared/tpp/sandboxcustomers). The route is the TPP area's, not the
// portal API's, so it is not in the portal's OpenAPI document: these types follow the Go
// types, whose exact JSON the route's handler test pins.

/** A Berlin Group balance (schema balance). */
export interface SandboxBalance {
  balanceAmount: { currency: string; amount: string };
  balanceType: string;
  creditLimitIncluded?: boolean;
  lastChangeDateTime?: string;
  referenceDate?: string;
  lastCommittedTransaction?: string;
}

export interface SandboxAccount {
  resourceId: string;
  kind: "current" | "savings" | "card" | "multicurrency";
  name: string;
  product: string;
  currency: string;
  iban?: string;
  maskedPan?: string;
  parentId?: string;
  balances: SandboxBalance[];
  /** The customers (sign-in names) who sign its payments, when it needs several. */
  signatories?: string[];
  /** How many of the signatories must authorise a payment (multi-level SCA). */
  requiredSignatures?: number;
}

export interface SandboxCustomer {
  login: string;
  name: string;
  kind: "private" | "business";
  representative?: string;
  password: string;
  otp: string;
  accounts: SandboxAccount[];
  /** The customers (sign-in names) whose payments this customer co-signs. */
  cosignerFor?: string[];
}

export interface SandboxCustomers {
  bank: string;
  bic: string;
  /** The bank's "today" (YYYY-MM-DD), which the balances are as of. */
  date: string;
  customers: SandboxCustomer[];
}
