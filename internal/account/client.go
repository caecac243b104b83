package account

import (
	"net/netip"
	"strings"
)

// AddrPrefix is the network a client address belongs to for throttling and lockout: the /24 of an
// IPv4 address, the /64 of an IPv6 one (one subscriber's allocation: an attacker changes the last
// 64 bits at will). Anything unparsable is kept as it is.
func AddrPrefix(addr string) string {
	a, err := netip.ParseAddr(strings.TrimSpace(addr))
	if err != nil {
		return addr
	}
	a = a.Unmap().WithZone("")
	bits := 24
	if a.Is6() {
		bits = 64
	}
	p, err := a.Prefix(bits)
	if err != nil {
		return addr
	}
	return p.String()
}

// BrowserOf reduces a User-Agent to the browser family and the system ("Chrome · Windows"): enough
// for a person to recognise a session on the sessions page, without storing a fingerprint.
func BrowserOf(userAgent string) string {
	ua := userAgent
	family := "其他浏览器"
	for _, f := range []struct{ token, name string }{
		{"Edg/", "Edge"}, {"OPR/", "Opera"}, {"MicroMessenger", "微信"}, {"DingTalk", "钉钉"},
		{"QQBrowser", "QQ 浏览器"}, {"UCBrowser", "UC 浏览器"}, {"360SE", "360 浏览器"},
		{"Firefox/", "Firefox"}, {"HeadlessChrome", "Chrome"}, {"Chrome/", "Chrome"}, {"Safari/", "Safari"},
		{"curl/", "curl"},
	} {
		if strings.Contains(ua, f.token) {
			family = f.name
			break
		}
	}
	system := ""
	for _, s := range []struct{ token, name string }{
		{"Windows", "Windows"}, {"Android", "Android"}, {"iPhone", "iOS"}, {"iPad", "iPadOS"},
		{"Mac OS X", "macOS"}, {"CrOS", "ChromeOS"}, {"Linux", "Linux"},
	} {
		if strings.Contains(ua, s.token) {
			system = s.name
			break
		}
	}
	if ua == "" {
		return "未知"
	}
	if system == "" {
		return family
	}
	return family + " · " + system
}
