package triage_test

import (
	"encoding/json"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/quickdiag/quickdiag/checks/catalog"
	"github.com/quickdiag/quickdiag/checks/triage"
)

type corpusEntry struct {
	Text      string       `json:"text"`
	Row       catalog.ID   `json:"row"`
	Also      []catalog.ID `json:"also"`
	Ambiguous bool         `json:"ambiguous"`
	IdP       string       `json:"idp"`
	Source    string       `json:"source"`
}

func loadCorpus(t testing.TB) []corpusEntry {
	data, err := os.ReadFile("testdata/triage_corpus.json")
	if err != nil {
		t.Fatal(err)
	}
	var c []corpusEntry
	if err := json.Unmarshal(data, &c); err != nil {
		t.Fatal(err)
	}
	return c
}

// TestTriageCorpus runs the labelled corpus of real messages: top-1
// accuracy of at least 95%, every catalog row reached, at least five
// messages per IdP, a source for each.
func TestTriageCorpus(t *testing.T) {
	corpus := loadCorpus(t)
	perIdP := map[string]int{}
	reached := map[catalog.ID]bool{}
	right := 0
	for _, e := range corpus {
		if e.Source == "" {
			t.Errorf("no source for %q", e.Text)
		}
		if _, ok := catalog.Lookup(e.Row); !ok {
			t.Errorf("unknown row %q", e.Row)
		}
		switch e.IdP {
		case "pingfederate", "pingone":
			perIdP["ping"]++
		default:
			perIdP[e.IdP]++
		}
		ms := triage.Rank(e.Text)
		if len(ms) == 0 {
			t.Errorf("no match for %q (want %s)", e.Text, e.Row)
			continue
		}
		top := ms[0]
		if top.Row == e.Row || slices.Contains(e.Also, top.Row) {
			right++
			reached[top.Row] = true
		} else {
			t.Logf("miss: %q\n  want %s, got %s (%.2f, %q)", e.Text, e.Row, top.Row, top.Score, top.Matched)
		}
		if e.Ambiguous {
			if top.Question == "" {
				t.Errorf("ambiguous %q: no question to tell the rows apart", e.Text)
			}
			var rows []catalog.ID
			for _, m := range ms {
				rows = append(rows, m.Row)
			}
			for _, want := range append([]catalog.ID{e.Row}, e.Also...) {
				if !slices.Contains(rows, want) {
					t.Errorf("ambiguous %q: candidate %s missing from %v", e.Text, want, rows)
				}
			}
		}
		if top.Matched == "" || top.Title == "" || top.Fix == "" || top.Score <= 0 || top.Score > 1 {
			t.Errorf("incomplete match for %q: %+v", e.Text, top)
		}
	}
	acc := float64(right) / float64(len(corpus))
	t.Logf("top-1 accuracy %.1f%% over %d messages", 100*acc, len(corpus))
	if acc < 0.95 {
		t.Errorf("top-1 accuracy %.1f%% < 95%%", 100*acc)
	}
	for _, r := range catalog.Rows() {
		id := r.ID
		if notYetInCorpus[id] {
			continue
		}
		if !reached[id] {
			t.Errorf("row %s is never the answer", id)
		}
	}
	for _, idp := range []string{"entra", "okta", "google", "ping", "cognito", "keycloak", "adfs"} {
		if perIdP[idp] < 5 {
			t.Errorf("only %d messages for %s", perIdP[idp], idp)
		}
	}
}

