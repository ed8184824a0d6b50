import type { App } from "../../api/types";
import { formatDateTime } from "../../lib/format";

/**
 * A live app's change that waits for the bank's review: a new name or a new redirect URI
 * applies only once approved. `kind` picks which of the two a section shows.
 */
export function PendingChangeNotice({ app, kind }: { app: App; kind: "name" | "redirectUri" }) {
  const c = app.pendingChange;
  if (!c || !c[kind]) return null;
  return (
    <div id={`pending-${kind}`} className="panel panel--info" role="status">
      <p>
        <strong>Waiting for the bank's review:</strong>{" "}
        {kind === "name" ? (
          <>
            the app will be called <strong>{c.name}</strong> once approved.
          </>
        ) : (
          <>
            <code className="fingerprint">{c.redirectUri}</code> will be added once approved.
          </>
        )}
      </p>
      <p className="muted">
        Asked by {c.requestedBy} on {formatDateTime(c.requestedAt)}. Until the decision, the app keeps working as it is, and no other
        change of its name or redirect URIs can be asked for.
      </p>
    </div>
  );
}

/** Why a live app's name and redirect URIs change only after review. */
export const REVIEWED_CHANGES_TEXT =
  "This app is live: a new name (what customers see when they consent) or a new redirect URI (where their authorizations go) applies once the bank has reviewed it.";
