package doctor

import "context"

// ReadSystemProxy reads the system configuration's proxy settings, as
// "scutil --proxy" prints them.
func ReadSystemProxy(ctx context.Context) SystemProxy {
	out, err := runCmd(ctx, "scutil", "--proxy")
	if err != nil {
		return SystemProxy{Note: "scutil --proxy could not be run: " + err.Error() + "."}
	}
	return fromScutil(out)
}
