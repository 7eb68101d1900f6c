package checks_test

import (
	"context"
	"testing"
	"time"

	"github.com/quickdiag/quickdiag/checks"
	"github.com/quickdiag/quickdiag/internal/testidp"
)

func TestExploreOkta(t *testing.T) {
	idp := testidp.Start(t, testidp.Options{Servers: testidp.OktaServers(testidp.DesktopClient(testidp.OktaClientID))})
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	r := checks.Run(ctx, idp.OktaConfig(), checks.Options{HTTPClient: idp.HTTPClient()})
	for _, f := range r.Findings {
		t.Logf("%s %s %s %s | %s | %+v", f.Check, f.Status, f.Row, f.Title, f.Detail, f.Evidence)
	}
	cfg := idp.EntraConfig()
	_ = cfg
}
