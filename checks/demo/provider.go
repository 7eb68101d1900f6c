package demo

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"html"
	"io"
	"log/slog"
	"math/big"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/zitadel/oidc/v3/example/server/exampleop"
	"github.com/zitadel/oidc/v3/example/server/storage"
	"github.com/zitadel/oidc/v3/pkg/op"
	"golang.org/x/text/language"

	"github.com/quickdiag/quickdiag/checks"
)

// User is a practice user: the login page lists them with their passwords.
type User struct {
	Username string `json:"username"`
	Password string `json:"password"`
	Email    string `json:"email"`
}

// Users are the practice users of every scenario. The password is the one
// of ZITADEL's example login page.
var Users = []User{{Username: "alice", Password: "verysecure", Email: "alice@acme.example"}}

// Provider is a running practice IdP: ZITADEL's OpenID provider library
// (its op package, OpenID-certified, with its example storage and login
// pages) behind a layer that lays its URLs out in the scenario's IdP
// shape, signs its ID tokens with keys made at start, and applies the
// scenario's faults.
type Provider struct {
	Scenario Scenario
	// Origin is http://127.0.0.1:port.
	Origin string
	shape  Shape
	inner  http.Handler
	key    *rsa.PrivateKey
	other  *rsa.PrivateKey
	kid    string
	srv    *http.Server
	done   chan struct{}
}

// quiet keeps the provider library's request log out of quickdiag's
// output: it logs through the process's default slog logger.
var quiet = sync.OnceFunc(func() {
	slog.SetDefault(slog.New(slog.NewTextHandler(io.Discard, nil)))
})

// Start starts the scenario's provider on addr (a loopback address; port
// 0 picks one).
func Start(s Scenario, addr string) (*Provider, error) {
	host, _, err := net.SplitHostPort(addr)
	if err != nil || !checks.IsLoopback(host) {
		return nil, fmt.Errorf("the practice IdP listens on loopback only, not %q", addr)
	}
	l, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, err
	}
	p, err := newProvider(s, "http://"+l.Addr().String())
	if err != nil {
		l.Close()
		return nil, err
	}
	p.srv = &http.Server{Handler: p, ReadHeaderTimeout: 10 * time.Second, ReadTimeout: 30 * time.Second, IdleTimeout: 60 * time.Second}
	go func() { p.srv.Serve(l); close(p.done) }()
	return p, nil
}

func newProvider(s Scenario, origin string) (*Provider, error) {
	quiet()
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return nil, err
	}
	other, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return nil, err
	}
	p := &Provider{Scenario: s, Origin: origin, shape: ShapeOf(s.IdP), key: key, other: other, kid: rand.Text()[:16],
		done: make(chan struct{})}
	users := userStore{}
	for _, u := range Users {
		users[u.Username] = &storage.User{ID: u.Username, Username: u.Username, Password: u.Password, FirstName: "Alice", LastName: "Practice",
			Email: u.Email, EmailVerified: true, PreferredLanguage: language.English}
	}
	client := storage.NativeClient(p.shape.ClientID, checks.RedirectURI)
	st := store{Storage: storage.NewStorageWithClients(users, map[string]*storage.Client{p.shape.ClientID: client})}
	p.inner = exampleop.SetupServer(origin, st, nil, false)
	return p, nil
}

// Close stops the provider.
func (p *Provider) Close() {
	if p.srv != nil {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		if p.srv.Shutdown(ctx) != nil {
			p.srv.Close()
		}
		<-p.done
	}
}

// Issuer is the provider's issuer, in the shape's layout.
func (p *Provider) Issuer() string { return p.shape.issuerURL(p.Origin) }

// Values returns the five values as the scenario's administrator entered
// them: the provider's own, then the scenario's traps.
func (p *Provider) Values() checks.Config {
	c := checks.Config{
		Issuer:                p.Issuer(),
		AuthorizationEndpoint: p.Origin + p.shape.Authorize,
		TokenEndpoint:         p.Origin + p.shape.Token,
		JWKSURI:               p.Origin + p.shape.JWKS,
		ClientID:              p.shape.ClientID,
		IdP:                   p.shape.IdP,
	}
	if p.shape.Secret != "" {
		c.TokenEndpoint += "?client_secret=" + url.QueryEscape(p.shape.Secret)
	}
	if p.Scenario.Values != nil {
		p.Scenario.Values(&c, p.shape, p.Origin)
	}
	return c
}

// UserinfoEndpoint is where the provider serves userinfo.
func (p *Provider) UserinfoEndpoint() string { return p.Origin + p.shape.Userinfo }

// DiscoveryURL is the provider's discovery document.
func (p *Provider) DiscoveryURL() string { return p.Origin + p.shape.discoveryPath() }

