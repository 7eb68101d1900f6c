package account

import (
	"regexp"
	"strings"

	"github.com/quickdiag/quickdiag/checks"
	"github.com/quickdiag/quickdiag/checks/catalog"
)

type accountInfo struct {
	AccountName               string `json:"AccountName"`
	Edition                   string `json:"Edition"`
	AuthenticationType        string `json:"AuthenticationType"`
	AccountSubscriptionStatus string `json:"AccountSubscriptionStatus"`
	IAMIdentityCenterInstance string `json:"IAMIdentityCenterInstanceArn"`
}

// arnRegionRE finds the Region of an ARN.
var arnRegionRE = regexp.MustCompile(`arn:aws[a-z-]*:quicksight:([a-z]{2}(?:-[a-z]+)+-\d):`)

// AnalyzeSubscription checks 'aws quicksight describe-account-subscription'
// output. Its output carries no Region: region is the identity region when
// known ("" otherwise).
func AnalyzeSubscription(in Input, region string) (*Analysis, error) {
	var doc struct {
		AccountInfo *accountInfo `json:"AccountInfo"`
	}
	if err := decodeJSON(in, in.Data, &doc); err != nil {
		return nil, err
	}
	info := doc.AccountInfo
	if info == nil {
		var bare accountInfo
		if err := decodeJSON(in, in.Data, &bare); err != nil || bare.Edition == "" && bare.AuthenticationType == "" {
			return nil, inputErr(in, `no "AccountInfo" field: expected the output of 'aws quicksight describe-account-subscription'`)
		}
		info = &bare
	}
	a := newAnalysis("subscription", in)
	switch strings.ToUpper(info.Edition) {
	case "ENTERPRISE", "ENTERPRISE_AND_Q":
		a.Add("subscription.edition", checks.Passf("Edition %s has enterprise sign-in for the desktop app", info.Edition))
	case "":
		a.Add("subscription.edition", checks.Skipf("Not checked: the output has no Edition"))
	default:
		a.Add("subscription.edition", checks.Problem(checks.Fail, catalog.EnterpriseEditionRequired, "Edition "+info.Edition+" has no enterprise sign-in for the desktop app").
			WithEvidence("ENTERPRISE or ENTERPRISE_AND_Q", info.Edition))
	}
	switch strings.ToUpper(info.AccountSubscriptionStatus) {
	case "ACCOUNT_CREATED":
		a.Add("subscription.status", checks.Passf("The subscription is active (ACCOUNT_CREATED)"))
	case "":
		a.Add("subscription.status", checks.Skipf("Not checked: the output has no AccountSubscriptionStatus"))
	default:
		a.Add("subscription.status", checks.Problem(checks.Fail, catalog.AccountNotReady, "The subscription is not active").WithEvidence("ACCOUNT_CREATED", info.AccountSubscriptionStatus))
	}
	auth := strings.ToUpper(info.AuthenticationType)
	switch auth {
	case "IAM_IDENTITY_CENTER":
		f := checks.Passf("Authentication type IAM_IDENTITY_CENTER")
		f.Detail = "Web and desktop can both ride IAM Identity Center (its KMS key policies must allow sso, identitystore and quicksight: quickdiag analyze kms-policy). An OIDC extension access, if you add one, governs the desktop app only; the web keeps IAM Identity Center."
		a.Add("subscription.authentication", f)
	case "":
		a.Add("subscription.authentication", checks.Skipf("Not checked: the output has no AuthenticationType"))
	default:
		f := checks.Passf("Authentication type %s", info.AuthenticationType)
		f.Detail = "The desktop app signs in through the OIDC extension access (your IdP); the web keeps " + info.AuthenticationType + ". The account's users must carry the same emails as the IdP."
		a.Add("subscription.authentication", f)
	}
	if region == "" {
		if m := arnRegionRE.FindSubmatch(in.Data); m != nil {
			region = string(m[1])
		}
	}
	a.Add("subscription.region", regionFinding(region, "describe-account-subscription output carries no Region: give --region, or run quickdiag analyze users on list-users output, whose ARNs show the identity region"))
	return a, nil
}

func regionFinding(region, unknown string) checks.Finding {
	switch region {
	case "":
		return checks.Skipf("Not checked: %s.", unknown)
	case "us-east-1":
		return checks.Passf("The identity region is us-east-1, as the desktop app requires")
	}
	return checks.Problem(checks.Fail, catalog.IdentityRegion, "The identity region is "+region+", not us-east-1").
		WithDetail("The desktop app connects to us-east-1 for sign-in; an account's identity region is fixed when it is created.").
		WithEvidence("us-east-1", region)
}

// User reconciliation.
