import { useEffect, useRef, useState } from "react";
import type { IssuedSecret } from "../lib/apps";

const HEADING: Record<IssuedSecret["reason"], string> = {
  registered: "Your app is registered: here is its first secret",
  added: "New credential: here is its secret",
  reset: "New secret",
  generated: "Your production secret",
};

interface OneTimeSecretProps {
  issued: IssuedSecret;
  /** The user has stored the secret: the panel goes and the secret with it. */
  onDone: () => void;
}

/**
 * A secret shown this once, with its client ID, a copy button and the server's warning.
 * Focus moves to the panel when it appears, so nobody misses it.
 */
export function OneTimeSecret({ issued, onDone }: OneTimeSecretProps) {
  const { credential: c, reason } = issued;
  const headingRef = useRef<HTMLHeadingElement>(null);
  const [copied, setCopied] = useState("");

  useEffect(() => {
    headingRef.current?.focus();
    headingRef.current?.scrollIntoView?.({ block: "center" });
  }, [c.secret]);

  const copy = async () => {
    try {
      await navigator.clipboard.writeText(c.secret);
      setCopied("Secret copied to the clipboard.");
    } catch {
      setCopied("Your browser did not allow copying: select the secret and copy it.");
    }
  };

  return (
    <section id="secret-panel" className="panel panel--warning secret-panel" aria-labelledby="secret-panel-title" data-client-id={c.clientId}>
      <h3 id="secret-panel-title" ref={headingRef} tabIndex={-1}>
        {HEADING[reason]}
      </h3>
      <p id="secret-warning">
        <strong>{c.warning}</strong>
      </p>
      <dl className="details details--compact">
        <dt>Credential</dt>
        <dd id="secret-name">{c.name}</dd>
        <dt>Client ID</dt>
        <dd>
          <code id="secret-clientId" className="fingerprint">
            {c.clientId}
          </code>
        </dd>
        <dt>Client secret</dt>
        <dd>
          <code id="secret-value" className="fingerprint secret-value">
            {c.secret}
          </code>
        </dd>
      </dl>
      <div className="actions">
        <button id="secret-copy" type="button" className="button button--primary" onClick={() => void copy()}>
          Copy secret
        </button>
        <button id="secret-done" type="button" className="button button--secondary" onClick={onDone}>
          I have stored the secret
        </button>
      </div>
      <p id="secret-copy-status" className="saved-plain" role="status">
        {copied}
      </p>
    </section>
  );
}