// store is the example storage with the desktop client's ID tokens
// carrying the user's claims (email), as the desktop app needs.
type store struct{ *storage.Storage }

type claimsClient struct{ *storage.Client }

func (claimsClient) IDTokenUserinfoClaimsAssertion() bool { return true }

func (s store) GetClientByClientID(ctx context.Context, id string) (op.Client, error) {
	c, err := s.Storage.GetClientByClientID(ctx, id)
	if err != nil {
		return nil, err
	}
	return claimsClient{c.(*storage.Client)}, nil
}

// userStore holds the practice users.
type userStore map[string]*storage.User

func (u userStore) GetUserByID(id string) *storage.User { return u[id] }
func (u userStore) GetUserByUsername(name string) *storage.User {
	for _, x := range u {
		if strings.EqualFold(x.Username, name) || strings.EqualFold(x.Email, name) {
			return x
		}
	}
	return nil
}
func (u userStore) ExampleClientID() string { return "" }

// ServeHTTP routes the shape's paths to the provider inside and applies
// the scenario's faults.
func (p *Provider) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, 1<<20)
	f := p.Scenario.Faults
	if f.ClockAhead != 0 {
		w.Header().Set("Date", time.Now().Add(f.ClockAhead).UTC().Format(http.TimeFormat))
	}
	sh := p.shape
	switch path := r.URL.Path; {
	case path == sh.discoveryPath():
		if f.NoDiscovery {
			http.NotFound(w, r)
			return
		}
		p.discovery(w, r)
	case path == sh.JWKS:
		writeJSON(w, http.StatusOK, p.keySet(&p.key.PublicKey))
	case sh.OtherJWKS != "" && path == sh.OtherJWKS:
		writeJSON(w, http.StatusOK, p.keySet(&p.other.PublicKey))
	case path == sh.Authorize:
		p.authorize(w, r)
	case path == sh.Token:
		p.token(w, r)
	case path == sh.Userinfo:
		if f.Userinfo != nil {
			f.Userinfo.write(w)
			return
		}
		p.forward(w, r, "/userinfo")
	case path == callbackPath:
		p.callback(w, r)
	case path == "/consent":
		p.consent(w, r)
	case strings.HasPrefix(path, "/login/"):
		p.login(w, r)
	default:
		if sh.Issuer != "" && strings.HasPrefix(path, sh.Issuer+"/") {
			// The library's own links are relative to its root.
			p.forward(w, r, strings.TrimPrefix(path, sh.Issuer))
			return
		}
		if sh.IdP == "entra" && strings.HasSuffix(path, "/.well-known/openid-configuration") {
			// Entra answers for a tenant it does not know.
			tenant := strings.SplitN(strings.TrimPrefix(path, "/"), "/", 2)[0]
			writeJSON(w, http.StatusBadRequest, map[string]any{"error": "invalid_tenant", "error_codes": []int{90002},
				"error_description": "AADSTS90002: Tenant '" + tenant + "' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud."})
			return
		}
		page(w, http.StatusNotFound, "Not found", "There is nothing at "+path+" on this practice IdP.")
	}
}

// forward serves the request from the provider inside, at path.
func (p *Provider) forward(w http.ResponseWriter, r *http.Request, path string) {
	r2 := r.Clone(r.Context())
	r2.URL.Path, r2.URL.RawPath = path, ""
	p.inner.ServeHTTP(w, r2)
}

// record serves the request from the provider inside and returns its answer.
func (p *Provider) record(r *http.Request, path string) *httptest.ResponseRecorder {
	rec := httptest.NewRecorder()
	p.forward(rec, r, path)
	return rec
}

func (p *Provider) discovery(w http.ResponseWriter, r *http.Request) {
	rec := p.record(r, "/.well-known/openid-configuration")
	var doc map[string]any
	if err := json.Unmarshal(rec.Body.Bytes(), &doc); err != nil {
		http.Error(w, "discovery: "+err.Error(), http.StatusInternalServerError)
		return
	}
	doc["issuer"] = p.Issuer()
	doc["authorization_endpoint"] = p.Origin + p.shape.Authorize
	doc["token_endpoint"] = p.Origin + p.shape.Token
	doc["jwks_uri"] = p.Origin + p.shape.JWKS
	doc["userinfo_endpoint"] = p.Origin + p.shape.Userinfo
	doc["code_challenge_methods_supported"] = []string{"S256"}
	doc["scopes_supported"] = []string{"openid", "email", "profile", "offline_access"}
	for _, k := range []string{"introspection_endpoint", "revocation_endpoint", "end_session_endpoint", "device_authorization_endpoint"} {
		delete(doc, k)
	}
	if edit := p.Scenario.Faults.Discovery; edit != nil {
		edit(doc)
	}
	writeJSON(w, http.StatusOK, doc)
}

