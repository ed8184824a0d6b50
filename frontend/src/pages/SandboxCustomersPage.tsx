import { useEffect, useState } from "react";
import type { SandboxAccount, SandboxBalance, SandboxCustomer, SandboxCustomers } from "../api/sandboxBank";
import { useCopy } from "../lib/copy";
import { formatAmount, formatDate, formatIBAN } from "../lib/format";
import { useTitle } from "../lib/hooks";
import { useTPPAPI } from "../lib/tppapi";

const KIND: Record<SandboxAccount["kind"], string> = {
  current: "Current account",
  savings: "Savings account",
  card: "Card account",
  multicurrency: "Multi-currency account",
};

const CUSTOMER_KIND: Record<SandboxCustomer["kind"], string> = { private: "Private", business: "Business" };

type State = { state: "loading" } | { state: "failed"; message: string } | { state: "loaded"; data: SandboxCustomers };

const FAILED = "The sandbox bank's customers could not be loaded. Reload the page to try again.";

/**
 * Loads the list from the TPP area's browser route, whose address the TPP API description
 * gives (it may be another origin than the portal's deployed): public data, so no
 * credentials go with it.
 */
function useSandboxCustomers(): State {
  const info = useTPPAPI();
  const [state, setState] = useState<State>({ state: "loading" });
  useEffect(() => {
    if (info === undefined) return;
    if (info === null) {
      setState({ state: "failed", message: FAILED });
      return;
    }
    let live = true;
    fetch(new Request(info.sandboxCustomersUrl, { method: "GET", credentials: "omit", headers: { Accept: "application/json" } }))
      .then(async (res) => {
        if (!res.ok) throw new Error(`HTTP ${res.status}`);
        return (await res.json()) as SandboxCustomers;
      })
      .then(
        (data) => live && setState({ state: "loaded", data }),
        () => live && setState({ state: "failed", message: FAILED }),
      );
    return () => {
      live = false;
    };
  }, [info]);
  return state;
}

/** The amounts of one balance type (one per currency for a multi-currency account). */
function amounts(balances: SandboxBalance[], type: string, creditLimitIncluded?: boolean): string[] {
  return balances
    .filter((b) => b.balanceType === type && (creditLimitIncluded === undefined || !!b.creditLimitIncluded === creditLimitIncluded))
    .map((b) => formatAmount(b.balanceAmount.amount, b.balanceAmount.currency));
}

function Lines({ values }: { values: string[] }) {
  if (values.length === 0) return <>—</>;
  return (
    <>
      {values.map((v, i) => (
        <span key={i} className="nowrap">
          {i > 0 && <br />}
          {v}
        </span>
      ))}
    </>
  );
}

/**
 * Who signs what, for multi-level SCA: a business whose accounts need several signatories
 * names its co-signers; a co-signer names the businesses they sign for.
 */
function Signatories({ c, id }: { c: SandboxCustomer; id: string }) {
  const cosigners = [...new Set(c.accounts.flatMap((a) => (a.signatories ?? []).filter((s) => s !== c.login)))];
  return (
    <>
      {cosigners.length > 0 && (
        <p id={`${id}-signatories`} className="hint">
          Its accounts marked with signatures need two signatories (multi-level SCA): a payment from one is <code>PATC</code> after the first signature
          and goes on once the second, distinct signatory authorised it. Sign in as <code>{c.login}</code> for one signature and as{" "}
          {cosigners.map((s, i) => (
            <span key={s}>
              {i > 0 && " or "}
              <code>{s}</code>
            </span>
          ))}{" "}
          for the other, each in an authorisation of its own (<code>POST …/authorisations</code>).
        </p>
      )}
      {c.cosignerFor && c.cosignerFor.length > 0 && (
        <p id={`${id}-cosigner`} className="hint">
          Co-signer of{" "}
          {c.cosignerFor.map((s, i) => (
            <span key={s}>
              {i > 0 && ", "}
              <code>{s}</code>
            </span>
          ))}
          : signs in as <code>{c.login}</code> to give the second signature their payments need.
        </p>
      )}
    </>
  );
}

/** A customer's id in the page: the sign-in name, which is unique, without its dots. */
export const customerId = (login: string) => `customer-${login.replace(/[^A-Za-z0-9_-]/g, "-")}`;