func TestTriageIsRobust(t *testing.T) {
	// Text whose lower case is shorter than itself (the Kelvin sign lowers
	// to k) with an expiry near "refresh" and an https answer in http.
	kelvin := strings.Repeat("\u212a", 400)
	for _, text := range []string{kelvin + " token is expired " + kelvin + " refresh", kelvin + "https://localhost:18080 " + kelvin + " http: server gave HTTP response to HTTPS client"} {
		triage.Rank(text)
	}
	base := "AADSTS50011: The redirect URI 'http://localhost:18080' specified in the request does not match the redirect URIs configured"
	for name, text := range map[string]string{
		"lower case":    strings.ToLower(base),
		"upper case":    strings.ToUpper(base),
		"line breaks":   strings.ReplaceAll(base, " ", "\n   "),
		"noise around":  "2026-11-20T09:14:03Z ERROR [corr 0e1f2a3b-4c5d-6e7f-8a9b-0c1d2e3f4a5b] https://login.microsoftonline.com/x/oauth2/v2.0/authorize?x=1 >>> " + base + " <<< Trace ID: 9a8b7c6d",
		"curly quotes":  strings.ReplaceAll(base, "'", "’"),
		"fragment only": "AADSTS50011",
		"tab and nbsp":  strings.ReplaceAll(base, " ", "\t\u00a0"),
	} {
		ms := triage.Rank(text)
		if len(ms) == 0 || ms[0].Row != "redirect_mismatch" {
			t.Errorf("%s: got %+v", name, ms)
		}
	}
	if ms := triage.Rank("the weather is fine today"); len(ms) != 0 {
		t.Errorf("an unrelated text matched: %+v", ms)
	}
	if ms := triage.Rank(" \n\t "); ms != nil {
		t.Errorf("blank text matched: %+v", ms)
	}
}

func TestEverySignAndClueMatchesItsExample(t *testing.T) {
	for _, s := range triage.Signs() {
		if !s.Pattern.MatchString(s.Example) {
			t.Errorf("sign for %s does not match its own example %q", s.Row, s.Example)
		}
		if _, ok := catalog.Lookup(s.Row); !ok {
			t.Errorf("sign for unknown row %s", s.Row)
		}
	}
	for _, c := range triage.Clues() {
		if !c.Pattern.MatchString(c.Example) || c.Question == "" || len(c.Rows) < 2 {
			t.Errorf("clue %v: example %q, question %q", c.Rows, c.Example, c.Question)
		}
	}
}

func TestTriageRedactsWhatItEchoes(t *testing.T) {
	const code, jwt = "SplxlOBeZQQYbYS6WxSbIA", "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJlLXJhdw"
	text := "http://localhost:18080/?code=" + code + "&state=ok&error=access_denied&error_description=User+is+not+assigned+to+the+client+application. id_token=" + jwt
	ms := triage.Rank(text)
	if len(ms) == 0 || ms[0].Row != "access_denied_policy" {
		t.Fatalf("got %+v", ms)
	}
	for _, m := range ms {
		for _, echoed := range []string{m.Matched, m.Context} {
			if strings.Contains(echoed, code) || strings.Contains(echoed, "eyJhbGci") || strings.Contains(echoed, "c2lnbmF0dXJl") {
				t.Errorf("a pasted secret is echoed: %q", echoed)
			}
		}
	}
	if !strings.Contains(ms[0].Context, "code=%28redacted%29&") || !strings.HasSuffix(ms[0].Context, "id_token=%28redacted%29") {
		t.Errorf("the context around the match is missing, or not redacted: %q", ms[0].Context)
	}
}

// notYetInCorpus are rows added to the catalog with the SAML analyzer, the
// machine doctor and the stricter token checks; the corpus has no real
// message for them yet (they are reached by checks, not by pasted text).
var notYetInCorpus = map[catalog.ID]bool{
	catalog.EndpointRedirects: true, catalog.LookalikeHost: true, catalog.IDTokenSignatureInvalid: true, catalog.JWKSPrivateKey: true,
	catalog.BrowserBlocksLoopback: true, catalog.LoopbackHTTPSUpgrade: true, catalog.LocalhostResolution: true, catalog.ProxyInterceptsLoopback: true,
	catalog.SAMLEmailAttributeMissing: true, catalog.SAMLNameIDFormat: true, catalog.SAMLAudienceMismatch: true, catalog.SAMLRecipientMismatch: true,
	catalog.SAMLSignatureInvalid: true, catalog.SAMLCertificateExpiring: true, catalog.SAMLAssertionExpired: true,
}

