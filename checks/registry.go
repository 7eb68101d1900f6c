package checks

// All returns every check, in report order. This list is the one place a
// check is registered.
func All() []*Check {
	return []*Check{
		checkValuesURLs,
		checkValuesClientID,
		checkIssuerSlash,
		checkEntraIssuer,
		checkEntraEndpoints,
		checkOktaHost,
		checkOktaAuthServer,
		checkGoogleValues,
		checkPingOneEnvironment,
		checkPingFederatePaths,
		checkCognitoProxy,
		checkAuth0Issuer,
		checkDiscoveryFetch,
		checkDiscoveryIssuer,
		checkDiscoveryEndpoints,
		checkDiscoveryPKCE,
		checkDiscoveryRefresh,
		checkDiscoveryEmail,
		checkJWKSKeys,
		checkJWKSSame,
		checkProbe,
	}
}

// Preflight returns the checks that run without anyone signing in.
func Preflight() []*Check { return All() }

// Static returns the checks that need no network: they read the values alone.
func Static() []*Check {
	var out []*Check
	for _, c := range All() {
		if c.Phase == PhaseValues {
			out = append(out, c)
		}
	}
	return out
}
