import { useEffect, useState, type FormEvent } from "react";
import { Link, useNavigate } from "react-router";
import { api, call, type FieldErrors } from "../api/client";
import type { ApiError, CertificatePreview, Environment, OnboardingRequest } from "../api/types";
import { useAuth } from "../auth/AuthContext";
import { CertificateDetails } from "../components/CertificateDetails";
import { CertificateRules, ONBOARDING_RULES } from "../components/CertificateRules";
import { ChoiceGroup, TextAreaField, TextField } from "../components/Field";
import { FormAlert } from "../components/FormAlert";
import { SandboxCertificates, type IssuedCertificates } from "../components/SandboxCertificates";
import { useApiForm, useDebounced, useTitle } from "../lib/hooks";
import { SERVICES } from "../lib/orgs";
import { useOrganizations } from "../orgs/OrganizationsContext";
import { limitOf } from "../lib/limits";
import { holdsPrivateKey, privateKeyWarning } from "../lib/privatekey";
import { CertificateFile } from "../components/CertificateFile";

/** How long the certificate fields must stay unchanged before they are checked. */
export const PREVIEW_DELAY_MS = 500;

export const SUBMITTED_NOTICE = "Submitted: the bank's operations team will review it; you will get an email";

/** Said when the onboarding came back a draft: the certificates' keys are not proven yet. */
export const DRAFT_NOTICE =
  "Saved as a draft: prove that you hold the private keys of both certificates below, and the onboarding goes to the bank. Test certificates the portal issued to you need no proof.";

const FIELDS = ["firstName", "lastName", "company", "email", "phone", "roles", "environment", "qwac", "qsealc"] as const;
const CERT_FIELDS = ["roles", "qwac", "qsealc"] as const;

const EMPTY: OnboardingRequest = {
  firstName: "",
  lastName: "",
  company: "",
  email: "",
  phone: "",
  roles: [],
  environment: "sandbox",
  qwac: "",
  qsealc: "",
};

/** "roles[1]" is reported next to the roles too. */
const fieldOf = (name: string) => (name.startsWith("roles[") ? "roles" : name);

function groupFields(fields: FieldErrors): FieldErrors {
  const out: FieldErrors = {};
  for (const [name, messages] of Object.entries(fields)) (out[fieldOf(name)] ??= []).push(...messages);
  return out;
}

