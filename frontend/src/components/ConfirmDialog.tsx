import { useEffect, useRef, type KeyboardEvent, type ReactNode } from "react";
import { createPortal } from "react-dom";

interface ConfirmDialogProps {
  /** Dialog id; its buttons are `<id>-confirm` and `<id>-cancel`. */
  id: string;
  open: boolean;
  title: ReactNode;
  /** What will happen, in plain words. */
  children: ReactNode;
  confirmLabel: string;
  cancelLabel?: string;
  /** Styles the confirm button as dangerous (remove, revoke, offboard...). */
  destructive?: boolean;
  busy?: boolean;
  /** The id of the element focus starts on, where that is what the user came to do (a field to fill); Cancel otherwise. */
  initialFocus?: string;
  onConfirm: () => void;
  onCancel: () => void;
}

const FOCUSABLE = 'button:not([disabled]), [href], input:not([disabled]), select:not([disabled]), textarea:not([disabled]), [tabindex]:not([tabindex="-1"])';

/**
 * A modal confirmation: role="dialog" with aria-modal, labelled by its title and described
 * by its text. Focus starts on Cancel (the safe choice), stays inside while open (the rest
 * of the page is made inert) and returns to where it was on close. Escape cancels.
 */
export function ConfirmDialog({ id, open, title, children, confirmLabel, cancelLabel = "Cancel", destructive, busy, initialFocus, onConfirm, onCancel }: ConfirmDialogProps) {
  const dialogRef = useRef<HTMLDivElement>(null);
  const cancelRef = useRef<HTMLButtonElement>(null);

  useEffect(() => {
    if (!open) return;
    const previous = document.activeElement as HTMLElement | null;
    const host = dialogRef.current?.parentElement ?? null;
    // Everything else on the page is out of reach while the dialog is open.
    const inerted: Element[] = [];
    for (const el of Array.from(document.body.children)) {
      if (el !== host && !el.hasAttribute("inert")) {
        el.setAttribute("inert", "");
        inerted.push(el);
      }
    }
    const start = initialFocus ? document.getElementById(initialFocus) : null;
    (start ?? cancelRef.current)?.focus();
    return () => {
      for (const el of inerted) el.removeAttribute("inert");
      if (previous && document.contains(previous)) previous.focus();
    };
  }, [open, initialFocus]);

  if (!open) return null;

  const onKeyDown = (e: KeyboardEvent<HTMLDivElement>) => {
    if (e.key === "Escape") {
      e.stopPropagation();
      if (!busy) onCancel();
      return;
    }
    if (e.key !== "Tab" || !dialogRef.current) return;
    const items = Array.from(dialogRef.current.querySelectorAll<HTMLElement>(FOCUSABLE));
    if (items.length === 0) return;
    const first = items[0];
    const last = items[items.length - 1];
    if (e.shiftKey && document.activeElement === first) {
      e.preventDefault();
      last.focus();
    } else if (!e.shiftKey && document.activeElement === last) {
      e.preventDefault();
      first.focus();
    }
  };

  return createPortal(
    <div className="dialog-backdrop">
      <div
        ref={dialogRef}
        id={id}
        role="dialog"
        aria-modal="true"
        aria-labelledby={`${id}-title`}
        aria-describedby={`${id}-body`}
        className="dialog"
        onKeyDown={onKeyDown}
      >
        <h2 id={`${id}-title`} className="dialog-title">
          {title}
        </h2>
        <div id={`${id}-body`} className="dialog-body">
          {children}
        </div>
        <div className="actions dialog-actions">
          <button
            id={`${id}-confirm`}
            type="button"
            className={`button ${destructive ? "button--danger" : "button--primary"}`}
            onClick={onConfirm}
            disabled={busy}
            aria-busy={busy || undefined}
          >
            {confirmLabel}
          </button>
          <button ref={cancelRef} id={`${id}-cancel`} type="button" className="button button--secondary" onClick={onCancel} disabled={busy}>
            {cancelLabel}
          </button>
        </div>
      </div>
    </div>,
    document.body,
  );
}
