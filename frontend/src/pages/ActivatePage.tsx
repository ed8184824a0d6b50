import { useEffect, useState } from "react";
import { Link, useSearchParams } from "react-router";
import { api, call, type ApiResult } from "../api/client";
import type { ApiError } from "../api/types";
import { useTitle } from "../lib/hooks";

type ActivateData = { email: string; status: string; message: string };

// One POST per token per page load, even if the effect runs twice (React StrictMode).
const attempts = new Map<string, Promise<ApiResult<ActivateData>>>();

function activate(token: string) {
  let p = attempts.get(token);
  if (!p) {
    p = call(api.POST("/api/auth/activate", { body: { token } }));
    attempts.set(token, p);
  }
  return p;
}

export function ActivatePage() {
  useTitle("Activate your account");
  const [params] = useSearchParams();
  const token = params.get("token") ?? "";
  const [state, setState] = useState<{ kind: "pending" } | { kind: "done"; data: ActivateData } | { kind: "failed"; error: ApiError }>({ kind: "pending" });

  useEffect(() => {
    let live = true;
    setState({ kind: "pending" });
    void activate(token).then((r) => {
      if (!live) return;
      setState(r.ok ? { kind: "done", data: r.data } : { kind: "failed", error: r.error });
    });
    return () => {
      live = false;
    };
  }, [token]);

  return (
    <section className="narrow">
      <h1>Activate your account</h1>
      {state.kind === "pending" && (
        <p className="loading" role="status">
          Activating your account…
        </p>
      )}
      {state.kind === "done" && (
        <div id="activate-success" className="panel panel--success" role="status">
          <p>
            <strong>{state.data.message}</strong>
          </p>
          <p>
            Your account {state.data.email && <strong>{state.data.email}</strong>} is now active.{" "}
            <Link to="/login">Sign in</Link> to get started.
          </p>
        </div>
      )}
      {state.kind === "failed" && (
        <div id="activate-error" className="panel panel--error" role="alert">
          <p>
            <strong>{state.error.message}</strong>
          </p>
          {state.error.code === "LINK_USED" ? (
            <p>
              If you have already activated your account, <Link to="/login">sign in</Link>. Otherwise you can{" "}
              <Link to="/activation/resend">request a new activation link</Link>.
            </p>
          ) : (
            <p>
              <Link to="/activation/resend">Request a new activation link</Link>.
            </p>
          )}
          {state.error.requestId && <p className="alert-ref">Reference: {state.error.requestId}</p>}
        </div>
      )}
    </section>
  );
}
