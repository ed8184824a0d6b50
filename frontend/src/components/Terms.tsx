/** The portal's terms, folded, as every form that asks to accept them shows them. */
export function TermsDetails() {
  return (
    <details className="terms">
      <summary>Read the Terms &amp; Conditions</summary>
      <p>
        The sandbox is provided for development and testing only. Do not send real customer data to the sandbox.
        You are responsible for keeping your credentials confidential. Production access is subject to a separate
        agreement, a valid eIDAS certificate and the licences required by PSD2. We may suspend accounts that misuse
        the portal or its APIs.
      </p>
    </details>
  );
}
