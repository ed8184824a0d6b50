import { useCallback, useEffect, useRef, useState, type FormEvent } from "react";
import { api, call, fieldErrorsOf, setReauthenticator, type FieldErrors } from "../api/client";
import type { ApiError } from "../api/types";
import { ConfirmDialog } from "./ConfirmDialog";
import { TextField } from "./Field";
import { FormAlert } from "./FormAlert";

/**
 * Asks for the signed-in user's password when a change needs it entered in the last
 * minutes (an operations decision, a production secret reset): the API client calls it on
 * REAUTHENTICATION_REQUIRED and sends the change again once the password is confirmed.
 * Cancelling leaves the change undone, with the server's message where it was asked.
 */
export function ReauthDialog() {
  const [open, setOpen] = useState(false);
  const [password, setPassword] = useState("");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiError | null>(null);
  const [fields, setFields] = useState<FieldErrors>({});
  const settle = useRef<((confirmed: boolean) => void) | null>(null);

  useEffect(() => {
    setReauthenticator(
      () =>
        new Promise<boolean>((resolve) => {
          // A second change asking while the dialog is open waits for the same answer.
          const before = settle.current;
          settle.current = (confirmed) => {
            before?.(confirmed);
            resolve(confirmed);
          };
          setPassword("");
          setError(null);
          setFields({});
          setOpen(true);
        }),
    );
    return () => setReauthenticator(null);
  }, []);

  const finish = useCallback((confirmed: boolean) => {
    const done = settle.current;
    settle.current = null;
    setOpen(false);
    setPassword("");
    done?.(confirmed);
  }, []);

  const confirm = async () => {
    setBusy(true);
    const r = await call(api.POST("/api/auth/confirm-password", { body: { password } }));
    setBusy(false);
    if (r.ok) {
      finish(true);
      return;
    }
    setError(r.error);
    setFields(fieldErrorsOf(r.error));
  };

  const onSubmit = (e: FormEvent) => {
    e.preventDefault();
    void confirm();
  };

  return (
    <ConfirmDialog
      id="reauth-dialog"
      open={open}
      title="Confirm your password"
      confirmLabel="Confirm and continue"
      busy={busy}
      initialFocus="reauth-password"
      onConfirm={() => void confirm()}
      onCancel={() => finish(false)}
    >
      <p>This change needs your password entered in the last few minutes, so that nobody can make it from a session left open.</p>
      <form id="reauth-form" noValidate onSubmit={onSubmit}>
        <FormAlert form="reauth" error={error} shownFields={["password"]} />
        <TextField
          form="reauth"
          name="password"
          type="password"
          label="Password"
          autoComplete="current-password"
          required
          value={password}
          onValueChange={setPassword}
          errors={fields.password}
        />
      </form>
    </ConfirmDialog>
  );
}
