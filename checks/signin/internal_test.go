package signin

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/quickdiag/quickdiag/checks"
	"github.com/quickdiag/quickdiag/checks/catalog"
	"github.com/quickdiag/quickdiag/checks/idp"
	"golang.org/x/oauth2"
)

func TestTokenFailureWithoutResponse(t *testing.T) {
	// oauth2 may hand back a RetrieveError without the HTTP response.
	f := tokenFailure(context.Background(), "refused", idp.Okta, "https://acme.okta.com/oauth2/v1/token", time.Second, &oauth2.RetrieveError{ErrorCode: "invalid_grant", ErrorDescription: "The refresh token is invalid or expired."})
	if f.Row != "refresh_token_rejected" || f.Evidence == nil || f.Evidence.Got != "an error response, error=invalid_grant, error_description=The refresh token is invalid or expired." {
		t.Errorf("finding %+v %+v", f, f.Evidence)
	}
}

// TestEmailAdviceInTheIdPsWords: a missing email claim is explained in the
// words of the IdP in use; a generic IdP gets no Entra advice.
func TestEmailAdviceInTheIdPsWords(t *testing.T) {
	claims := map[string]any{"sub": "1", "preferred_username": "alice@acme.example"}
	generic := emailFindings(idp.Generic, claims, "", nil)[0]
	if strings.Contains(generic.Detail, "Entra") || strings.Contains(generic.Detail, "optional claim") {
		t.Errorf("a generic IdP gets Entra's advice: %s", generic.Detail)
	}
	entra := emailFindings(idp.Entra, claims, "", nil)[0]
	if !strings.Contains(entra.Detail, "optional claim") {
		t.Errorf("Entra's advice is missing: %s", entra.Detail)
	}
	for _, f := range []checks.Finding{generic, entra} {
		if f.Row != catalog.EmailClaimMissing || f.Status != checks.Fail {
			t.Errorf("finding %+v", f)
		}
	}
}
