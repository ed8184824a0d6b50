import { useCopy } from "../lib/copy";

/**
 * A small "Copy" button for a value shown on the page (a client ID, a URL), with a
 * status line that says it was copied, or how to copy it by hand.
 */
export function CopyButton({ id, what, text }: { id: string; what: string; text: string }) {
  const { copied, copy } = useCopy();
  return (
    <span className="copy-inline">
      <button id={id} type="button" className="button button--secondary button--small" onClick={() => void copy(what, text)}>
        Copy<span className="visually-hidden"> {what}</span>
      </button>
      <span id={`${id}-status`} className="saved-plain" role="status">
        {copied}
      </span>
    </span>
  );
}
