import { useCallback, useEffect, useState } from "react";
import { api, call } from "../api/client";
import type { ApiError, DevMail } from "../api/types";
import { useTitle } from "../lib/hooks";

export function DevMailPage() {
  useTitle("Dev mailbox");
  const [messages, setMessages] = useState<DevMail[] | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const [loading, setLoading] = useState(true);
  const [loadedAt, setLoadedAt] = useState<Date | null>(null);

  const load = useCallback(async () => {
    setLoading(true);
    const r = await call(api.GET("/api/dev/mail"));
    if (r.ok) {
      setMessages(r.data.messages ?? []);
      setError(null);
      setLoadedAt(new Date());
    } else {
      setError(r.error);
    }
    setLoading(false);
  }, []);

  useEffect(() => {
    void load();
  }, [load]);

  return (
    <>
      <div className="page-heading">
        <h1>Dev mailbox</h1>
        <button id="mail-refresh" type="button" className="button button--secondary" onClick={() => void load()} disabled={loading}>
          Refresh
        </button>
      </div>
      <p>
        Emails the portal has sent while running in local mode, newest first. Nothing here leaves this machine.
        {loadedAt && <span className="muted"> Last refreshed {loadedAt.toLocaleTimeString("en-GB")}.</span>}
      </p>
      <div aria-live="polite" className="visually-hidden">
        {loading ? "Loading emails…" : messages ? `${messages.length} ${messages.length === 1 ? "email" : "emails"}` : ""}
      </div>
      {error && (
        <div id="mail-error" className="alert alert--error" role="alert">
          <p className="alert-message">{error.message}</p>
        </div>
      )}
      {messages && messages.length === 0 && <p id="mail-empty">No emails have been sent yet.</p>}
      {messages && messages.length > 0 && (
        <ol id="mail-list" className="mail-list">
          {messages.map((m) => (
            <li key={m.id} id={`mail-${m.id}`} className="mail">
              <header className="mail-header">
                <h2 className="mail-subject">{m.subject}</h2>
                <dl className="mail-meta">
                  <dt>To</dt>
                  <dd className="mail-to">{m.to.join(", ")}</dd>
                  <dt>From</dt>
                  <dd className="mail-from">{m.from}</dd>
                </dl>
              </header>
              {/* Local-only HTML produced by our own server; rendered directly so its links are clickable. */}
              <article className="mail-body" dangerouslySetInnerHTML={{ __html: m.body }} />
            </li>
          ))}
        </ol>
      )}
    </>
  );
}