// TestEntraCodesOnTheSAMLSide: Entra's reply-URL and identifier codes mean
// the SAML rows when the message is about a SAML application (an entity ID,
// a Reply URL), and the OIDC rows otherwise.
func TestEntraCodesOnTheSAMLSide(t *testing.T) {
	rankedFirst(t, map[string]catalog.ID{
		"AADSTS700016: Application with identifier 'urn:amazon:qbusiness:a1b2c3d4' was not found in the directory 'Contoso'.":                          catalog.SAMLAudienceMismatch,
		"AADSTS50011: The reply URL specified in the request does not match the reply URLs configured for the application: 'urn:amazon:qbusiness:a1'.": catalog.SAMLRecipientMismatch,
		"SAML sign-in to Q Business fails with AADSTS50011":                                                                                               catalog.SAMLRecipientMismatch,
		"AADSTS700016: Application with identifier '3d9b7e21-6c4a-4f8e-b2d1-7a5c9e0f1b23' was not found in the directory 'Acme'.":                         catalog.InvalidClient,
		"AADSTS50011: The redirect URI 'http://localhost:18080' specified in the request does not match the redirect URIs configured for the application": catalog.RedirectMismatch,
	})
}

// rankedFirst fails t for each text whose first row is not the one wanted.
func rankedFirst(t *testing.T, want map[string]catalog.ID) {
	t.Helper()
	for text, row := range want {
		if ms := triage.Rank(text); len(ms) == 0 || ms[0].Row != row {
			t.Errorf("%q: want %s first, got %+v", text, row, ms)
		}
	}
}

// TestConnectionFailureOnWhichHost: the same refused or timed-out
// connection is the loopback on this machine and the IdP out of reach on
// any other host; code names that look like hosts are not hosts.
func TestConnectionFailureOnWhichHost(t *testing.T) {
	rankedFirst(t, map[string]catalog.ID{
		"dial tcp 10.2.3.4:443: connect: connection refused":                                      catalog.DiscoveryUnreachable,
		"curl: (7) Failed to connect to acme.okta.com port 443 after 3 ms: Connection refused":    catalog.DiscoveryUnreachable,
		"This site can't be reached login.example.com refused to connect. ERR_CONNECTION_REFUSED": catalog.DiscoveryUnreachable,
		"Firefox can't establish a connection to the server at sso.example.org.":                  catalog.DiscoveryUnreachable,
		"This site can't be reached localhost refused to connect. ERR_CONNECTION_REFUSED":         catalog.LoopbackUnavailable,
		"connect ECONNREFUSED 127.0.0.1:18080":                                                    catalog.LoopbackUnavailable,
		"java.net.ConnectException: Connection refused (Connection refused)":                      catalog.LoopbackUnavailable,
		// The redirect URI named earlier does not make a failure on the IdP's
		// host the loopback's.
		`redirect_uri=http://localhost:18080 ... Get "https://acme.okta.com/oauth2/default/.well-known/openid-configuration": dial tcp 10.0.0.5:443: connect: connection refused`: catalog.DiscoveryUnreachable,
		// Chrome's page in the languages people paste it in: the host decides.
		"无法访问此网站\nlocalhost 拒绝了我们的连接请求。":                                                                                         catalog.LoopbackUnavailable,
		"このサイトにアクセスできません localhost で接続が拒否されました。":                                                                                 catalog.LoopbackUnavailable,
		"Diese Website ist nicht erreichbar. login.example.com hat die Verbindung abgelehnt.":                                    catalog.DiscoveryUnreachable,
		"Ce site est inaccessible. localhost n'autorise pas la connexion.":                                                       catalog.LoopbackUnavailable,
		"[WinError 10061] 由于目标计算机积极拒绝，无法连接。 (127.0.0.1:18080)":                                                                   catalog.LoopbackUnavailable,
		"Es konnte keine Verbindung hergestellt werden, da der Zielcomputer die Verbindung verweigerte. (login.example.com:443)": catalog.DiscoveryUnreachable,
		// A connection cut (reset, closed, nothing sent) is the network on
		// the way, as a timeout is, not an answer of the IdP's.
		"Error: read ECONNRESET":             catalog.DiscoveryUnreachable,
		"curl: (52) Empty reply from server": catalog.DiscoveryUnreachable,
		"net::ERR_CONNECTION_CLOSED":         catalog.DiscoveryUnreachable,
		"System.Net.Http.HttpRequestException: No connection could be made because the target machine actively refused it. (127.0.0.1:18080)": catalog.LoopbackUnavailable,
	})
}

