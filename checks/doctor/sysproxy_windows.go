package doctor

import (
	"context"

	"golang.org/x/sys/windows/registry"
)

// ReadSystemProxy reads the user's WinINet proxy settings from the registry
// (ProxyEnable, ProxyServer, ProxyOverride, AutoConfigURL).
func ReadSystemProxy(context.Context) SystemProxy {
	k, err := registry.OpenKey(registry.CURRENT_USER, `Software\Microsoft\Windows\CurrentVersion\Internet Settings`, registry.QUERY_VALUE)
	if err != nil {
		return SystemProxy{Note: "the Internet Settings registry key could not be read: " + err.Error() + "."}
	}
	defer k.Close()
	enable, _, _ := k.GetIntegerValue("ProxyEnable")
	server, _, _ := k.GetStringValue("ProxyServer")
	override, _, _ := k.GetStringValue("ProxyOverride")
	pac, _, _ := k.GetStringValue("AutoConfigURL")
	return fromWinINet(enable, server, override, pac)
}
