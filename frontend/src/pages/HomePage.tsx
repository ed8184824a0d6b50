import { Link } from "react-router";
import { useAuth } from "../auth/AuthContext";
import { useTitle } from "../lib/hooks";

export function HomePage() {
  useTitle("");
  const { account } = useAuth();
  return (
    <>
      <section className="hero">
        <h1>Build on our open-banking APIs</h1>
        <p className="lead">
          The Open Banking Developer Portal gives third-party providers everything they need to connect to the bank
          through standard Berlin Group NextGenPSD2 interfaces: documentation, a sandbox with test data, and a guided
          path to production.
        </p>
        <div className="cta">
          {account ? (
            <Link className="button button--primary" to="/account">
              My account
            </Link>
          ) : (
            <>
              <Link className="button button--primary" to="/signup">
                Sign up
              </Link>
              <Link className="button button--secondary" to="/login">
                Sign in
              </Link>
            </>
          )}
        </div>
      </section>

      <section aria-labelledby="apis-heading">
        <h2 id="apis-heading">The APIs</h2>
        <ul className="cards">
          <li className="card">
            <h3>Account information (AIS)</h3>
            <p>
              With the customer's consent, read account lists, balances and transaction history for payment accounts,
              following the NextGenPSD2 consent model.
            </p>
          </li>
          <li className="card">
            <h3>Payment initiation (PIS)</h3>
            <p>
              Start SEPA credit transfers, instant payments and periodic payments on the customer's behalf, with strong
              customer authentication handled by the bank.
            </p>
          </li>
          <li className="card">
            <h3>Confirmation of funds (PIIS)</h3>
            <p>Check whether an amount is available on a customer's account before you complete a card-based payment.</p>
          </li>
        </ul>
      </section>

      <section aria-labelledby="steps-heading">
        <h2 id="steps-heading">From sandbox to live</h2>
        <ol className="steps">
          <li>
            <strong>Create your account.</strong> Sign up with your work email. If your organisation is already
            onboarded, ask its owner for the organisation code so you join the same team.
          </li>
          <li>
            <strong>Try the sandbox.</strong> Call every endpoint against simulated customers, accounts and
            authorisation flows — no real money, no real data.
          </li>
          <li>
            <strong>Go live.</strong> Register your eIDAS certificate (QWAC) and your licence as an account information
            or payment initiation service provider, and we will enable production access.
          </li>
        </ol>
      </section>
    </>
  );
}
