import { describe, expect, it, vi } from "vitest";
import { api, call, createApi, fieldErrorsOf, readCookie, toApiError, NETWORK_ERROR_MESSAGE } from "./client";
import { fakeServer, json, POLICY } from "../test/fakeServer";

describe("readCookie", () => {
  it("finds a cookie among others and decodes it", () => {
    expect(readCookie("devportal_csrf", "a=1; devportal_csrf=abc%3D%3D; b=2")).toBe("abc==");
    expect(readCookie("devportal_csrf", "a=1; xdevportal_csrf=nope")).toBeUndefined();
    expect(readCookie("devportal_csrf", "")).toBeUndefined();
  });
});

describe("API client CSRF handling", () => {
  it("sends the devportal_csrf cookie as X-CSRF-Token on mutating calls only", async () => {
    document.cookie = "devportal_csrf=tok-123; path=/";
    const { requests } = fakeServer({
      "GET /api/account": () => json(401, { code: "UNAUTHENTICATED", message: "Sign in first.", requestId: "r1" }),
      "POST /api/auth/activation/resend": () => json(202, { message: "If the account exists, we sent an email." }),
      "PATCH /api/account": () => json(401, { code: "UNAUTHENTICATED", message: "Sign in first.", requestId: "r2" }),
      "PUT /api/account/preferences": () => json(401, { code: "UNAUTHENTICATED", message: "Sign in first.", requestId: "r3" }),
    });

    await call(api.GET("/api/account"));
    const resend = await call(api.POST("/api/auth/activation/resend", { body: { email: "a@example.com" } }));
    await call(api.PATCH("/api/account", { body: { fullName: "Ann" } }));
    await call(api.PUT("/api/account/preferences", {
      body: { passwordExpiry: true, requestUpdates: false, certificateExpiry: true, productNews: false },
    }));

    expect(requests.map((r) => `${r.method} ${r.path}`)).toEqual([
      "GET /api/account",
      "POST /api/auth/activation/resend",
      "PATCH /api/account",
      "PUT /api/account/preferences",
    ]);
    expect(requests[0].headers.get("X-CSRF-Token")).toBeNull();
    expect(requests[1].headers.get("X-CSRF-Token")).toBe("tok-123");
    expect(requests[2].headers.get("X-CSRF-Token")).toBe("tok-123");
    expect(requests[3].headers.get("X-CSRF-Token")).toBe("tok-123");
    expect(requests[1].body).toEqual({ email: "a@example.com" });
    expect(resend).toEqual({ ok: true, status: 202, data: { message: "If the account exists, we sent an email." } });
  });

  it("fetches the password policy first when the cookie is missing, then sends the new token", async () => {
    const { requests } = fakeServer({
      "GET /api/auth/password-policy": () => {
        document.cookie = "devportal_csrf=fresh-token; path=/";
        return json(200, POLICY);
      },
      "POST /api/auth/logout": () => new Response(null, { status: 204 }),
    });

    const result = await call(api.POST("/api/auth/logout"));

    expect(requests.map((r) => `${r.method} ${r.path}`)).toEqual(["GET /api/auth/password-policy", "POST /api/auth/logout"]);
    expect(requests[0].headers.get("X-CSRF-Token")).toBeNull();
    expect(requests[1].headers.get("X-CSRF-Token")).toBe("fresh-token");
    expect(result).toEqual({ ok: true, status: 204, data: undefined });
  });

  it("sends a change refused for its token once more, after a signed-in read restored the session's token", async () => {
    document.cookie = "devportal_csrf=replaced-by-a-late-answer; path=/";
    let approvals = 0;
    const { requests } = fakeServer({
      "GET /api/account": () => {
        document.cookie = "devportal_csrf=session-token; path=/";
        return json(200, { email: "ops@bank.example" });
      },
      "POST /api/auth/logout": (req) => {
        approvals++;
        if (req.headers.get("X-CSRF-Token") !== "session-token") {
          return json(403, { code: "CSRF_FAILED", message: "The request is missing its security token.", requestId: "r1" });
        }
        return new Response(null, { status: 204 });
      },
    });

    const result = await call(api.POST("/api/auth/logout"));

    expect(requests.map((r) => `${r.method} ${r.path} ${r.headers.get("X-CSRF-Token")}`)).toEqual([
      "POST /api/auth/logout replaced-by-a-late-answer",
      "GET /api/account null",
      "POST /api/auth/logout session-token",
    ]);
    expect(approvals).toBe(2);
    expect(result).toEqual({ ok: true, status: 204, data: undefined });
  });

  it("sends a change at most twice, and shows the second refusal", async () => {
    document.cookie = "devportal_csrf=stale; path=/";
    const refusal = { code: "CSRF_FAILED", message: "The request is missing its security token.", requestId: "r2" };
    const { requests } = fakeServer({
      "GET /api/account": () => json(401, { code: "UNAUTHENTICATED", message: "Sign in first.", requestId: "r1" }),
      "POST /api/account/password": () => json(403, refusal),
    });

    const result = await call(api.POST("/api/account/password", {
      body: { currentPassword: "a", newPassword: "b", newPasswordConfirmation: "b" },
    }));

    expect(requests.map((r) => `${r.method} ${r.path}`)).toEqual([
      "POST /api/account/password",
      "GET /api/account",
      "POST /api/account/password",
    ]);
    expect(requests[2].body).toEqual({ currentPassword: "a", newPassword: "b", newPasswordConfirmation: "b" });
    expect(result).toEqual({ ok: false, status: 403, error: { ...refusal, status: 403 } });
  });

  it("does not send a change again when it was refused for another reason", async () => {
    document.cookie = "devportal_csrf=tok; path=/";
    const forbidden = { code: "FORBIDDEN", message: "This page is for the bank's operations staff.", requestId: "r3" };
    const { requests } = fakeServer({ "POST /api/auth/logout": () => json(403, forbidden) });

    const result = await call(api.POST("/api/auth/logout"));

    expect(requests.map((r) => `${r.method} ${r.path}`)).toEqual(["POST /api/auth/logout"]);
    expect(result).toEqual({ ok: false, status: 403, error: { ...forbidden, status: 403 } });
  });

  it("uses same-origin credentials and the page origin", async () => {
    const seen: Request[] = [];
    const client = createApi({
      baseUrl: "https://portal.example",
      getCookie: () => "t",
      fetch: async (req) => {
        seen.push(req);
        return json(202, { message: "ok" });
      },
    });
    await client.POST("/api/auth/password/forgot", { body: { email: "x@example.com" } });
    expect(seen).toHaveLength(1);
    expect(seen[0].url).toBe("https://portal.example/api/auth/password/forgot");
    expect(seen[0].credentials).toBe("same-origin");
    expect(seen[0].headers.get("X-CSRF-Token")).toBe("t");
  });
});

