import { useCallback, useEffect, useRef, useState } from "react";
import { Link } from "react-router";
import { api } from "../api/client";
import type { Health } from "../api/types";
import { useTitle } from "../lib/hooks";

/** A dependency's name as a developer knows it; the health check names it by its resource. */
export function checkLabel(name: string): string {
  const [kind] = name.split(":", 1);
  switch (kind) {
    case "table":
      return "Portal data";
    case "userPool":
      return "Sign-in";
    case "moto":
      return "Local cloud emulator";
    default:
      return name;
  }
}

type State = { kind: "loading" } | { kind: "unreachable" } | { kind: "answered"; health: Health; at: Date };

/**
 * The sandbox's status, from the health endpoint: its answer is the same shape whether
 * everything is up (200) or something is down (503), so both are shown as they are.
 */
export function StatusPage() {
  useTitle("Sandbox status");
  const [state, setState] = useState<State>({ kind: "loading" });
  const seq = useRef(0);

  const check = useCallback(async () => {
    const mine = ++seq.current;
    setState({ kind: "loading" });
    let next: State;
    try {
      const { data, error, response } = await api.GET("/api/healthz");
      const body = (data ?? error) as Health | undefined;
      next = (response.status === 200 || response.status === 503) && body?.checks ? { kind: "answered", health: body, at: new Date() } : { kind: "unreachable" };
    } catch {
      next = { kind: "unreachable" };
    }
    if (mine === seq.current) setState(next);
  }, []);

  useEffect(() => {
    void check();
    return () => {
      seq.current++;
    };
  }, [check]);

  return (
    <>
      <h1>Sandbox status</h1>
      <p className="lead">Whether the portal and the sandbox behind it are working right now.</p>
      <div aria-live="polite">
        {state.kind === "loading" && (
          <p className="loading" role="status">
            Checking…
          </p>
        )}
        {state.kind === "unreachable" && (
          <div id="status-summary" className="panel panel--error" data-status="unreachable">
            <p>
              <strong>We could not reach the portal's servers.</strong> Check your connection, then check again.
            </p>
          </div>
        )}
        {state.kind === "answered" && (
          <>
            <div
              id="status-summary"
              className={`panel ${state.health.status === "ok" ? "panel--success" : "panel--warning"}`}
              data-status={state.health.status}
            >
              <p>
                <strong>{state.health.status === "ok" ? "Everything is working." : "Some services are unavailable."}</strong>{" "}
                Checked at {state.at.toLocaleTimeString("en-GB")}.
              </p>
            </div>
            <div className="table-wrap">
              <table className="table" id="status-checks">
                <caption className="visually-hidden">State of each service</caption>
                <thead>
                  <tr>
                    <th scope="col">Service</th>
                    <th scope="col">State</th>
                    <th scope="col">Response time</th>
                  </tr>
                </thead>
                <tbody>
                  {state.health.checks.map((c) => (
                    <tr key={c.name} data-check={c.name}>
                      <th scope="row">{checkLabel(c.name)}</th>
                      <td>
                        <span className={`badge badge--${c.status === "up" ? "success" : "error"}`}>{c.status === "up" ? "Working" : "Unavailable"}</span>
                      </td>
                      <td>{c.latencyMs} ms</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          </>
        )}
      </div>
      <p className="actions">
        <button id="status-refresh" type="button" className="button button--secondary" onClick={() => void check()} disabled={state.kind === "loading"}>
          Check again
        </button>
      </p>
      <p>
        Something not working as it should? See <Link to="/help">help and support</Link>.
      </p>
    </>
  );
}