// TestTheReasonComesFirst: when a text names a failure and its reason (a
// stack trace's outer exception and the inner one), the reason is the row:
// the certificate this machine does not trust, not the discovery that
// failed for it, nor the TLS-inspecting proxy that made the certificate.
func TestTheReasonComesFirst(t *testing.T) {
	rankedFirst(t, map[string]catalog.ID{
		"IDX20803: Unable to obtain configuration from: 'https://fs.acme.example/adfs/.well-known/openid-configuration'. ---> System.Security.Authentication.AuthenticationException: The remote certificate is invalid because of errors in the certificate chain: PartialChain": catalog.TLSUntrusted,
		// A certificate "issued by an authority that is not trusted" is no
		// token's issuer.
		"schannel: SEC_E_UNTRUSTED_ROOT (0x80090325) - The certificate chain was issued by an authority that is not trusted.": catalog.TLSUntrusted,
		// Windows' certificate results by name or number, as git and curl on
		// SChannel print them.
		"IDX20803: Unable to obtain configuration from https://idp.example/.well-known/openid-configuration. schannel: SEC_E_UNTRUSTED_ROOT (0x80090325)": catalog.TLSUntrusted,
		"schannel: next InitializeSecurityContext failed: Unknown error (0x80092012)":                                                                     catalog.TLSUntrusted,
		// However many ways the outer failure is said, the reason stays first.
		"OIDC discovery failed: could not retrieve https://idp.example/.well-known/openid-configuration: Failed to fetch the openid-configuration; IDX20803: Unable to obtain configuration; curl: (60)": catalog.TLSUntrusted,
		// A TLS-inspecting proxy's certificate is the trust store's problem.
		"Zscaler is blocking the sign-in page: Your connection is not private NET::ERR_CERT_AUTHORITY_INVALID": catalog.TLSUntrusted,
		`Get "https://acme.okta.com/.well-known/openid-configuration": tls: failed to verify certificate: x509: certificate signed by unknown authority (possibly because of "x509: invalid signature" while trying to verify candidate authority certificate "Zscaler Root CA")`: catalog.TLSUntrusted,
	})
}

// TestWhatTheWordsAreAbout: words that look like one row's are about
// another thing in their context: a proxy's own credentials (407) on the
// way to the IdP, an IdP endpoint entered with https that serves http, a
// Java class name that holds "Future".
func TestWhatTheWordsAreAbout(t *testing.T) {
	rankedFirst(t, map[string]catalog.ID{
		"The request to the IdP failed: HTTP/1.1 407 Proxy Authentication Required":                                          catalog.DiscoveryUnreachable,
		`Get "https://localhost:18080/": http: server gave HTTP response to HTTPS client`:                                    catalog.LoopbackHTTPSUpgrade,
		`Get "https://127.0.0.1:5556/dex/.well-known/openid-configuration": http: server gave HTTP response to HTTPS client`: catalog.DiscoveryUnreachable,
		`Post "https://sso.example.org/oauth2/token": http: server gave HTTP response to HTTPS client`:                       catalog.DiscoveryUnreachable,
		"java.util.concurrent.CompletionException: io.quarkus.oidc.OIDCException: OIDC server is not available at the 'quarkus.oidc.auth-server-url' URL.\n\tat java.util.concurrent.CompletableFuture.reportJoin(CompletableFuture.java:375)": catalog.DiscoveryUnreachable,
		"JWT not active yet, now 1642051718, nbf 1642051719": catalog.ClockSkew,
	})
}