describe("error mapping", () => {
  it("maps an error body to a typed error and field errors per JSON field", async () => {
    document.cookie = "devportal_csrf=tok; path=/";
    const body = {
      code: "VALIDATION_FAILED",
      message: "Some fields need attention.",
      fields: [
        { field: "email", rule: "email", message: "Enter a valid email address." },
        { field: "password", rule: "minDigits", message: "Use at least 1 digit." },
        { field: "password", rule: "minSpecial", message: "Use at least 1 special character." },
      ],
      requestId: "req-42",
    };
    fakeServer({ "POST /api/auth/signup": () => json(400, body) });

    const r = await call(
      api.POST("/api/auth/signup", {
        body: { fullName: "A", email: "bad", password: "x", passwordConfirmation: "x", acceptTerms: true },
      }),
    );

    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.status).toBe(400);
    expect(r.error).toEqual({ ...body, status: 400 });
    expect(fieldErrorsOf(r.error)).toEqual({
      email: ["Enter a valid email address."],
      password: ["Use at least 1 digit.", "Use at least 1 special character."],
    });
  });

  it("has no field errors when the body has no fields", () => {
    expect(fieldErrorsOf({ code: "BAD_CREDENTIALS", message: "Wrong email or password.", requestId: "r" })).toEqual({});
    expect(fieldErrorsOf(null)).toEqual({});
  });

  it("turns a non-API error body into a generic error with the status", () => {
    expect(toApiError(502, "<html>Bad gateway</html>")).toEqual({
      code: "HTTP_502",
      message: "The server returned an unexpected response (HTTP 502). Please try again later.",
      requestId: "",
      status: 502,
    });
  });

  it("turns a network failure into an error result instead of throwing", async () => {
    vi.stubGlobal("fetch", vi.fn(async () => {
      throw new TypeError("Failed to fetch");
    }));
    const r = await call(api.GET("/api/account"));
    expect(r).toEqual({ ok: false, status: 0, error: { code: "NETWORK_ERROR", message: NETWORK_ERROR_MESSAGE, requestId: "", status: 0 } });
  });
});
