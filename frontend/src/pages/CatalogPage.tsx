import { Link } from "react-router";
import { api } from "../api/client";
import type { Product } from "../api/types";
import { useAuth } from "../auth/AuthContext";
import { useLoad, useTitle } from "../lib/hooks";
import { PSD2_ROLE_LABEL } from "../lib/orgs";

const number = new Intl.NumberFormat("en-GB");

/** What a subscription to the product takes, in a developer's words. */
export function approvalText(p: Product): string {
  if (p.mandatory) return "Included in every app, nothing to request.";
  return p.approval === "operations"
    ? "The bank reviews each subscription before it becomes active."
    : "Active as soon as you subscribe, when your organization holds the role.";
}

/** The PSD2 role the organization's QWAC must carry for the product. */
export function roleText(p: Product): string {
  if (!p.requiredRole) return "None";
  const label = PSD2_ROLE_LABEL[p.requiredRole];
  return label ? `${p.requiredRole} (${label})` : p.requiredRole;
}

/**
 * The public API catalog: every product the bank offers, the PSD2 role it needs, who
 * approves a subscription, and its plan in each environment, so that visitors can see
 * what they would get before they sign up.
 */
export function CatalogPage() {
  useTitle("APIs and products");
  const { account } = useAuth();
  const catalog = useLoad(() => api.GET("/api/products"), []);

  return (
    <>
      <h1>APIs and products</h1>
      <p className="lead">
        Every app subscribes to the products it calls, one plan per environment: the sandbox plan while you build, the
        production plan once your app goes live.
      </p>
      <p>
        The PSD2 products need your organization's eIDAS certificate (QWAC) to carry the matching role. Read the{" "}
        <Link to="/docs/tpp-api">API reference</Link> for every endpoint, or follow{" "}
        <Link to="/docs/getting-started">getting started</Link> to a first sandbox call.
      </p>
      {catalog.error ? (
        <div id="catalog-error" role="alert" className="alert alert--error">
          <p className="alert-message">We could not load the catalog. Please try again in a moment.</p>
        </div>
      ) : !catalog.data ? (
        <p className="loading" role="status">
          Loading the catalog…
        </p>
      ) : (
        <ul className="product-list" id="catalog">
          {catalog.data.products.map((p) => (
            <li key={p.id} id={`product-${p.id}`} className="card product">
              <h2 id={`product-${p.id}-name`}>{p.name}</h2>
              <p>{p.description}</p>
              <dl className="card-facts">
                <dt>PSD2 role needed</dt>
                <dd id={`product-${p.id}-role`}>{roleText(p)}</dd>
                <dt>Approval</dt>
                <dd id={`product-${p.id}-approval`}>{approvalText(p)}</dd>
                <dt>OAuth scopes</dt>
                <dd>
                  {p.scopes.map((s, i) => (
                    <span key={s}>
                      {i > 0 && ", "}
                      <code>{s}</code>
                    </span>
                  ))}
                </dd>
              </dl>
              <div className="table-wrap">
                <table className="table" id={`product-${p.id}-plans`}>
                  <caption className="visually-hidden">Plans of {p.name}</caption>
                  <thead>
                    <tr>
                      <th scope="col">Plan</th>
                      <th scope="col">Requests per second</th>
                      <th scope="col">Requests per day</th>
                    </tr>
                  </thead>
                  <tbody>
                    {p.plans.map((pl) => (
                      <tr key={pl.id} data-plan={pl.id}>
                        <th scope="row">{pl.name}</th>
                        <td>{number.format(pl.rateLimitPerSecond)}</td>
                        <td>{number.format(pl.quotaPerDay)}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
            </li>
          ))}
        </ul>
      )}
      {account === null && (
        <p className="cta">
          <Link className="button button--primary" to="/signup">
            Sign up to subscribe
          </Link>
        </p>
      )}
    </>
  );
}
