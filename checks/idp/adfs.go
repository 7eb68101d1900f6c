package idp

import "github.com/quickdiag/quickdiag/checks"

// ADFS is Microsoft Active Directory Federation Services (AD FS 2016 and later).
var ADFS = &checks.IdP{ID: "adfs", Name: "Microsoft AD FS"}
