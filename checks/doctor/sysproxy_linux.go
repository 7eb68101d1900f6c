package doctor

import (
	"context"
	"errors"
	"strings"
)

// ReadSystemProxy reads the desktop's proxy settings: GNOME's, through
// gsettings, where the command exists. Without it there are none to read
// (other desktops keep theirs to themselves; the environment still applies).
func ReadSystemProxy(ctx context.Context) SystemProxy {
	if _, err := runCmd(ctx, "gsettings", "--version"); errors.Is(err, errNoCommand) {
		return SystemProxy{Note: "no gsettings command (not a GNOME desktop): only the environment and --pac apply."}
	}
	return fromGNOME(func(schema, key string) (string, error) {
		out, err := runCmd(ctx, "gsettings", "get", schema, key)
		return strings.TrimSpace(out), err
	})
}
