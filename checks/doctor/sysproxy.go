package doctor

import (
	"bufio"
	"context"
	"net"
	"os/exec"
	"strconv"
	"strings"
	"time"
)

// The parsers here are used by the OS-specific readers; they are
// OS-independent so that every one is tested everywhere.

// sysCmdTimeout bounds one settings command (gsettings, scutil).
const sysCmdTimeout = 3 * time.Second

// runCmd runs a settings command with a bound; a missing command is
// errNoCommand.
func runCmd(ctx context.Context, name string, args ...string) (string, error) {
	path, err := exec.LookPath(name)
	if err != nil {
		return "", errNoCommand
	}
	ctx, cancel := context.WithTimeout(ctx, sysCmdTimeout)
	defer cancel()
	out, err := exec.CommandContext(ctx, path, args...).Output()
	if len(out) > 64<<10 {
		out = out[:64<<10]
	}
	return string(out), err
}

type noCommandError struct{}

func (noCommandError) Error() string { return "command not found" }

var errNoCommand error = noCommandError{}

// gsettingsString unquotes a gsettings string value ('auto' → auto).
func gsettingsString(v string) string {
	v = strings.TrimSpace(v)
	if len(v) >= 2 && v[0] == '\'' && v[len(v)-1] == '\'' {
		return strings.ReplaceAll(v[1:len(v)-1], `\'`, `'`)
	}
	return v
}

// gsettingsList parses a gsettings string list (['localhost', '::1']).
func gsettingsList(v string) []string {
	v = strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(v), "@as"))
	v = strings.TrimSuffix(strings.TrimPrefix(v, "["), "]")
	var out []string
	for _, e := range strings.Split(v, ",") {
		if e = gsettingsString(e); e != "" {
			out = append(out, e)
		}
	}
	return out
}

// fromGNOME builds the settings from GNOME's org.gnome.system.proxy keys;
// get returns one key's value as gsettings prints it.
func fromGNOME(get func(schema, key string) (string, error)) SystemProxy {
	s := SystemProxy{Source: "GNOME settings (gsettings org.gnome.system.proxy)"}
	mode, err := get("org.gnome.system.proxy", "mode")
	if err != nil {
		return SystemProxy{Note: "GNOME's proxy settings could not be read: " + err.Error() + "."}
	}
	switch gsettingsString(mode) {
	case "auto":
		u, _ := get("org.gnome.system.proxy", "autoconfig-url")
		s.PACURL = gsettingsString(u)
		if s.PACURL == "" {
			s.AutoDetect = true
		}
	case "manual":
		hostPort := func(schema string) string {
			h, _ := get(schema, "host")
			p, _ := get(schema, "port")
			host, port := gsettingsString(h), strings.TrimSpace(p)
			if host == "" || port == "0" || port == "" {
				return ""
			}
			return net.JoinHostPort(host, port)
		}
		s.HTTP = hostPort("org.gnome.system.proxy.http")
		s.HTTPS = hostPort("org.gnome.system.proxy.https")
		ig, _ := get("org.gnome.system.proxy", "ignore-hosts")
		s.Bypass = gsettingsList(ig)
	case "none":
	default:
		s.Note = "mode " + gsettingsString(mode) + " is not one quickdiag knows: taken as no proxy."
	}
	return s
}

// fromScutil builds the settings from what "scutil --proxy" prints.
func fromScutil(out string) SystemProxy {
	s := SystemProxy{Source: "macOS system configuration (scutil --proxy)"}
	kv := map[string]string{}
	inList := ""
	sc := bufio.NewScanner(strings.NewReader(out))
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if inList != "" {
			if line == "}" {
				inList = ""
				continue
			}
			if _, v, ok := strings.Cut(line, " : "); ok && inList == "ExceptionsList" {
				s.Bypass = append(s.Bypass, strings.TrimSpace(v))
			}
			continue
		}
		k, v, ok := strings.Cut(line, " : ")
		if !ok {
			continue
		}
		k, v = strings.TrimSpace(k), strings.TrimSpace(v)
		if strings.HasPrefix(v, "<array>") {
			inList = k
			continue
		}
		kv[k] = v
	}
	on := func(k string) bool { return kv[k] == "1" }
	hp := func(prefix string) string {
		if !on(prefix+"Enable") || kv[prefix+"Proxy"] == "" {
			return ""
		}
		return net.JoinHostPort(kv[prefix+"Proxy"], kv[prefix+"Port"])
	}
	s.HTTP, s.HTTPS = hp("HTTP"), hp("HTTPS")
	if on("ProxyAutoConfigEnable") {
		s.PACURL = kv["ProxyAutoConfigURLString"]
	}
	s.AutoDetect = on("ProxyAutoDiscoveryEnable")
	if on("ExcludeSimpleHostnames") {
		s.Bypass = append(s.Bypass, "<local>")
	}
	return s
}

// fromWinINet builds the settings from the registry values of
// HKCU\Software\Microsoft\Windows\CurrentVersion\Internet Settings.
func fromWinINet(enable uint64, server, override, autoConfig string) SystemProxy {
	s := SystemProxy{Source: `the registry (HKCU\Software\Microsoft\Windows\CurrentVersion\Internet Settings)`, PACURL: strings.TrimSpace(autoConfig)}
	if enable != 0 && server != "" {
		if !strings.Contains(server, "=") {
			s.HTTP, s.HTTPS = hostOnly(server), hostOnly(server)
		} else {
			for _, part := range strings.Split(server, ";") {
				k, v, _ := strings.Cut(part, "=")
				switch strings.ToLower(strings.TrimSpace(k)) {
				case "http":
					s.HTTP = hostOnly(v)
				case "https":
					s.HTTPS = hostOnly(v)
				}
			}
		}
	}
	for _, e := range strings.Split(override, ";") {
		if e = strings.TrimSpace(e); e != "" {
			s.Bypass = append(s.Bypass, e)
		}
	}
	if enable == 0 && s.PACURL == "" {
		s.Note = "ProxyEnable is " + strconv.FormatUint(enable, 10) + " and no AutoConfigURL: no proxy."
	}
	return s
}

// hostOnly strips a scheme from a WinINet proxy value (http://p:8080 → p:8080).
func hostOnly(v string) string {
	v = strings.TrimSpace(v)
	if _, rest, ok := strings.Cut(v, "://"); ok {
		v = rest
	}
	return strings.TrimSuffix(v, "/")
}
