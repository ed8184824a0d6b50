import { useEffect, useRef, useState } from "react";
import type { IssuedAPIKey } from "../lib/apps";
import { formatDateTime } from "../lib/format";

const HEADING: Record<IssuedAPIKey["reason"], string> = {
  registered: "Your app's API key",
  created: "Your app's API key",
  rotated: "Your new API key",
};

interface OneTimeAPIKeyProps {
  issued: IssuedAPIKey;
  /** The user has stored the key: the panel goes and the key with it. */
  onDone: () => void;
}

/**
 * An API key shown this once, with a copy button, the header it goes in and the server's
 * warning; after a rotation, when the replaced key stops working. Focus moves to the panel
 * when it appears, as with client secrets.
 */
export function OneTimeAPIKey({ issued, onDone }: OneTimeAPIKeyProps) {
  const { apiKey: k, reason, previousExpiresAt } = issued;
  const headingRef = useRef<HTMLHeadingElement>(null);
  const [copied, setCopied] = useState("");

  useEffect(() => {
    headingRef.current?.focus();
    headingRef.current?.scrollIntoView?.({ block: "center" });
  }, [k.key]);

  const copy = async () => {
    try {
      await navigator.clipboard.writeText(k.key);
      setCopied("API key copied to the clipboard.");
    } catch {
      setCopied("Your browser did not allow copying: select the API key and copy it.");
    }
  };

  return (
    <section id="apikey-panel" className="panel panel--warning secret-panel" aria-labelledby="apikey-panel-title">
      <h3 id="apikey-panel-title" ref={headingRef} tabIndex={-1}>
        {HEADING[reason]}
      </h3>
      <p id="apikey-warning">
        <strong>{k.warning}</strong>
      </p>
      <dl className="details details--compact">
        <dt>API key</dt>
        <dd>
          <code id="apikey-value" className="fingerprint secret-value">
            {k.key}
          </code>
        </dd>
        <dt>Send it in the header</dt>
        <dd>
          <code id="apikey-header">{k.header}</code>
        </dd>
      </dl>
      {previousExpiresAt && (
        <p id="apikey-previous">The previous API key keeps working until {formatDateTime(previousExpiresAt)}; switch your app to the new one before then.</p>
      )}
      <div className="actions">
        <button id="apikey-copy" type="button" className="button button--primary" onClick={() => void copy()}>
          Copy API key
        </button>
        <button id="apikey-done" type="button" className="button button--secondary" onClick={onDone}>
          I have stored the API key
        </button>
      </div>
      <p id="apikey-copy-status" className="saved-plain" role="status">
        {copied}
      </p>
    </section>
  );
}