function Customer({ c, onCopy }: { c: SandboxCustomer; onCopy: (what: string, text: string) => void }) {
  const id = customerId(c.login);
  return (
    <section id={id} data-login={c.login} aria-labelledby={`${id}-name`} className="section">
      <h2 id={`${id}-name`}>
        {c.name} <span className="badge badge--neutral">{CUSTOMER_KIND[c.kind] ?? c.kind}</span>
      </h2>
      {c.representative && <p className="muted">Acts through {c.representative}.</p>}
      <Signatories c={c} id={id} />
      <dl className="details details--compact">
        <dt>Sign-in name</dt>
        <dd>
          <code id={`${id}-login`}>{c.login}</code>{" "}
          <button id={`${id}-copy-login`} type="button" className="button button--secondary button--small" onClick={() => onCopy("Sign-in name", c.login)}>
            Copy<span className="visually-hidden"> the sign-in name {c.login}</span>
          </button>
        </dd>
        <dt>Password</dt>
        <dd>
          <code id={`${id}-password`}>{c.password}</code>
        </dd>
        <dt>One-time code</dt>
        <dd>
          <code id={`${id}-otp`}>{c.otp}</code>
        </dd>
      </dl>
      {c.accounts.length === 0 ? (
        <p id={`${id}-no-accounts`}>No accounts: signing in works, but there is nothing to share.</p>
      ) : (
        <div className="table-wrap">
          <table id={`${id}-accounts`} className="table">
            <caption className="visually-hidden">Accounts of {c.name}</caption>
            <thead>
              <tr>
                <th scope="col">Account</th>
                <th scope="col">Type</th>
                <th scope="col">Currency</th>
                <th scope="col">IBAN or card</th>
                <th scope="col">Booked</th>
                <th scope="col">Available</th>
              </tr>
            </thead>
            <tbody>
              {c.accounts.map((a) => {
                const withLimit = amounts(a.balances, "interimAvailable", true);
                return (
                  <tr key={a.resourceId} data-resource-id={a.resourceId}>
                    <th scope="row">
                      {a.parentId && <span aria-hidden="true">↳ </span>}
                      {a.name}
                      {a.parentId && <span className="muted"> (sub-account)</span>}
                      <br />
                      <span className="muted">{a.product}</span>
                      {a.signatories && a.signatories.length > 0 && (
                        <>
                          <br />
                          <span className="badge badge--neutral">
                            {a.requiredSignatures ?? a.signatories.length} signatures: {a.signatories.join(", ")}
                          </span>
                        </>
                      )}
                    </th>
                    <td>{KIND[a.kind] ?? a.kind}</td>
                    <td>{a.currency === "XXX" ? "Several" : a.currency}</td>
                    <td className="nowrap">
                      {a.iban ? <code className="iban">{formatIBAN(a.iban)}</code> : a.maskedPan ? <code>{a.maskedPan}</code> : "—"}
                    </td>
                    <td>
                      <Lines values={amounts(a.balances, "interimBooked")} />
                    </td>
                    <td>
                      <Lines values={amounts(a.balances, "interimAvailable", false)} />
                      {withLimit.length > 0 && (
                        <span className="muted">
                          <br />
                          with credit limit: {withLimit.join(", ")}
                        </span>
                      )}
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}

/**
 * The sandbox bank's customers: whom a developer signs in as at the bank's pages when
 * their app sends the customer to the authorization endpoint, and which accounts each
 * can share.
 */
export function SandboxCustomersPage() {
  useTitle("Sandbox customers");
  const s = useSandboxCustomers();
  const { copied, copy } = useCopy();
  return (
    <>
      <div className="page-heading">
        <h1>Sandbox customers</h1>
      </div>
      <p>
        When your app sends a customer to the sandbox bank to consent, sign in at the bank's pages as one of these fictitious customers: their sign-in
        name, the password, then the one-time code. Payments from the business accounts that need two signatories take one authorisation from
        each: the business and its co-signer, both listed here.
      </p>
      {s.state === "loading" && (
        <p className="loading" role="status">
          Loading the sandbox bank's customers…
        </p>
      )}
      {s.state === "failed" && (
        <p id="sandbox-customers-error" className="panel panel--error" role="alert">
          {s.message}
        </p>
      )}
      {s.state === "loaded" && (
        <>
          <p id="sandbox-customers-date" className="hint">
            {s.data.bank} (BIC <code>{s.data.bic}</code>). Balances as the bank opened on {formatDate(s.data.date)}; payments you make in the sandbox change
            them: read the current ones with <code>GET /v1/accounts/{"{account-id}"}/balances</code>.
          </p>
          <p className="saved-plain" role="status">
            {copied}
          </p>
          {s.data.customers.map((c) => (
            <Customer key={c.login} c={c} onCopy={(what, text) => void copy(what, text)} />
          ))}
        </>
      )}
    </>
  );
}
