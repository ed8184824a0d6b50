import { vi } from "vitest";

export interface RecordedRequest {
  method: string;
  path: string;
  headers: Headers;
  body: unknown;
}

type Handler = (req: RecordedRequest) => Response | Promise<Response>;

export function json(status: number, body: unknown): Response {
  return new Response(JSON.stringify(body), { status, headers: { "Content-Type": "application/json" } });
}

export const POLICY = {
  minLength: 12,
  minUpper: 1,
  minLower: 1,
  minDigits: 1,
  minSpecial: 1,
  maxRepeated: 2,
  historySize: 5,
  maxAgeDays: 90,
  expiryWarningDays: [14, 7, 1],
  specialCharacters: "^$*.[]{}()?\"!@#%&/\\,><':;|_~`=+- ",
};

/**
 * Installs a fake `fetch` routing "METHOD /path" to handlers. Unknown routes answer 404
 * with the API error shape. Every request is recorded in order.
 */
export function fakeServer(routes: Record<string, Handler>) {
  const requests: RecordedRequest[] = [];
  const fetchMock = vi.fn(async (input: Request) => {
    const url = new URL(input.url);
    const text = await input.text();
    const req: RecordedRequest = {
      method: input.method,
      path: url.pathname + url.search,
      headers: input.headers,
      body: text ? JSON.parse(text) : undefined,
    };
    requests.push(req);
    const handler = routes[`${req.method} ${url.pathname}`];
    if (!handler) return json(404, { code: "NOT_FOUND", message: "Not found.", requestId: "r-404" });
    return handler(req);
  });
  vi.stubGlobal("fetch", fetchMock);
  return { requests, fetchMock };
}