// TestRulesKnowWhatTheyAreNotAbout: a concept rule does not fire on
// words that are about something else in the same clause, so its row is
// not even offered as a candidate: an expired signature is the clock's, a
// signature that fails for want of the key is the key set's, an
// application not found in a directory is the client's.
func TestRulesKnowWhatTheyAreNotAbout(t *testing.T) {
	for text, not := range map[string]catalog.ID{
		"jwt.exceptions.ExpiredSignatureError: Signature has expired":                     catalog.IDTokenSignatureInvalid,
		"the signature check failed because the key id is not in the key set":             catalog.IDTokenSignatureInvalid,
		"The application with that identifier was not found in the directory contoso.com": catalog.UnknownTenant,
	} {
		ms := triage.Rank(text)
		if len(ms) == 0 {
			t.Errorf("%q: no match", text)
		}
		for _, m := range ms {
			if m.Row == not {
				t.Errorf("%q: %s offered as a candidate (%+v)", text, not, ms)
			}
		}
	}
}

// TestExpiredOnTheRefresh: an expiry near "refresh", with no word of a
// clock, is the refresh token's; with a clock named it stays the clock.
func TestExpiredOnTheRefresh(t *testing.T) {
	rankedFirst(t, map[string]catalog.ID{
		"failed to refresh the session: token is expired":                                        catalog.RefreshTokenRejected,
		"oidc: token is expired (Token Expiry: 2026-11-20 09:00:00 +0000 UTC)":                   catalog.ClockSkew,
		"refresh failed: token is expired; the system clock is 6 minutes ahead of the server":    catalog.ClockSkew,
		"Error: Could not refresh the token: oauth2: token expired and refresh token is not set": catalog.RefreshTokenMissing,
		// "associated" holds no iat.
		"the token associated with this refresh has expired": catalog.RefreshTokenRejected,
	})
}

// TestTheSideDecides: the same generic words are another row on another
// side of the sign-in — the SAML sign-in, the token exchange, the code.
func TestTheSideDecides(t *testing.T) {
	rankedFirst(t, map[string]catalog.ID{
		"SAML response rejected: the assertion has expired (NotOnOrAfter 2026-12-01T10:00:00Z)":                            catalog.SAMLAssertionExpired,
		"Cognito hosted UI with a SAML identity provider: error=redirect_mismatch for redirect_uri http://localhost:18080": catalog.RedirectMismatch,
		"oidc: token is expired (Token Expiry: 2026-11-24 09:00:00 +0000 UTC)":                                             catalog.ClockSkew,
		`token endpoint answered 401 {"error":"invalid_client"}`:                                                           catalog.PublicClientDisabled,
		`GET /oauth2/authorize?response_type=code&client_id=abc: {"error":"invalid_client"}`:                               catalog.InvalidClient,
		`oauth2: cannot fetch token: 400 {"error":"invalid_grant"} while redeeming the authorization code`:                 catalog.IdPError,
		`refreshing the session failed: {"error":"invalid_grant"}`:                                                         catalog.RefreshTokenRejected,
	})
}

// TestGuessesSayTheyAre: a row that only the most similar known messages
// point at is marked a guess; one a wording names is not.
func TestGuessesSayTheyAre(t *testing.T) {
	if ms := triage.Rank("It's not you, it is us"); len(ms) == 0 || !ms[0].Guess {
		t.Errorf("a text of no known wording: %+v, want a guess", ms)
	}
	if ms := triage.Rank("AADSTS50011: The redirect URI does not match"); len(ms) == 0 || ms[0].Guess {
		t.Errorf("a code: %+v, want no guess", ms)
	}
}

