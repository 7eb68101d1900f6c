package triage

import "github.com/quickdiag/quickdiag/checks/catalog"

// Question is one step of the guided triage: a question and its answers.
type Question struct {
	ID      string
	Text    string
	Answers []Answer
}

// Answer leads to another question, to a catalog row, or to the step that
// will tell.
type Answer struct {
	Text string
	// Next is the id of the next question.
	Next string
	// Row is the catalog row the answer settles on.
	Row catalog.ID
	// Step is what will tell when no row settles it, and StepWhy what it shows.
	Step    Step
	StepWhy string
}

// Step is a next step of quickdiag's that tells what the guided path
// cannot. Front ends show it their way: the wizard as a page, the command
// line as a command.
type Step string

// The steps the guided path ends at.
const (
	// StepTriage: paste the message into triage.
	StepTriage Step = "triage"
	// StepPreflight: run the preflight on the five values.
	StepPreflight Step = "preflight"
	// StepSignIn: sign in as the user, as the desktop app does.
	StepSignIn Step = "signin"
)

// GuideStart is the first question of the guided triage.
const GuideStart = "start"

// guided is the guided path for "a user cannot sign in to the desktop app".
var guided = []Question{
	{ID: GuideStart, Text: "What happens when the user chooses Enterprise login in the desktop app?", Answers: []Answer{
		{Text: "The app shows an error before any browser page opens", Next: "app"},
		{Text: "The browser opens the IdP, and the IdP shows an error page", Next: "idp"},
		{Text: "The user signs in at the IdP, then the app shows an error", Next: "after"},
		{Text: "The browser says the site can't be reached, or shows a certificate warning", Next: "net"},
		{Text: "Sign-in works, but users are signed out often", Next: "session"},
	}},
	{ID: "app", Text: "What does the app say?", Answers: []Answer{
		{Text: "\"Enterprise sign-in for Quick Desktop has not been configured for this account.\"", Row: catalog.ExtensionNotCreated},
		{Text: "Desktop is not available for the account, or a message names a Region", Row: catalog.IdentityRegion},
		{Text: "Something else", Step: StepTriage, StepWhy: "Paste the message: triage knows the vendors' wordings."},
	}},
	{ID: "idp", Text: "What does the IdP's page say?", Answers: []Answer{
		{Text: "Something about the redirect URI (redirect_uri, redirect_mismatch, AADSTS50011)", Row: catalog.RedirectMismatch},
		{Text: "The application or client ID is not found (invalid_client, AADSTS700016)", Row: catalog.InvalidClient},
		{Text: "The user is not assigned, or a policy denies access (AADSTS50105, Policy evaluation failed)", Row: catalog.AccessDeniedPolicy},
		{Text: "Consent or admin approval is needed (AADSTS65001)", Row: catalog.ConsentRequired},
		{Text: "invalid_scope", Next: "scope"},
		{Text: "404 Page Not Found (Okta)", Row: catalog.OktaAdminHost},
		{Text: "It fails at once, before any sign-in page (PingOne)", Row: catalog.AppNotEnabled},
		{Text: "Something else", Step: StepPreflight, StepWhy: "The preflight's probe sends the app's exact request and reads the IdP's page."},
	}},
	{ID: "scope", Text: "Is the IdP Amazon Cognito (an amazoncognito.com address)?", Answers: []Answer{
		{Text: "Yes", Row: catalog.CognitoOfflineAccess},
		{Text: "No", Row: catalog.InvalidScope},
	}},
	{ID: "after", Text: "What does the app show after the user signed in?", Answers: []Answer{
		{Text: "\"User not found\"", Next: "user"},
		{Text: "\"Invalid issuer: https://login.microsoftonline.com/…/v2.0\"", Row: catalog.InvalidIssuer},
		{Text: "\"Token validation failure\"", Step: StepPreflight, StepWhy: "The preflight compares the issuer and the keys with the IdP's; the sign-in step names the failing claim."},
		{Text: "\"User info request failed (HTTP 401)\"", Row: catalog.UserinfoUnauthorized},
		{Text: "\"User info request failed (HTTP 504)\"", Row: catalog.UserinfoTimeout},
		{Text: "Something else", Step: StepSignIn, StepWhy: "The sign-in step does what the app does and says where it breaks."},
	}},
	{ID: "user", Text: "What does the ID token carry? (The sign-in step shows it.)", Answers: []Answer{
		{Text: "No email claim at all", Row: catalog.EmailClaimMissing},
		{Text: "An email that differs from the provisioned one only in letter case", Row: catalog.EmailCaseMismatch},
		{Text: "An email no user in the account has", Row: catalog.EmailNotProvisioned},
		{Text: "I don't know", Step: StepSignIn, StepWhy: "Sign in as the user: the results show the token's email and compare it with the account's."},
	}},
	{ID: "net", Text: "What does the browser show?", Answers: []Answer{
		{Text: "Refused to connect on localhost:18080 or 127.0.0.1:18080 (ERR_CONNECTION_REFUSED)", Row: catalog.LoopbackUnavailable},
		{Text: "DNS_PROBE_FINISHED_NXDOMAIN: the server's address could not be found", Row: catalog.DNSUnresolved},
		{Text: "A certificate or privacy warning", Row: catalog.TLSUntrusted},
		{Text: "403 Forbidden from the Cognito proxy", Row: catalog.ProxyForbidden},
	}},
	{ID: "session", Text: "Is a refresh token issued, and does refreshing keep the email?", Answers: []Answer{
		{Text: "No refresh token is issued", Row: catalog.RefreshTokenMissing},
		{Text: "Refreshing fails with invalid_grant", Row: catalog.RefreshTokenRejected},
		{Text: "The refresh returns no ID token (PingFederate)", Row: catalog.RefreshIDTokenMissing},
		{Text: "\"Missing email claim after refresh\"", Row: catalog.RefreshEmailMissing},
		{Text: "I don't know", Step: StepSignIn, StepWhy: "The sign-in step runs the refresh grant as the app does and checks what comes back."},
	}},
}

// GuideQuestion returns the question with the given id.
func GuideQuestion(id string) (Question, bool) {
	for _, q := range guided {
		if q.ID == id {
			return q, true
		}
	}
	return Question{}, false
}

// GuideQuestions returns every question of the guided triage.
func GuideQuestions() []Question { return append([]Question(nil), guided...) }
