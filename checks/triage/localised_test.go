package triage

import (
	"testing"

	"github.com/quickdiag/quickdiag/checks/catalog"
)

// TestLocalisedTexts: the translated page texts load, and a text pasted
// in another language — with other quotes and line breaks — finds its row.
func TestLocalisedTexts(t *testing.T) {
	signs, err := localisedSigns(localisedFS)
	if err != nil {
		t.Fatal(err)
	}
	if len(signs) < 200 {
		t.Errorf("%d translated texts; the Okta widget's alone are more than 200", len(signs))
	}
	for text, want := range map[string]catalog.ID{
		"Okta: Ihr Konto ist gesperrt.\nWenden Sie sich an den Administrator.": catalog.IdPError,
		"No es posible conectarse al servidor. Compruebe su conexión de red.":  catalog.DiscoveryUnreachable,
		"Erreur : L’utilisateur n’est pas affecté à cette application":         catalog.AccessDeniedPolicy,
		// A value the page fills in ({} in the data) matches whatever it is.
		"Okta: Access to this application requires re-authentication: Quick Desktop (AWS)": catalog.AccessDeniedPolicy,
		// Keycloak's login page, in Japanese and Russian.
		"Keycloak: 無効なパラメータ: redirect_uri": catalog.RedirectMismatch,
	} {
		if ms := Rank(text); len(ms) == 0 || ms[0].Row != want {
			t.Errorf("%q: got %+v, want %s first", text, ms, want)
		}
	}
}
