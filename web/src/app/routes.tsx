/** Every page of the app: its path, who may see it, and the feature that draws it. A new
 * feature's pages slot in here (and, if it has one, its entry in `NAV`). */
import type { ReactNode } from "react";
import type { RouteObject } from "react-router";

import { ApplicationPage } from "../features/applications/ApplicationPage";
import { ApplicationsPage } from "../features/applications/ApplicationsPage";
import { PreferencesPage } from "../features/applications/PreferencesPage";
import { AlertsPage } from "../features/alerts/AlertsPage";
import { AuditPage } from "../features/audit/AuditPage";
import { MonitoringPage } from "../features/audit/MonitoringPage";
import { SubjectRecordPage } from "../features/audit/SubjectRecordPage";
import { ForgotPasswordPage } from "../features/auth/ForgotPasswordPage";
import { RegisterPage } from "../features/auth/RegisterPage";
import { ResetPasswordPage } from "../features/auth/ResetPasswordPage";
import { SignInPage } from "../features/auth/SignInPage";
import { VerifyEmailPage } from "../features/auth/VerifyEmailPage";
import { CandidatesPage } from "../features/clients/CandidatesPage";
import { ClientApplicationPage } from "../features/clients/ClientApplicationPage";
import { ClientVacanciesPage } from "../features/clients/ClientVacanciesPage";
import { OrganisationPage } from "../features/clients/OrganisationPage";
import { ReceivedPage } from "../features/clients/ReceivedPage";
import { ReviseVacancyPage } from "../features/clients/ReviseVacancyPage";
import { VacancyApplicationsPage } from "../features/clients/VacancyApplicationsPage";
import { DeskRequestPage } from "../features/desk/DeskRequestPage";
import { GuestPage } from "../features/desk/GuestPage";
import { NewRequestPage } from "../features/desk/NewRequestPage";
import { PolicyPage } from "../features/desk/PolicyPage";
import { QueuePage } from "../features/desk/QueuePage";
import { RequestPage } from "../features/desk/RequestPage";
import { RequestsPage } from "../features/desk/RequestsPage";
import { HomePage } from "../features/home/HomePage";
import { NotificationsPage } from "../features/notifications/NotificationsPage";
import { UnsubscribePage } from "../features/notifications/UnsubscribePage";
import { ConsentsPage } from "../features/privacy/ConsentsPage";
import { DisclosuresPage } from "../features/privacy/DisclosuresPage";
import { ErasedPage, ErasurePage } from "../features/privacy/ErasurePage";
import { ExportPage } from "../features/privacy/ExportPage";
import { TransfersPage } from "../features/privacy/TransfersPage";
import { ProfilePage } from "../features/profile/ProfilePage";
import { SecurityPage } from "../features/profile/SecurityPage";
import { ResumePage } from "../features/resume/ResumePage";
import { AccountsPage } from "../features/staff/AccountsPage";
import { LegalDisclosuresPage } from "../features/staff/LegalDisclosuresPage";
import { NoticesPage } from "../features/staff/NoticesPage";
import { OrganisationsPage } from "../features/staff/OrganisationsPage";
import { PoliciesPage } from "../features/staff/PoliciesPage";
import { StaffTransfersPage } from "../features/staff/TransfersPage";
import { MatchesPage } from "../features/vacancies/MatchesPage";
import { VacanciesPage } from "../features/vacancies/VacanciesPage";
import { VacancyPage } from "../features/vacancies/VacancyPage";
import type { AccountRole as Role } from "../lib/auth/session";
import { NotFoundPage } from "./NotFoundPage";
import { RequireRole } from "./RequireRole";

const EVERYONE: Role[] = ["student", "client", "staff", "auditor"];
const only = (roles: Role[], page: ReactNode) => <RequireRole roles={roles}>{page}</RequireRole>;

