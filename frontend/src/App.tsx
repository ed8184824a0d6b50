import type { ReactNode } from "react";
import { Navigate, Route, Routes } from "react-router";
import { Layout } from "./components/Layout";
import { RequireAuth } from "./components/RequireAuth";
import { AccountPage } from "./pages/AccountPage";
import { ActivatePage } from "./pages/ActivatePage";
import { AppPage } from "./pages/AppPage";
import { AppsPage } from "./pages/AppsPage";
import { CatalogPage } from "./pages/CatalogPage";
import { DocsPage } from "./pages/DocsPage";
import { HelpPage } from "./pages/HelpPage";
import { StatusPage } from "./pages/StatusPage";
import { ChangePasswordPage } from "./pages/ChangePasswordPage";
import { DevMailPage } from "./pages/DevMailPage";
import { ForgotPasswordPage } from "./pages/ForgotPasswordPage";
import { HomePage } from "./pages/HomePage";
import { InvitationAcceptPage } from "./pages/InvitationAcceptPage";
import { LoginPage } from "./pages/LoginPage";
import { NotFoundPage } from "./pages/NotFoundPage";
import { OnboardPage } from "./pages/OnboardPage";
import { OrganizationPage } from "./pages/OrganizationPage";
import { OrganizationsPage } from "./pages/OrganizationsPage";
import { OpsAuditPage } from "./pages/ops/OpsAuditPage";
import { OpsInboxPage } from "./pages/ops/OpsInboxPage";
import { OpsLayout } from "./pages/ops/OpsLayout";
import { OpsOrganizationPage } from "./pages/ops/OpsOrganizationPage";
import { OpsOrganizationsPage } from "./pages/ops/OpsOrganizationsPage";
import { OpsRequestPage } from "./pages/ops/OpsRequestPage";
import { ResendActivationPage } from "./pages/ResendActivationPage";
import { ResetPasswordPage } from "./pages/ResetPasswordPage";
import { SandboxCustomersPage } from "./pages/SandboxCustomersPage";
import { GettingStartedPage } from "./pages/GettingStartedPage";
import { RegistrationGuidePage } from "./pages/RegistrationGuidePage";
import { TPPAPIReferencePage } from "./pages/TPPAPIReferencePage";
import { SignupPage } from "./pages/SignupPage";

const signedIn = (page: ReactNode) => <RequireAuth>{page}</RequireAuth>;

export function AppRoutes() {
  return (
    <Routes>
      <Route element={<Layout />}>
        <Route index element={<HomePage />} />
        <Route path="signup" element={<SignupPage />} />
        <Route path="activate" element={<ActivatePage />} />
        <Route path="activation/resend" element={<ResendActivationPage />} />
        <Route path="login" element={<LoginPage />} />
        <Route path="forgot-password" element={<ForgotPasswordPage />} />
        <Route path="reset-password" element={<ResetPasswordPage />} />
        <Route path="account" element={signedIn(<AccountPage />)} />
        <Route path="account/password" element={signedIn(<ChangePasswordPage />)} />
        <Route path="organizations" element={signedIn(<OrganizationsPage />)} />
        <Route path="organizations/onboard" element={signedIn(<OnboardPage />)} />
        <Route path="organizations/:orgId/:tab?" element={signedIn(<OrganizationPage />)} />
        <Route path="organizations/:orgId/apps" element={signedIn(<AppsPage />)} />
        <Route path="organizations/:orgId/apps/:appId/:tab?" element={signedIn(<AppPage />)} />
        <Route path="invitations/accept" element={<InvitationAcceptPage />} />
        <Route path="sandbox/customers" element={<SandboxCustomersPage />} />
        <Route path="apis" element={<CatalogPage />} />
        <Route path="products" element={<Navigate to="/apis" replace />} />
        <Route path="docs" element={<DocsPage />} />
        <Route path="help" element={<HelpPage />} />
        <Route path="status" element={<StatusPage />} />
        <Route path="docs/tpp-api" element={<TPPAPIReferencePage />} />
        <Route path="docs/getting-started" element={<GettingStartedPage />} />
        <Route path="docs/registration-api" element={<RegistrationGuidePage />} />
        <Route path="ops" element={signedIn(<OpsLayout />)}>
          <Route index element={<OpsInboxPage />} />
          <Route path="requests/:requestId" element={<OpsRequestPage />} />
          <Route path="organizations" element={<OpsOrganizationsPage />} />
          <Route path="organizations/:orgId" element={<OpsOrganizationPage />} />
          <Route path="audit" element={<OpsAuditPage />} />
        </Route>
        <Route path="dev/mail" element={<DevMailPage />} />
        <Route path="*" element={<NotFoundPage />} />
      </Route>
    </Routes>
  );
}
