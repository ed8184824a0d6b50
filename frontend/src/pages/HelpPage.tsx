import type { ReactNode } from "react";
import { Link } from "react-router";
import { api } from "../api/client";
import { useLoad, useTitle } from "../lib/hooks";

/** Common questions and their answers; each answer points to where the thing is done. */
export const FAQ: { id: string; question: string; answer: ReactNode }[] = [
  {
    id: "faq-start",
    question: "What do I need to try the sandbox?",
    answer: (
      <>
        A portal account and a sandbox organization. While onboarding the sandbox organization you can have the sandbox
        issue test eIDAS certificates, so you need no real ones. Then register an app and follow{" "}
        <Link to="/docs/getting-started">getting started</Link>.
      </>
    ),
  },
  {
    id: "faq-roles",
    question: "Which PSD2 role does each API need?",
    answer: (
      <>
        Account information needs PSP_AI, payment initiation PSP_PI and confirmation of funds PSP_IC, carried by your
        organization's QWAC. The <Link to="/apis">catalog</Link> lists every product with its role.
      </>
    ),
  },
  {
    id: "faq-unauthorized",
    question: "My calls are refused as unauthorized. What should I check?",
    answer: (
      <>
        That the call presents the app's client certificate, carries the app's API key, and uses the credentials of the
        same environment: sandbox credentials never work in production, nor the other way round. The app also needs an
        active subscription to the product it calls.
      </>
    ),
  },
  {
    id: "faq-secret",
    question: "I lost my client secret. Can I see it again?",
    answer: (
      <>
        No: the portal shows a secret only once and keeps no readable copy. Reset it on your app's page, under
        Credentials, and update your app with the new one.
      </>
    ),
  },
  {
    id: "faq-live",
    question: "How do I go live?",
    answer: (
      <>
        Your organization needs production eIDAS certificates from a qualified trust service provider, with the PSD2
        roles of the products you use. Ask for production access from your sandbox app's page; the bank's operations
        team reviews the request and tells you by email.
      </>
    ),
  },
  {
    id: "faq-team",
    question: "How do colleagues join my organization?",
    answer: (
      <>
        The owner or an administrator invites them by email from the organization's page, or gives them the
        organization's code to enter after they sign up.
      </>
    ),
  },
];

/** Help: the FAQ and how to reach the API support team (as the bank configures it). */
export function HelpPage() {
  useTitle("Help and support");
  const support = useLoad(() => api.GET("/api/support"), []);
  return (
    <>
      <h1>Help and support</h1>
      <section aria-labelledby="faq-heading">
        <h2 id="faq-heading">Frequently asked questions</h2>
        <div className="faq">
          {FAQ.map((f) => (
            <details key={f.id} id={f.id} className="details">
              <summary>{f.question}</summary>
              <p>{f.answer}</p>
            </details>
          ))}
        </div>
      </section>
      <section aria-labelledby="support-heading">
        <h2 id="support-heading">Contact support</h2>
        <p>
          Not answered here? Check the <Link to="/status">sandbox status</Link> first, then write to the API support team.
          Say which organization and app you mean, and add the reference shown with an error, if any. Never send a
          secret, an API key or a private key.
        </p>
        {support.data ? (
          <dl className="card-facts" id="support-contact">
            <dt>Email</dt>
            <dd>
              <a id="support-email" href={`mailto:${support.data.email}`}>
                {support.data.email}
              </a>
            </dd>
            <dt>Hours</dt>
            <dd id="support-hours">{support.data.hours}</dd>
          </dl>
        ) : support.error ? (
          <p id="support-error" role="alert" className="alert alert--error">
            We could not load the support contact. Please try again in a moment.
          </p>
        ) : (
          <p className="loading" role="status">
            Loading the support contact…
          </p>
        )}
      </section>
    </>
  );
}