export const PAGES: RouteObject[] = [
  { index: true, element: <HomePage /> },
  { path: "sign-in", element: <SignInPage /> },
  { path: "register", element: <RegisterPage /> },
  { path: "verify-email", element: <VerifyEmailPage /> },
  { path: "forgot-password", element: <ForgotPasswordPage /> },
  { path: "reset-password", element: <ResetPasswordPage /> },
  { path: "unsubscribe", element: <UnsubscribePage /> },
  { path: "erased", element: <ErasedPage /> },
  { path: "policy", element: <PolicyPage /> },
  { path: "enquiries", element: <GuestPage /> },
  { path: "me", element: only(EVERYONE, <ProfilePage />) },
  { path: "me/security", element: only(EVERYONE, <SecurityPage />) },
  { path: "me/resume", element: only(["student"], <ResumePage />) },
  { path: "me/matches", element: only(["student"], <MatchesPage />) },
  { path: "me/applications", element: only(["student"], <ApplicationsPage />) },
  { path: "me/applications/:applicationId", element: only(["student"], <ApplicationPage />) },
  { path: "me/preferences", element: only(["student"], <PreferencesPage />) },
  { path: "me/requests", element: only(EVERYONE, <RequestsPage />) },
  { path: "me/requests/new", element: only(EVERYONE, <NewRequestPage />) },
  { path: "me/requests/:requestId", element: only(EVERYONE, <RequestPage />) },
  { path: "me/alerts", element: only(["student"], <AlertsPage />) },
  { path: "me/notifications", element: only(EVERYONE, <NotificationsPage />) },
  { path: "me/consents", element: only(["student"], <ConsentsPage />) },
  { path: "me/transfer-objections", element: only(["student"], <TransfersPage />) },
  { path: "me/disclosures", element: only(["student"], <DisclosuresPage />) },
  { path: "me/export", element: only(EVERYONE, <ExportPage />) },
  { path: "me/erase", element: only(EVERYONE, <ErasurePage />) },
  { path: "vacancies", element: only(EVERYONE, <VacanciesPage />) },
  { path: "vacancies/:vacancyId", element: only(EVERYONE, <VacancyPage />) },
  { path: "organisation", element: only(["client"], <OrganisationPage />) },
  { path: "organisation/vacancies", element: only(["client"], <ClientVacanciesPage />) },
  { path: "organisation/vacancies/:vacancyId/edit", element: only(["client"], <ReviseVacancyPage />) },
  { path: "organisation/vacancies/:vacancyId/candidates", element: only(["client", "staff"], <CandidatesPage />) },
  { path: "organisation/vacancies/:vacancyId/applications", element: only(["client"], <VacancyApplicationsPage />) },
  { path: "organisation/applications/:applicationId", element: only(["client"], <ClientApplicationPage />) },
  { path: "organisation/disclosures/:disclosureId", element: only(["client"], <ReceivedPage />) },
  { path: "staff/desk", element: only(["staff"], <QueuePage />) },
  { path: "staff/desk/:requestId", element: only(["staff"], <DeskRequestPage />) },
  { path: "staff/policies", element: only(["staff"], <PoliciesPage />) },
  { path: "staff/country-notices", element: only(["staff"], <NoticesPage />) },
  { path: "staff/transfers", element: only(["staff"], <StaffTransfersPage />) },
  { path: "staff/organisations", element: only(["staff"], <OrganisationsPage />) },
  { path: "staff/accounts", element: only(["staff"], <AccountsPage />) },
  { path: "staff/legal-disclosures", element: only(["staff"], <LegalDisclosuresPage />) },
  { path: "audit", element: only(["auditor", "staff"], <AuditPage />) },
  { path: "audit/subjects", element: only(["auditor", "staff"], <SubjectRecordPage />) },
  { path: "audit/monitoring", element: only(["auditor", "staff"], <MonitoringPage />) },
  { path: "*", element: <NotFoundPage /> },
];

/** The main navigation of each role. */
export const NAV: Record<Role, [string, string][]> = {
  student: [["/vacancies", "nav.vacancies"], ["/me/matches", "nav.matches"], ["/me/resume", "nav.resume"],
    ["/me/applications", "nav.applications"], ["/me/preferences", "nav.preferences"], ["/me/alerts", "nav.alerts"],
    ["/me/notifications", "nav.notifications"], ["/me/consents", "nav.privacy"]],
  client: [["/organisation", "nav.organisation"], ["/organisation/vacancies", "nav.ownVacancies"],
    ["/vacancies", "nav.vacancies"], ["/me/requests", "nav.requests"]],
  staff: [["/staff/desk", "nav.desk"], ["/staff/policies", "nav.staff"], ["/vacancies", "nav.vacancies"],
    ["/audit", "nav.audit"], ["/audit/monitoring", "nav.monitoring"]],
  auditor: [["/audit", "nav.audit"], ["/audit/subjects", "audit.recordTitle"], ["/audit/monitoring", "nav.monitoring"]],
};