// authorize answers the authorization request: the scenario's refusal in
// the vendor's words, or the provider's login.
func (p *Provider) authorize(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	f := p.Scenario.Faults
	switch {
	case f.AuthorizePage != nil:
		f.AuthorizePage.write(w)
		return
	case f.Refuse != "":
		pageOf(p.shape.IdP, f.Refuse, q).write(w)
		return
	case q.Get("client_id") != p.shape.ClientID:
		pageOf(p.shape.IdP, "invalid_client", q).write(w)
		return
	case q.Get("redirect_uri") != checks.RedirectURI:
		pageOf(p.shape.IdP, "redirect_mismatch", q).write(w)
		return
	case f.AuthorizeRedirect != nil:
		redirectError(w, r, q.Get("redirect_uri"), q.Get("state"), *f.AuthorizeRedirect)
		return
	case p.shape.IdP == "google":
		// Google has no offline_access scope: it refuses it, and issues a
		// refresh token for access_type=offline instead.
		scopes := strings.Fields(q.Get("scope"))
		if slices.Contains(scopes, "offline_access") {
			(&Page{http.StatusBadRequest, "Access blocked: Authorization Error", "Error 400: invalid_scope Some requested scopes were invalid. {valid=[openid, email, profile], invalid=[offline_access]}"}).write(w)
			return
		}
		if q.Get("access_type") == "offline" {
			q.Set("scope", strings.Join(append(scopes, "offline_access"), " "))
			q.Del("access_type")
			r.URL.RawQuery = q.Encode()
		}
	}
	p.forward(w, r, "/auth")
}

// callback ends the login: the provider's redirect with a code, or the
// scenario's refusal after the user signed in (a policy, consent).
func (p *Provider) callback(w http.ResponseWriter, r *http.Request) {
	p.finish(w, r, p.Scenario.Faults.AfterLogin)
}

// finish serves the provider's callback; with refuse set, the code it
// issued is replaced by that error at the application's redirect URI.
func (p *Provider) finish(w http.ResponseWriter, r *http.Request, refuse *OAuthError) {
	rec := p.record(r, callbackPath)
	loc, err := url.Parse(rec.Header().Get("Location"))
	if refuse != nil && err == nil && loc.Query().Get("code") != "" {
		redirectError(w, r, loc.Scheme+"://"+loc.Host+loc.Path, loc.Query().Get("state"), *refuse)
		return
	}
	copyResponse(w, rec)
}

// login serves the library's login page, with the practice users listed.
func (p *Provider) login(w http.ResponseWriter, r *http.Request) {
	rec := p.record(r, r.URL.Path)
	body := rec.Body.Bytes()
	if r.Method == http.MethodGet && bytes.Contains(body, []byte("<form")) {
		var list strings.Builder
		// The scenario's name stays hidden: the page is what a user would see.
		list.WriteString(`<div data-testid="practice-users" style="margin:1em 0;padding:.6em;border:1px solid #999"><strong>quickdiag's practice IdP</strong> — sign in as:<ul>`)
		for _, u := range Users {
			fmt.Fprintf(&list, "<li>%s / %s (%s)</li>", html.EscapeString(u.Username), html.EscapeString(u.Password), html.EscapeString(u.Email))
		}
		list.WriteString("</ul></div>")
		body = bytes.Replace(body, []byte("<form"), []byte(list.String()+"<form"), 1)
	}
	for k, v := range rec.Header() {
		if k != "Content-Length" {
			w.Header()[k] = v
		}
	}
	if loc := rec.Header().Get("Location"); loc != "" {
		w.Header().Set("Location", p.withConsent(loc))
	}
	w.WriteHeader(rec.Code)
	w.Write(body)
}

