import createClient from "openapi-fetch";
import type { paths } from "./schema";
import type { ApiError } from "./types";

export const CSRF_COOKIE = "devportal_csrf";
export const CSRF_HEADER = "X-CSRF-Token";
/** A cheap GET that makes the server set the CSRF cookie. */
export const CSRF_BOOTSTRAP_PATH = "/api/auth/password-policy";

const MUTATING = new Set(["POST", "PUT", "PATCH", "DELETE"]);

/** Reads a cookie value by name from a `document.cookie`-style string. */
export function readCookie(name: string, cookieString: string = document.cookie): string | undefined {
  for (const part of cookieString.split(";")) {
    const eq = part.indexOf("=");
    if (eq < 0) continue;
    if (part.slice(0, eq).trim() === name) {
      const raw = part.slice(eq + 1).trim();
      try {
        return decodeURIComponent(raw);
      } catch {
        return raw;
      }
    }
  }
  return undefined;
}

export interface ApiOptions {
  /** Origin the API is served from; defaults to the page's own origin. */
  baseUrl?: string;
  /** fetch implementation; defaults to the global fetch, looked up on every call. */
  fetch?: (input: Request) => Promise<Response>;
  /** Cookie reader; defaults to `document.cookie`. */
  getCookie?: (name: string) => string | undefined;
  /** Confirms the password when a change needs it; defaults to the installed one. */
  reauthenticate?: Reauthenticator | null;
}

function defaultBaseUrl(): string {
  return typeof window !== "undefined" && window.location ? window.location.origin : "";
}

/** A signed-in read: its answer puts the session's own CSRF token back in the cookie. */
export const CSRF_HEAL_PATH = "/api/account";

/** Where the signed-in user confirms their password for the actions that need it fresh. */
export const CONFIRM_PASSWORD_PATH = "/api/auth/confirm-password";

async function refusedWith(res: Response, code: string): Promise<boolean> {
  if (res.status !== 403) return false;
  try {
    const body: unknown = await res.clone().json();
    return typeof body === "object" && body !== null && (body as { code?: unknown }).code === code;
  } catch {
    return false;
  }
}

/**
 * Asks the user to confirm their password (the portal's dialog) and answers whether they
 * did: the action that needed it is then sent again.
 */
export type Reauthenticator = () => Promise<boolean>;

let reauthenticator: Reauthenticator | null = null;

/** Installs the dialog that confirms the password; null removes it. */
export function setReauthenticator(r: Reauthenticator | null) {
  reauthenticator = r;
}

/**
 * Creates a typed API client. Mutating requests carry the CSRF token from the
 * `devportal_csrf` cookie; if the cookie is missing, a GET to the password policy
 * endpoint is made first so the server sets it.
 *
 * A mutating request refused for its CSRF token is sent once more: the server refuses it
 * before doing anything, and the refusal usually means an answer to an earlier read, sent
 * before the cookie existed, replaced the cookie while this request was on its way. A
 * signed-in read first puts the session's token back.
 *
 * A change refused because it needs the password entered in the last minutes
 * (REAUTHENTICATION_REQUIRED, also before anything is done) asks the user for it through
 * the installed Reauthenticator and, once confirmed, is sent again.
 */
