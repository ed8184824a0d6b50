// Types derived from the generated OpenAPI schema, by path (never by component name),
// so they stay valid whatever names the Go generator gives its component schemas.
import type { paths } from "./schema";

type JsonOf<T> = T extends { content: { "application/json": infer B } } ? B : never;

export type Account = JsonOf<paths["/api/account"]["get"]["responses"][200]>;
export type Preferences = Account["preferences"];
export type PasswordPolicy = JsonOf<paths["/api/auth/password-policy"]["get"]["responses"][200]>;
export type LoginResponse = JsonOf<paths["/api/auth/login"]["post"]["responses"][200]>;
export type SignupRequest = JsonOf<paths["/api/auth/signup"]["post"]["requestBody"]>;
export type DevMailList = JsonOf<paths["/api/dev/mail"]["get"]["responses"][200]>;
export type DevMail = DevMailList["messages"][number];

/** Shape of every error body the API returns (see the API contract). */
export interface ApiFieldError {
  field: string;
  rule: string;
  message: string;
}

export interface ApiError {
  code: string;
  message: string;
  fields?: ApiFieldError[];
  requestId: string;
}
