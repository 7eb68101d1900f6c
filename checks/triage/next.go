package triage

import (
	"github.com/quickdiag/quickdiag/checks"
	"github.com/quickdiag/quickdiag/checks/idp"
)

// nextSteps says where the administrator finds the reported event in the
// IdP's own logs, with the ids the text carries filled in.
func nextSteps(f Facts, provider *checks.IdP) []string {
	var out []string
	red := &checks.Redactor{}
	id := func(s string) string { return checks.Truncate(red.String(s), 100) }
	when := ""
	if f.Timestamp != "" {
		when = " (around " + id(f.Timestamp) + ")"
	}
	switch {
	case provider == idp.Entra || (provider == nil && (f.CorrelationID != "" || f.TraceID != "") && hasCode(f, "AADSTS")):
		if f.CorrelationID != "" {
			out = append(out, "Microsoft Entra admin center → Identity → Monitoring & health → Sign-in logs: add the filter Correlation ID = "+id(f.CorrelationID)+when+"; the entry's Basic info and Conditional Access tabs say what failed.")
		} else if f.TraceID != "" || f.ErrorID != "" {
			rid := f.TraceID
			if rid == "" {
				rid = f.ErrorID
			}
			out = append(out, "Microsoft Entra admin center → Identity → Monitoring & health → Sign-in logs: add the filter Request ID = "+id(rid)+when+".")
		}
	case provider == idp.Okta && f.ErrorID != "":
		out = append(out, "Okta Admin Console → Reports → System Log: search for "+id(f.ErrorID)+when+" (the error id, or the request id the page shows); open the event's debugContext.")
	case provider == idp.ADFS && f.ErrorID != "":
		out = append(out, "On the AD FS server: Event Viewer → Applications and Services Logs → AD FS → Admin; find the events with Activity ID "+id(f.ErrorID)+when+".")
	case provider == idp.Keycloak:
		out = append(out, "Keycloak admin console → the realm → Events → User events (with saving events on): filter by the client and the error"+when+".")
	case provider == idp.PingOne && f.ErrorID != "":
		out = append(out, "PingOne admin console → Monitoring → Audit: search for the id "+id(f.ErrorID)+when+".")
	case provider == idp.PingFederate:
		out = append(out, "On the PingFederate server: log/server.log and log/audit.log"+when+"; search for the client id and the error.")
	}
	return out
}

func hasCode(f Facts, prefix string) bool {
	for _, c := range f.Codes {
		if len(c) > len(prefix) && c[:len(prefix)] == prefix {
			return true
		}
	}
	return false
}
