//go:build !linux && !darwin && !windows

package doctor

import (
	"context"
	"runtime"
)

// ReadSystemProxy returns no settings: quickdiag does not read this
// system's.
func ReadSystemProxy(context.Context) SystemProxy {
	return SystemProxy{Note: "not read on " + runtime.GOOS + ": only the environment and --pac apply."}
}