// TestACodeAboutTheCode: Entra's grant-refused code at the code exchange
// is the exchange's failure, at the refresh a refresh token rejected.
func TestACodeAboutTheCode(t *testing.T) {
	rankedFirst(t, map[string]catalog.ID{
		"redeeming the authorization code failed: AADSTS70000: The provided access grant is invalid or malformed.": catalog.IdPError,
		"refreshing the session failed: AADSTS70000: The provided access grant is invalid or malformed.":           catalog.RefreshTokenRejected,
	})
}

// TestUnreachableWithoutAHost: a browser's "cannot reach" page that names
// no host is honest about the two places it may be, and asks which.
func TestUnreachableWithoutAHost(t *testing.T) {
	ms := triage.Rank("Hmm… can’t reach this page")
	if len(ms) != 2 || ms[0].Row != catalog.LoopbackUnavailable || ms[1].Row != catalog.DiscoveryUnreachable || ms[0].Question == "" {
		t.Errorf("got %+v; want the loopback, then the IdP out of reach, with the question", ms)
	}
}

// TestWhoseFailureItIs: the same words belong to the row of what failed —
// a client that cannot reach its proxy (its DNS failure and refused
// connection are the proxy's), a DNS query that timed out, a timeout on
// the IdP's host, a key set named beside a failed signature.
func TestWhoseFailureItIs(t *testing.T) {
	rankedFirst(t, map[string]catalog.ID{
		"HTTPSConnectionPool(host='login.microsoftonline.com', port=443): Max retries exceeded (Caused by ProxyError('Cannot connect to proxy.', NewConnectionError('Failed to establish a new connection: [Errno 11001] getaddrinfo failed')))": catalog.DiscoveryUnreachable,
		"getaddrinfo ENOTFOUND proxy.corp.example": catalog.DNSUnresolved,
		"Post https://acme.okta.com/oauth2/v1/token: dial tcp: lookup acme.okta.com on 10.0.0.2:53: read udp 10.0.0.7:51234->10.0.0.2:53: i/o timeout": catalog.DNSUnresolved,
		"request to https://acme.okta.com/oauth2/default/v1/keys failed: ERR_SOCKET_CONNECTION_TIMEOUT":                                                catalog.DiscoveryUnreachable,
		"id_token rejected: invalid signature": catalog.IDTokenSignatureInvalid,
		"id_token rejected: invalid signature (JWKS fetched from https://acme.okta.com/oauth2/v1/keys)":                             catalog.JWKSMismatch,
		"unable to validate signature: no possible keys matches":                                                                    catalog.JWKSMismatch,
		"OAuth error: SSL certificate error (UNABLE_TO_GET_ISSUER_CERT_LOCALLY). Behind a corporate proxy? Set NODE_EXTRA_CA_CERTS": catalog.TLSUntrusted,
	})
}

// TestTheAccountsOwnState: a blocked, locked or expired account is the
// IdP's refusal of the account (idp_error), not a policy or an assignment;
// an MFA challenge not met is the policy's.
func TestTheAccountsOwnState(t *testing.T) {
	rankedFirst(t, map[string]catalog.ID{
		"Login failed: your account has been blocked after too many attempts":                                                  catalog.IdPError,
		"The user's password is expired. Contact your administrator.":                                                          catalog.IdPError,
		"PasswordResetRequiredException: Password reset required for the user":                                                 catalog.IdPError,
		"AADSTS50158: External security challenge not satisfied.":                                                              catalog.AccessDeniedPolicy,
		"The user is not assigned to this application":                                                                         catalog.AccessDeniedPolicy,
		"NotAuthorizedException: Unable to verify secret hash for client 3dkq4example":                                         catalog.PublicClientDisabled,
		"Error: Could not refresh the token: oauth2: token expired and refresh token is not set":                               catalog.RefreshTokenMissing,
		"2026-01-01 10:00:01 token has expired, refreshing\n2026-01-01 10:00:01 refresh failed: no refresh token was returned": catalog.RefreshTokenMissing,
	})
	// Nor is a policy offered beside the account's state.
	for _, text := range []string{"user locked out - access denied", "Login failed: your account has been blocked after too many attempts"} {
		for _, m := range triage.Rank(text) {
			if m.Row == catalog.AccessDeniedPolicy {
				t.Errorf("%q: access_denied_policy offered beside the account's state: %+v", text, m)
			}
		}
	}
}