export function OnboardPage() {
  useTitle("Onboard your organization");
  const { signedOut } = useAuth();
  const { reload } = useOrganizations();
  const navigate = useNavigate();
  const { busy, error, fields: submitFields, submit } = useApiForm("onboard");
  const [form, setForm] = useState<OnboardingRequest>(EMPTY);
  const set = <K extends keyof OnboardingRequest>(key: K) => (value: OnboardingRequest[K]) => setForm((f) => ({ ...f, [key]: value }));

  // Certificate check while the user pastes: what the certificates say and what onboarding would refuse.
  // The environment decides which CAs are trusted (production: the live truststore only).
  const certKey = JSON.stringify({ roles: form.roles, qwac: form.qwac, qsealc: form.qsealc, environment: form.environment });
  const settledKey = useDebounced(certKey, PREVIEW_DELAY_MS);
  const [preview, setPreview] = useState<CertificatePreview | null>(null);
  const [previewError, setPreviewError] = useState<ApiError | null>(null);
  const [checking, setChecking] = useState(false);
  // The certificate fields as they were at the last failed submit: its errors stand until they change.
  const [submittedKey, setSubmittedKey] = useState<string | null>(null);

  useEffect(() => {
    const body = JSON.parse(settledKey) as Pick<OnboardingRequest, "roles" | "qwac" | "qsealc" | "environment">;
    // A pasted private key is never sent, not even to be checked.
    if ((!body.qwac.trim() && !body.qsealc.trim()) || holdsPrivateKey(body.qwac) || holdsPrivateKey(body.qsealc)) {
      setPreview(null);
      setPreviewError(null);
      setChecking(false);
      return;
    }
    let live = true;
    setChecking(true);
    void call(api.POST("/api/organizations/certificates/preview", { body })).then((r) => {
      if (!live) return;
      setChecking(false);
      if (r.ok) {
        setPreview(r.data);
        setPreviewError(null);
      } else {
        if (r.status === 401) signedOut();
        setPreviewError(r.error);
      }
    });
    return () => {
      live = false;
    };
  }, [settledKey, signedOut]);

  // Problems the preview found; "required" only means a field is not filled in yet.
  const previewFields: FieldErrors = {};
  for (const f of preview?.errors ?? []) {
    if (f.rule === "required") continue;
    (previewFields[fieldOf(f.field)] ??= []).push(f.message);
  }
  const submitted = groupFields(submitFields);
  const useSubmitted = submittedKey !== null && submittedKey === certKey;
  const keyIn = (name: string) => (name === "qwac" ? holdsPrivateKey(form.qwac) : name === "qsealc" ? holdsPrivateKey(form.qsealc) : false);
  const errorsFor = (name: string): string[] | undefined => {
    if (keyIn(name)) return [privateKeyWarning(name === "qwac" ? "your QWAC" : "your QSealC")];
    if ((CERT_FIELDS as readonly string[]).includes(name) && !useSubmitted) return previewFields[name];
    return submitted[name];
  };

  const onSubmit = async (e: FormEvent) => {
    e.preventDefault();
    if (keyIn("qwac") || keyIn("qsealc")) {
      document.getElementById(keyIn("qwac") ? "onboard-qwac" : "onboard-qsealc")?.focus();
      return;
    }
    const keyAtSubmit = certKey;
    const r = await submit(() => api.POST("/api/organizations", { body: form }));
    if (!r) return;
    if (r.ok) {
      await reload();
      const notice = r.data.request ? SUBMITTED_NOTICE : DRAFT_NOTICE;
      navigate(`/organizations/${encodeURIComponent(r.data.organization.id)}${r.data.request ? "" : "#onboarding-possession"}`, { state: { notice } });
      return;
    }
    setSubmittedKey(keyAtSubmit);
    if (r.status === 401) signedOut();
  };

  const onIssued = (issued: IssuedCertificates) =>
    setForm((f) => ({
      ...f,
      company: f.company.trim() ? f.company : issued.organizationName,
      roles: f.roles.length ? f.roles : issued.roles,
      qwac: issued.qwac.certificatePem,
      qsealc: issued.qsealc?.certificatePem ?? f.qsealc,
    }));

  // The rules shown are the chosen environment's.
  const environment: Environment = form.environment === "production" ? "production" : "sandbox";
  const shown = [...FIELDS, ...(error?.fields ?? []).map((f) => f.field).filter((f) => f.startsWith("roles["))];
  const problems = preview ? preview.errors.filter((f) => f.rule !== "required").length : 0;

  return (
    <>
      <h1>Onboard your organization</h1>
      <p className="lead">
        Register your organization as a third-party provider. The bank's operations team checks your eIDAS certificates
        and your authorisation, then activates the organization; you become its owner.
      </p>
      <p>
        Already onboarded by a colleague? <Link to="/organizations">Join it with its organization code</Link> instead.
      </p>

      <SandboxCertificates company={form.company} services={form.roles} onIssued={onIssued} />

      <section aria-labelledby="onboard-heading" className="section">
        <h2 id="onboard-heading">Onboarding request</h2>
        <form id="onboard-form" noValidate onSubmit={onSubmit}>
          <FormAlert form="onboard" error={error} shownFields={shown} />
          <fieldset className="field-group">
            <legend>Contact person</legend>
            <div className="field-row">
              <TextField form="onboard" name="firstName" label="First name" autoComplete="given-name" required limit={limitOf("POST /api/organizations", "firstName")} value={form.firstName} onValueChange={set("firstName")} errors={errorsFor("firstName")} />
              <TextField form="onboard" name="lastName" label="Last name" autoComplete="family-name" required limit={limitOf("POST /api/organizations", "lastName")} value={form.lastName} onValueChange={set("lastName")} errors={errorsFor("lastName")} />
            </div>
            <TextField form="onboard" name="email" type="email" label="Email" hint="Where the bank sends its decision." autoComplete="email" required value={form.email} onValueChange={set("email")} errors={errorsFor("email")} />
            <TextField form="onboard" name="phone" label="Phone" autoComplete="tel" inputMode="tel" required limit={limitOf("POST /api/organizations", "phone")} value={form.phone} onValueChange={set("phone")} errors={errorsFor("phone")} />
          </fieldset>
          <TextField
            form="onboard"
            name="company"
            label="Company"
            hint="Your organization's legal name, as on your certificates."
            autoComplete="organization"
            required
            limit={limitOf("POST /api/organizations", "company")}
            value={form.company}
            onValueChange={set("company")}
            errors={errorsFor("company")}
          />
          <ChoiceGroup
            form="onboard"
            name="roles"
            type="checkbox"
            legend="Services"
            hint="Both certificates must carry the PSD2 role of each service you request."
            options={SERVICES.map((s) => ({ value: s.value, label: s.label, hint: `PSD2 role ${s.role}` }))}
            values={form.roles}
            onValuesChange={set("roles")}
            errors={errorsFor("roles")}
          />
          <ChoiceGroup
            form="onboard"
            name="environment"
            type="radio"
            legend="Environment"
            options={[
              { value: "sandbox", label: "Sandbox", hint: "Simulated customers and test data" },
              { value: "production", label: "Production", hint: "Real customers; needs qualified certificates" },
            ]}
            value={form.environment}
            onValueChange={set("environment")}
            errors={errorsFor("environment")}
          />
          <CertificateRules id="onboard-rules" environment={environment} rules={ONBOARDING_RULES[environment]} />
          <fieldset className="field-group">
            <legend>eIDAS certificates</legend>
            <p className="hint">
              Paste each certificate as PEM (with its BEGIN CERTIFICATE and END CERTIFICATE lines) or as base64 without
              headers. Only the certificates: never paste a private key. No certificates yet?{" "}
              <a href="#sandboxcert">Issue test certificates</a>.
            </p>
            <p id="onboard-possession-hint" className="hint">
              The bank sees the request once you have proven that you hold both private keys: after you submit, you sign a
              challenge with each key. Test certificates the portal issued to you are proven already.
            </p>
            <TextAreaField
              form="onboard"
              name="qwac"
              label="QWAC (website authentication certificate)"
              mono
              rows={8}
              required
              value={form.qwac}
              onValueChange={set("qwac")}
              errors={errorsFor("qwac")}
              after={
                <>
                  {preview?.qwac && <CertificateDetails id="qwac-details" title="What your QWAC says" certificate={preview.qwac} />}
                  <CertificateFile id="onboard-qwac-file" label="Or choose your QWAC's file (PEM, CRT, CER or DER)" onLoaded={set("qwac")} />
                </>
              }
            />
            <TextAreaField
              form="onboard"
              name="qsealc"
              label="QSealC (electronic seal certificate)"
              mono
              rows={8}
              required
              value={form.qsealc}
              onValueChange={set("qsealc")}
              errors={errorsFor("qsealc")}
              after={
                <>
                  {preview?.qsealc && <CertificateDetails id="qsealc-details" title="What your QSealC says" certificate={preview.qsealc} />}
                  <CertificateFile id="onboard-qsealc-file" label="Or choose your QSealC's file (PEM, CRT, CER or DER)" onLoaded={set("qsealc")} />
                </>
              }
            />
            <p id="onboard-preview-status" className="muted" role="status" aria-live="polite">
              {checking
                ? "Checking your certificates…"
                : previewError
                  ? `We could not check your certificates: ${previewError.message}`
                  : preview
                    ? problems === 0
                      ? "Checked your certificates: no problems found."
                      : `Checked your certificates: ${problems} ${problems === 1 ? "problem" : "problems"} to fix.`
                    : ""}
            </p>
          </fieldset>
          <div className="actions">
            <button type="submit" className="button button--primary" disabled={busy} aria-busy={busy || undefined}>
              Submit for approval
            </button>
            <Link to="/organizations">Cancel</Link>
          </div>
        </form>
      </section>
    </>
  );
}