export function createApi(options: ApiOptions = {}) {
  const baseUrl = options.baseUrl ?? defaultBaseUrl();
  const doFetch = options.fetch ?? ((req: Request) => globalThis.fetch(req));
  const getCookie = options.getCookie ?? ((name: string) => readCookie(name));

  async function drain(path: string): Promise<void> {
    const res = await doFetch(new Request(baseUrl + path, { method: "GET", credentials: "same-origin" }));
    // Drain the body so the connection can be reused.
    await res.text().catch(() => undefined);
  }

  let bootstrapping: Promise<void> | null = null;
  async function ensureCsrfCookie(): Promise<string | undefined> {
    const token = getCookie(CSRF_COOKIE);
    if (token) return token;
    if (!bootstrapping) {
      bootstrapping = drain(CSRF_BOOTSTRAP_PATH).finally(() => {
        bootstrapping = null;
      });
    }
    await bootstrapping;
    return getCookie(CSRF_COOKIE);
  }

  async function withToken(request: Request): Promise<Request> {
    const token = await ensureCsrfCookie();
    if (token) request.headers.set(CSRF_HEADER, token);
    return request;
  }

  async function sendWithToken(request: Request): Promise<Response> {
    const again = request.clone();
    const first = await doFetch(await withToken(request));
    if (!(await refusedWith(first, "CSRF_FAILED"))) return first;
    await drain(CSRF_HEAL_PATH).catch(() => undefined);
    return doFetch(await withToken(again));
  }

  async function send(request: Request): Promise<Response> {
    if (!MUTATING.has(request.method.toUpperCase())) return doFetch(request);
    const again = request.clone();
    const res = await sendWithToken(request);
    const reauth = options.reauthenticate === undefined ? reauthenticator : options.reauthenticate;
    if (!reauth || new URL(request.url).pathname === CONFIRM_PASSWORD_PATH || !(await refusedWith(res, "REAUTHENTICATION_REQUIRED"))) return res;
    if (!(await reauth())) return res;
    return sendWithToken(again);
  }

  const client = createClient<paths>({
    baseUrl,
    credentials: "same-origin",
    fetch: send,
    headers: { Accept: "application/json" },
  });
  return client;
}

export type Api = ReturnType<typeof createApi>;

/** The client used by the application. */
export const api: Api = createApi();

export type ApiResult<T> =
  | { ok: true; status: number; data: T }
  | { ok: false; status: number; error: ApiError };

function isApiError(value: unknown): value is ApiError {
  return (
    typeof value === "object" &&
    value !== null &&
    typeof (value as { code?: unknown }).code === "string" &&
    typeof (value as { message?: unknown }).message === "string"
  );
}

/** Message shown when the request never got an answer from our server. */
export const NETWORK_ERROR_MESSAGE = "We could not reach the server. Check your connection and try again.";

/** Turns anything the server sent back into the documented error shape. */
export function toApiError(status: number, body: unknown): ApiError {
  if (isApiError(body)) {
    return {
      code: body.code,
      message: body.message,
      fields: Array.isArray(body.fields) ? body.fields : undefined,
      requestId: typeof body.requestId === "string" ? body.requestId : "",
      status,
    };
  }
  return {
    code: `HTTP_${status}`,
    message: `The server returned an unexpected response (HTTP ${status}). Please try again later.`,
    requestId: "",
    status,
  };
}

/**
 * Awaits an openapi-fetch call and returns a discriminated result.
 * Network failures and unreadable responses become an error result instead of throwing.
 */
export async function call<T>(
  request: Promise<{ data?: T; error?: unknown; response: Response }>,
): Promise<ApiResult<T>> {
  let result: { data?: T; error?: unknown; response: Response };
  try {
    result = await request;
  } catch {
    return { ok: false, status: 0, error: { code: "NETWORK_ERROR", message: NETWORK_ERROR_MESSAGE, requestId: "", status: 0 } };
  }
  const { response } = result;
  if (response.ok) {
    return { ok: true, status: response.status, data: result.data as T };
  }
  return { ok: false, status: response.status, error: toApiError(response.status, result.error) };
}

/**
 * The reference to quote to support, for a failure on the server's side (5xx) only: a
 * refused input or a missing permission is the user's to fix, and a reference there
 * only adds noise.
 */
export function supportReference(error: ApiError): string | null {
  return error.requestId && error.status !== undefined && error.status >= 500 ? error.requestId : null;
}

/** Field name (JSON body field) → list of messages from the server. */
export type FieldErrors = Record<string, string[]>;

/** Maps an error body's `fields` to messages per field, in server order. */
export function fieldErrorsOf(error: ApiError | null | undefined): FieldErrors {
  const out: FieldErrors = {};
  for (const f of error?.fields ?? []) {
    if (!f || typeof f.field !== "string") continue;
    (out[f.field] ??= []).push(f.message);
  }
  return out;
}
