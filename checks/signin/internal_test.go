package signin

import (
	"context"
	"testing"
	"time"

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