// TestTheLoopbackInTheBrowsersWords: Chrome's Local Network Access, the
// browser upgrading the redirect to https, a listener on the other
// loopback name, a port Windows reserves.
func TestTheLoopbackInTheBrowsersWords(t *testing.T) {
	rankedFirst(t, map[string]catalog.ID{
		"GET http://localhost:18080/?code=… net::ERR_BLOCKED_BY_LOCAL_NETWORK_ACCESS_CHECKS":                        catalog.BrowserBlocksLoopback,
		"after sign-in the address bar changed from http: to https: (https://localhost:18080/) and the page failed": catalog.LoopbackHTTPSUpgrade,
		"the callback listens on 127.0.0.1 but the redirect goes to localhost, so nothing answers":                  catalog.LocalhostResolution,
		"Failed to listen at localhost:18080 Error: getaddrinfo ENOTFOUND":                                          catalog.LocalhostResolution,
		"port 18080 is inside the Windows excluded port range that Hyper-V reserved":                                catalog.LoopbackUnavailable,
	})
}

// TestServersWithoutAGuide: the texts of servers quickdiag has no IdP
// guide for (Ory Hydra's hints) and the IdPs' own pages.
func TestServersWithoutAGuide(t *testing.T) {
	rankedFirst(t, map[string]catalog.ID{
		`{"error":"invalid_grant","error_description":"The provided authorization grant is invalid. The refresh token was already used."}`:                                                                                                                                                                 catalog.RefreshTokenRejected,
		`{"error":"invalid_client","error_description":"Client authentication failed. The OAuth 2.0 Client supports client authentication method 'client_secret_basic', but method 'none' was requested. You must configure the OAuth 2.0 client's 'token_endpoint_auth_method' value to accept 'none'."}`: catalog.PublicClientDisabled,
		"GET /oauth2/default/.well-known/openid-configuration Host: dev-123456-admin.okta.com -> 404":                                                                                                                                                                                                      catalog.OktaAdminHost,
		"We are sorry... HTTPS required":                                              catalog.IdPError,
		"We didn't recognize the username or password you entered. Please try again.": catalog.IdPError,
	})
	// PingOne's validation page names no parameter: the question says which
	// to look at, and the redirect URI (the commonest) comes first.
	ms := triage.Rank("The request could not be completed. One or more validation errors were in the request.")
	if len(ms) < 2 || ms[0].Row != catalog.RedirectMismatch || ms[0].Question == "" {
		t.Errorf("PingOne's validation page: want redirect_mismatch first with a question and other rows, got %+v", ms)
	}
	// Chrome's ERR_FAILED is the loopback's only on the redirect to it.
	if ms := triage.Rank("GET https://login.microsoftonline.com/common/oauth2/v2.0/authorize net::ERR_FAILED"); len(ms) > 0 && ms[0].Row == catalog.BrowserBlocksLoopback {
		t.Errorf("ERR_FAILED on the IdP's page read as the loopback blocked: %+v", ms[0])
	}
	// Keycloak's "HTTPS required" page is not another server's rule that a
	// redirect URI use https.
	if ms := triage.Rank("Error: HTTPS required for redirect URIs of this application"); len(ms) > 0 && ms[0].Row == catalog.IdPError {
		t.Errorf("another server's https rule read as Keycloak's page: %+v", ms[0])
	}
}