// token answers the token request: the scenario's refusal, or the
// provider's tokens with the ID token signed here and the scenario's
// faults applied.
func (p *Provider) token(w http.ResponseWriter, r *http.Request) {
	f := p.Scenario.Faults
	if err := r.ParseForm(); err != nil {
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": "invalid_request", "error_description": "the request body could not be read"})
		return
	}
	if f.Token != nil {
		f.Token.write(w)
		return
	}
	if p.shape.Secret != "" && r.URL.Query().Get("client_secret") == "" && r.PostForm.Get("client_secret") == "" {
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": "invalid_request", "error_description": "client_secret is missing."})
		return
	}
	refresh := r.PostForm.Get("grant_type") == "refresh_token"
	if refresh && f.Refresh != nil {
		f.Refresh.write(w)
		return
	}
	// The library's native client takes no secret: the shape's is checked above.
	form := url.Values{}
	for k, v := range r.PostForm {
		if k != "client_secret" {
			form[k] = v
		}
	}
	r2, _ := http.NewRequestWithContext(r.Context(), http.MethodPost, p.Origin+"/oauth/token", strings.NewReader(form.Encode()))
	r2.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	r2.RemoteAddr = r.RemoteAddr
	rec := httptest.NewRecorder()
	p.inner.ServeHTTP(rec, r2)
	var resp map[string]any
	if rec.Code != http.StatusOK || json.Unmarshal(rec.Body.Bytes(), &resp) != nil {
		copyResponse(w, rec)
		return
	}
	if f.NoRefreshToken {
		delete(resp, "refresh_token")
	}
	if raw, _ := resp["id_token"].(string); raw != "" {
		switch {
		case refresh && f.RefreshNoIDToken:
			delete(resp, "id_token")
		default:
			signed, err := p.resign(raw, refresh)
			if err != nil {
				writeJSON(w, http.StatusInternalServerError, map[string]string{"error": "server_error", "error_description": err.Error()})
				return
			}
			resp["id_token"] = signed
		}
	}
	w.Header().Set("Cache-Control", "no-store")
	writeJSON(w, http.StatusOK, resp)
}

// resign returns the provider's ID token with the shape's issuer and the
// scenario's claim edits, signed with the key made at start, or forged as
// the scenario says.
func (p *Provider) resign(raw string, refresh bool) (string, error) {
	parts := strings.Split(raw, ".")
	if len(parts) != 3 {
		return "", errors.New("the provider's ID token is not a JWS")
	}
	payload, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		return "", err
	}
	var claims jwt.MapClaims
	if err := json.Unmarshal(payload, &claims); err != nil {
		return "", err
	}
	claims["iss"] = p.Issuer()
	f := p.Scenario.Faults
	if f.ClockAhead != 0 {
		now := time.Now().Add(f.ClockAhead).Unix()
		claims["iat"], claims["nbf"], claims["exp"] = now, now, now+3600
	}
	if f.Claims != nil {
		f.Claims(claims)
	}
	if refresh && f.RefreshNoEmail {
		delete(claims, "email")
		delete(claims, "email_verified")
	}
	if f.AlgNone {
		h, _ := json.Marshal(map[string]string{"alg": "none", "typ": "JWT"})
		b, _ := json.Marshal(claims)
		return base64.RawURLEncoding.EncodeToString(h) + "." + base64.RawURLEncoding.EncodeToString(b) + ".", nil
	}
	t := jwt.NewWithClaims(jwt.SigningMethodRS256, claims)
	t.Header["kid"] = p.kid
	key := p.key
	if f.BadSignature {
		key = p.other // signed with another key, under this one's kid
	}
	return t.SignedString(key)
}

// keySet is the JWKS of one public key, under the provider's kid (another
// server's keys get their own).
func (p *Provider) keySet(k *rsa.PublicKey) map[string]any {
	kid := p.kid
	if k != &p.key.PublicKey {
		kid = "other-" + p.kid
	}
	jwk := map[string]any{
		"kty": "RSA", "use": "sig", "alg": "RS256", "kid": kid,
		"n": base64.RawURLEncoding.EncodeToString(k.N.Bytes()),
		"e": base64.RawURLEncoding.EncodeToString(big.NewInt(int64(k.E)).Bytes()),
	}
	if p.Scenario.Faults.PrivateJWKS && k == &p.key.PublicKey {
		jwk["d"] = base64.RawURLEncoding.EncodeToString(p.key.D.Bytes())
	}
	return map[string]any{"keys": []any{jwk}}
}

// redirectError sends the browser back to the redirect URI with an OAuth error.
func redirectError(w http.ResponseWriter, r *http.Request, redirectURI, state string, e OAuthError) {
	u, err := url.Parse(redirectURI)
	if err != nil || !checks.IsLoopback(u.Hostname()) {
		page(w, http.StatusBadRequest, "Bad request", e.Description)
		return
	}
	q := url.Values{"error": {e.Code}}
	if e.Description != "" {
		q.Set("error_description", e.Description)
	}
	if state != "" {
		q.Set("state", state)
	}
	u.RawQuery = q.Encode()
	http.Redirect(w, r, u.String(), http.StatusFound)
}

func copyResponse(w http.ResponseWriter, rec *httptest.ResponseRecorder) {
	for k, v := range rec.Header() {
		w.Header()[k] = v
	}
	w.WriteHeader(rec.Code)
	w.Write(rec.Body.Bytes())
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}

// ClientSecret is the secret the shape's client needs (Google's), or "".
func (p *Provider) ClientSecret() string { return p.shape.Secret }
