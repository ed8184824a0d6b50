import { Link } from "react-router";
import { useTitle } from "../lib/hooks";

/** The documentation's pages, in the order a newcomer reads them. */
export const DOCS = [
  {
    to: "/docs/getting-started",
    title: "Getting started",
    text: "From a certificate to a first account read in the sandbox, command by command.",
  },
  {
    to: "/docs/registration-api",
    title: "Registration through the API",
    text: "Onboard your organization and manage its OAuth clients from your software alone: installation, certificate, device, session, clients.",
  },
  {
    to: "/apis",
    title: "APIs and products",
    text: "What the bank offers, the PSD2 role each product needs and the limits of each plan.",
  },
  {
    to: "/docs/tpp-api",
    title: "TPP API reference",
    text: "Every endpoint of the Berlin Group NextGenPSD2 API and the OAuth2 server, with its headers and bodies.",
  },
  {
    to: "/sandbox/customers",
    title: "Sandbox customers",
    text: "The fictitious customers you sign in as at the sandbox bank, with their accounts.",
  },
  {
    to: "/status",
    title: "Sandbox status",
    text: "Whether the portal and the sandbox are up right now.",
  },
  {
    to: "/help",
    title: "Help and support",
    text: "Answers to common questions, and how to reach the API support team.",
  },
] as const;

/** The documentation index: open to everyone, signed in or not. */
export function DocsPage() {
  useTitle("Documentation");
  return (
    <>
      <h1>Documentation</h1>
      <p className="lead">Everything you need to build on the bank's open-banking APIs, from a first sandbox call to going live.</p>
      <ul className="cards" id="docs-index">
        {DOCS.map((d) => (
          <li key={d.to} className="card">
            <h2 className="card-title">
              <Link to={d.to}>{d.title}</Link>
            </h2>
            <p>{d.text}</p>
          </li>
        ))}
      </ul>
    </>
  );
}
