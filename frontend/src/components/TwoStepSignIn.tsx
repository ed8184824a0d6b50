import { useMemo, useState, type FormEvent } from "react";
import qrcode from "qrcode-generator";
import { api } from "../api/client";
import type { Account, MFASetup } from "../api/types";
import { useAuth } from "../auth/AuthContext";
import { useApiForm } from "../lib/hooks";
import { ConfirmDialog } from "./ConfirmDialog";
import { CopyButton } from "./CopyButton";
import { TextField } from "./Field";
import { FormAlert } from "./FormAlert";

/**
 * The otpauth URI as a QR code: an SVG path of the dark modules, drawn by React (no
 * inline HTML or styles, which the portal's CSP refuses).
 */
export function QRCode({ id, text, label }: { id: string; text: string; label: string }) {
  const { size, path } = useMemo(() => {
    const qr = qrcode(0, "M");
    qr.addData(text);
    qr.make();
    const n = qr.getModuleCount();
    let d = "";
    for (let r = 0; r < n; r++) {
      for (let c = 0; c < n; c++) {
        if (qr.isDark(r, c)) d += `M${c + 4} ${r + 4}h1v1h-1z`;
      }
    }
    return { size: n + 8, path: d };
  }, [text]);
  return (
    <svg id={id} className="qr-code" role="img" aria-label={label} viewBox={`0 0 ${size} ${size}`} width={size * 4} height={size * 4} shapeRendering="crispEdges">
      <rect width={size} height={size} fill="#fff" />
      <path d={path} fill="#000" />
    </svg>
  );
}

/** Groups a base32 secret in fours, as people type it into an authenticator app. */
export function groupSecret(secret: string): string {
  return secret.replace(/(.{4})(?=.)/g, "$1 ");
}

/**
 * The account page's two-step sign-in: set up an authenticator app (its QR code or the
 * secret, then a code it shows) or turn it off (after confirming, with the password
 * confirmed in the last minutes, which the API client asks for).
 */
export function TwoStepSignIn({ account }: { account: Account }) {
  return (
    <section aria-labelledby="mfa-heading" className="section" id="two-step">
      <h2 id="mfa-heading">Two-step sign-in</h2>
      {account.mfaEnabled ? <TurnOff account={account} /> : <SetUp account={account} />}
    </section>
  );
}

function SetUp({ account }: { account: Account }) {
  const { setAccount, signedOut } = useAuth();
  const start = useApiForm("mfa-setup");
  const confirm = useApiForm("mfa-verify");
  const [setup, setSetup] = useState<MFASetup | null>(null);
  const [code, setCode] = useState("");
  const [done, setDone] = useState(false);

  const onStart = async () => {
    const r = await start.submit(() => api.POST("/api/auth/mfa/setup"));
    if (r?.ok) setSetup(r.data);
    else if (r?.status === 401) signedOut();
  };

  const onConfirm = async (e: FormEvent) => {
    e.preventDefault();
    const r = await confirm.submit(() => api.POST("/api/auth/mfa/verify", { body: { code: code.replace(/\s/g, "") } }));
    if (!r) return;
    if (r.ok) {
      setDone(true);
      setAccount(r.data);
    } else if (r.status === 401) {
      signedOut();
    }
  };

  return (
    <>
      {account.mfaSetupRequired && (
        <div id="mfa-required" className="panel panel--warning" role="status">
          <p>
            <strong>Set up two-step sign-in to continue.</strong> As a member of the bank's operations staff you sign in with your password and a code
            from an authenticator app. The operations pages open once it is set up.
          </p>
        </div>
      )}
      <p id="mfa-status">
        Off. With two-step sign-in, signing in needs your password and a 6-digit code from an authenticator app on your phone, so a stolen password alone
        is not enough.
      </p>
      {done && (
        <p id="mfa-done" className="saved" role="status">
          Two-step sign-in is on.
        </p>
      )}
      {!setup ? (
        <div className="actions">
          <FormAlert form="mfa-setup" error={start.error} shownFields={[]} />
          <button id="mfa-start" type="button" className="button button--primary" disabled={start.busy} aria-busy={start.busy || undefined} onClick={() => void onStart()}>
            Set up two-step sign-in
          </button>
        </div>
      ) : (
        <form id="mfa-verify-form" noValidate onSubmit={onConfirm}>
          <ol className="steps">
            <li>
              <p>Scan this QR code with an authenticator app (for example one from your phone's app store).</p>
              <QRCode id="mfa-qr" text={setup.otpauthUri} label="QR code to add this account to an authenticator app" />
            </li>
            <li>
              <p>Or, if you cannot scan it, add an account by hand in the app with this key (time-based):</p>
              <p>
                <code id="mfa-secret">{groupSecret(setup.secret)}</code> <CopyButton id="mfa-secret-copy" what="key" text={setup.secret} />
              </p>
              <p className="hint">
                Account: {setup.account} · Issuer: {setup.issuer}. Keep this key to yourself: anyone who has it can make your codes. It is shown only now.
              </p>
            </li>
            <li>
              <p>Enter the 6-digit code the app shows now.</p>
              <FormAlert form="mfa-verify" error={confirm.error} shownFields={["code"]} />
              <TextField
                form="mfa-verify"
                name="code"
                label="Code from the app"
                inputMode="numeric"
                autoComplete="one-time-code"
                required
                value={code}
                onValueChange={setCode}
                errors={confirm.fields.code}
              />
            </li>
          </ol>
          <div className="actions">
            <button type="submit" className="button button--primary" disabled={confirm.busy} aria-busy={confirm.busy || undefined}>
              Turn on two-step sign-in
            </button>
          </div>
        </form>
      )}
    </>
  );
}

function TurnOff({ account }: { account: Account }) {
  const { setAccount, signedOut } = useAuth();
  const { busy, error, submit } = useApiForm("mfa-disable");
  const [asking, setAsking] = useState(false);

  const onConfirm = async () => {
    const r = await submit(() => api.DELETE("/api/auth/mfa"));
    setAsking(false);
    if (!r) return;
    if (r.ok) setAccount(r.data);
    else if (r.status === 401) signedOut();
  };

  return (
    <>
      <p id="mfa-status">On. Signing in needs your password and a code from your authenticator app.</p>
      {account.operations ? (
        <p id="mfa-kept" className="hint">
          Operations staff keep two-step sign-in on.
        </p>
      ) : (
        <div className="actions">
          <FormAlert form="mfa-disable" error={error} shownFields={[]} />
          <button id="mfa-disable" type="button" className="button button--secondary" disabled={busy} onClick={() => setAsking(true)}>
            Turn off two-step sign-in
          </button>
        </div>
      )}
      <ConfirmDialog
        id="mfa-disable-dialog"
        open={asking}
        title="Turn off two-step sign-in?"
        confirmLabel="Turn off"
        destructive
        busy={busy}
        onConfirm={() => void onConfirm()}
        onCancel={() => setAsking(false)}
      >
        Signing in will need only your password. You may be asked to confirm your password first. We will email you that it was turned off.
      </ConfirmDialog>
    </>
  );
}
