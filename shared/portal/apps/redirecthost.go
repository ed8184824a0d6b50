package apps

import (
	"fmt"
	"net/netip"
	"slices"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/net/idna"

	"github.com/bank/devportal/shared/portal/org"
)

// The host of a redirect URI is registered exactly as the authorization server will compare
// it and as browsers will resolve it, so only one spelling of a host is accepted: lower-case
// ASCII, international labels as their xn-- A-label, IPv4 addresses in dotted decimal. Any
// other spelling is refused, because a browser may read it as a different host than the one
// people see in the portal (good.example。evil is good.example.evil to a browser).
//
// Rules, each a field error on the URI's field:
//   - port: an explicit port is 1-65535, digits only, without leading zeros.
//   - confusable: the host is not what it shows: percent-encoded; a character that browsers
//     map to another (ideographic or fullwidth dots, fullwidth letters and digits, other
//     compatibility forms); a character that looks like a dot; a label mixing scripts beyond
//     what UTS #39 "highly restrictive" allows (Latin with Cyrillic, say), typed or as the
//     Unicode form of an xn-- label; an IPv4 address in a form other than dotted decimal
//     (2130706433, 0x7f.1, 127.1), which browsers still read as an address.
//   - ip: the host ends in a number, so browsers parse it as IPv4, but it is not one.
//   - idna: not a valid host name under IDNA2008 registration rules (golang.org/x/net/idna's
//     Registration profile), a U-label instead of its A-label, upper case, or a final dot.
//   - public_host (production only): a loopback, private, link-local, unspecified,
//     unique-local, multicast, shared, documentation or reserved address (IPv4-mapped IPv6
//     addresses by the IPv4 address they carry; IPv6 outside global unicast); or the name
//     localhost, a name under .localhost, .local, .internal, .home.arpa or .localdomain, or a
//     single-label name, all of which resolve only on the caller's machine or network.
//
// The sandbox applies every rule but public_host: sandbox apps serve test data to the
// developers' own browsers, which may run the app on their machine or their network
// (https://192.168.1.20:8443/cb, https://devbox.local/cb); plain http stays limited to
// localhost and 127.0.0.1 there (checked before these rules).

// dotLookalikes are characters that look like a full stop. UTS #46 maps some of them to "."
// (U+3002, U+FF0E, U+FF61), so browsers split the host there; the rest stay inside one label
// while looking like a separator. None belongs in a redirect host, in a typed label or in the
// Unicode form of an xn-- label.
var dotLookalikes = []rune{
	'\u00B7',     // MIDDLE DOT
	'\u0387',     // GREEK ANO TELEIA
	'\u0589',     // ARMENIAN FULL STOP
	'\u05C3',     // HEBREW PUNCTUATION SOF PASUQ
	'\u0660',     // ARABIC-INDIC DIGIT ZERO
	'\u06D4',     // ARABIC FULL STOP
	'\u06F0',     // EXTENDED ARABIC-INDIC DIGIT ZERO
	'\u0701',     // SYRIAC SUPRALINEAR FULL STOP
	'\u0702',     // SYRIAC SUBLINEAR FULL STOP
	'\u2024',     // ONE DOT LEADER
	'\u2027',     // HYPHENATION POINT
	'\u2E31',     // WORD SEPARATOR MIDDLE DOT
	'\u2E33',     // RAISED DOT
	'\u3002',     // IDEOGRAPHIC FULL STOP
	'\u30FB',     // KATAKANA MIDDLE DOT
	'\uA4F8',     // LISU LETTER TONE MYA TI
	'\uA60E',     // VAI FULL STOP
	'\uFE52',     // SMALL FULL STOP
	'\uFF0E',     // FULLWIDTH FULL STOP
	'\uFF61',     // HALFWIDTH IDEOGRAPHIC FULL STOP
	'\uFF65',     // HALFWIDTH KATAKANA MIDDLE DOT
	'\U00010A50', // KHAROSHTHI PUNCTUATION DOT
}

// browsers maps a host the way the WHATWG URL standard does (UTS #46, non-transitional, no
// STD3 rules, no hyphen checks), to tell what host a browser would actually resolve.
var browsers = idna.New(idna.MapForLookup(), idna.Transitional(false), idna.StrictDomainName(false),
	idna.CheckHyphens(false), idna.CheckJoiners(true), idna.BidiRule())

// hostProblem applies the host rules above to the host of a parsed redirect URI: authority is
// the URI's authority as typed (without user info), host is url.URL.Hostname. It returns the
// broken rule and its message, or two empty strings.
func hostProblem(authority, host string, env org.Environment) (rule, message string) {
	if strings.Contains(authority, "%") {
		return "confusable", "Write the host without percent-encoding (%…): browsers decode it, so the host shown is not the host used."
	}
	var addr netip.Addr
	switch {
	case strings.HasPrefix(authority, "["):
		// A zone (fe80::1%25eth0) needs "%", refused above; it names an interface of the
		// browser's machine, which no redirect URI can mean. net/url has parsed the address
		// already; the error case only keeps a change there from becoming a panic here.
		a, err := netip.ParseAddr(host)
		if err != nil {
			return "ip", "Write the IPv6 address in brackets as eight groups of hexadecimal digits (:: for zeros), or use a host name."
		}
		addr = a
	case !isASCII(host):
		// Never accepted (the A-label is the one spelling); checked before the IPv4 forms,
		// since browsers map fullwidth digits too.
		return unicodeNameProblem(host)
	case strings.HasSuffix(host, "."):
		return "idna", "Remove the dot at the end of the host: browsers treat " + host + " and " + strings.TrimSuffix(host, ".") + " as different sites."
	case endsInNumber(host):
		a, ok := parseBrowserIPv4(host)
		if !ok {
			return "ip", "This host ends in a number, so browsers read it as an IPv4 address, but it is not a valid one: write the address as four numbers from 0 to 255, or use a host name."
		}
		if a.String() != host {
			return "confusable", "Browsers read this host as the IP address " + a.String() + ": write the address that way."
		}
		addr = a
	default:
		if rule, message := nameProblem(host); rule != "" {
			return rule, message
		}
	}
	if env != org.Production {
		return "", ""
	}
	var what string
	if addr.IsValid() {
		what = addressKind(addr)
	} else {
		what = nameKind(host)
	}
	if what == "" {
		return "", ""
	}
	return "public_host", "Production apps need a public host: " + host + " is " + what + "."
}

// isASCII says whether s has only ASCII characters.
func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

// nameProblem applies the IDNA and confusable rules to an ASCII host name.
func nameProblem(host string) (rule, message string) {
	lower := strings.ToLower(host)
	labels := strings.Split(lower, ".")
	var unicodeLabels []string
	for _, label := range labels {
		if !strings.HasPrefix(label, "xn--") {
			continue
		}
		// The Punycode profile only decodes; validity is checked next, under registration rules.
		u, err := idna.Punycode.ToUnicode(label)
		if err != nil {
			continue
		}
		if r, ok := dotLookalike(u); ok {
			return "confusable", fmt.Sprintf("The label %s stands for %s, whose %s looks like a dot: use a host without it.", label, u, runeName(r))
		}
		unicodeLabels = append(unicodeLabels, u)
	}
	if _, err := idna.Registration.ToASCII(lower); err != nil {
		return "idna", "Enter a valid host name: labels of letters, digits and hyphens (not first or last), at most 63 characters each; international names as their xn-- form."
	}
	if lower != host {
		return "idna", "Write the host in lower case: " + lower + "."
	}
	for _, u := range unicodeLabels {
		if a, b, mixed := mixedScripts(u); mixed {
			return "confusable", fmt.Sprintf("This host stands for %s, which mixes %s and %s letters in one label: it can imitate another host.", unicodeHost(lower), a, b)
		}
	}
	return "", ""
}

// unicodeNameProblem explains why a host with non-ASCII characters is refused: none is
// accepted, since the registered form must be the A-label, but the rule says whether the host
// also hides another one. It always returns a rule.
func unicodeNameProblem(host string) (rule, message string) {
	mapped, err := browsers.ToUnicode(host)
	if err == nil && mapped != host && mapped != strings.ToLower(host) {
		ascii, _ := browsers.ToASCII(host)
		return "confusable", "Browsers read this host as " + ascii + ", which is not what it shows: write the host in plain ASCII."
	}
	if r, ok := dotLookalike(host); ok {
		return "confusable", fmt.Sprintf("This host contains %s, which looks like a dot but is not one: write the host in plain ASCII with plain dots.", runeName(r))
	}
	if err == nil {
		for _, label := range strings.Split(mapped, ".") {
			if a, b, mixed := mixedScripts(label); mixed {
				return "confusable", fmt.Sprintf("This host mixes %s and %s letters in one label: it can imitate another host.", a, b)
			}
		}
	}
	ascii, err := idna.Registration.ToASCII(strings.ToLower(host))
	if err != nil {
		return "idna", "Enter a valid host name: labels of letters, digits and hyphens (not first or last), at most 63 characters each; international names as their xn-- form."
	}
	return "idna", "Write the host in its ASCII (xn--) form: " + ascii + "."
}

// unicodeHost shows a host with its xn-- labels decoded, for messages.
func unicodeHost(host string) string {
	u, err := idna.Punycode.ToUnicode(host)
	if err != nil {
		return host
	}
	return u
}

// dotLookalike finds the first character of s that looks like a dot.
func dotLookalike(s string) (rune, bool) {
	for _, r := range s {
		if slices.Contains(dotLookalikes, r) {
			return r, true
		}
	}
	return 0, false
}

// runeName writes a character with its code point, so the message shows what an eye cannot.
func runeName(r rune) string {
	return fmt.Sprintf("%q (%U)", r, r)
}

// restrictiveSets are the sets of scripts one label may combine under UTS #39's "highly
// restrictive" level: one script, or Latin with the scripts written together in Japanese,
// Chinese or Korean.
var restrictiveSets = [][]string{
	{"Latin", "Han", "Hiragana", "Katakana"},
	{"Latin", "Han", "Bopomofo"},
	{"Latin", "Han", "Hangul"},
}

// mixedScripts says whether a label mixes scripts beyond the restrictive sets, naming two of
// them (in alphabetical order). Common and Inherited characters (digits, hyphen, combining
// marks) belong to every script.
func mixedScripts(label string) (a, b string, mixed bool) {
	var seen []string
	for _, r := range label {
		for name, table := range unicode.Scripts {
			if name != "Common" && name != "Inherited" && unicode.Is(table, r) && !slices.Contains(seen, name) {
				seen = append(seen, name)
			}
		}
	}
	if len(seen) < 2 {
		return "", "", false
	}
	for _, set := range restrictiveSets {
		if !slices.ContainsFunc(seen, func(s string) bool { return !slices.Contains(set, s) }) {
			return "", "", false
		}
	}
	slices.Sort(seen)
	// Name a pair that no set allows, so the message points at the mix that matters.
	for i, x := range seen {
		for _, y := range seen[i+1:] {
			if !slices.ContainsFunc(restrictiveSets, func(set []string) bool { return slices.Contains(set, x) && slices.Contains(set, y) }) {
				return x, y, true
			}
		}
	}
	return seen[0], seen[1], true
}

// endsInNumber is the WHATWG URL standard's test for a host browsers parse as IPv4: its last
// label (ignoring one final dot) is all digits or a 0x hexadecimal number.
func endsInNumber(host string) bool {
	labels := strings.Split(host, ".")
	if len(labels) > 1 && labels[len(labels)-1] == "" {
		labels = labels[:len(labels)-1]
	}
	last := labels[len(labels)-1]
	if last != "" && strings.Trim(last, "0123456789") == "" {
		return true
	}
	_, ok := ipv4Number(last)
	return ok
}

// parseBrowserIPv4 parses a host as the WHATWG URL standard's IPv4 parser does: one to four
// numbers in decimal, octal (leading 0) or hexadecimal (0x), the last filling the remaining
// bytes, so 2130706433, 0x7f.1 and 127.1 are all 127.0.0.1.
func parseBrowserIPv4(host string) (netip.Addr, bool) {
	labels := strings.Split(strings.TrimSuffix(host, "."), ".")
	if len(labels) > 4 {
		return netip.Addr{}, false
	}
	var v uint64
	for i, label := range labels {
		n, ok := ipv4Number(label)
		if !ok {
			return netip.Addr{}, false
		}
		if i < len(labels)-1 {
			if n > 255 {
				return netip.Addr{}, false
			}
			v = v<<8 | n
			continue
		}
		rest := uint(8 * (4 - i))
		if n >= 1<<rest {
			return netip.Addr{}, false
		}
		v = v<<rest | n
	}
	return netip.AddrFrom4([4]byte{byte(v >> 24), byte(v >> 16), byte(v >> 8), byte(v)}), true
}

// ipv4Number parses one part of a WHATWG IPv4 address.
func ipv4Number(s string) (uint64, bool) {
	base := 10
	switch {
	case len(s) >= 2 && (s[:2] == "0x" || s[:2] == "0X"):
		s, base = s[2:], 16
	case len(s) >= 2 && s[0] == '0':
		s, base = s[1:], 8
	}
	if s == "" {
		// "0x" alone is zero, as is "0".
		return 0, base != 10
	}
	if s[0] == '+' || s[0] == '-' {
		return 0, false
	}
	n, err := strconv.ParseUint(s, base, 64)
	return n, err == nil
}

// addressKind says why an address is not public, or "" when it is.
func addressKind(addr netip.Addr) string {
	addr = addr.Unmap()
	switch {
	case addr.IsUnspecified():
		return "an unspecified address"
	case addr.IsLoopback():
		return "a loopback address"
	case addr.IsLinkLocalUnicast():
		return "a link-local address"
	case addr.Is6() && uniqueLocal.Contains(addr):
		return "a unique-local address"
	case addr.IsPrivate():
		return "a private address"
	case addr.IsMulticast():
		return "a multicast address"
	case addr.Is6() && !globalUnicast.Contains(addr):
		return "a reserved address"
	}
	for _, p := range notPublic {
		if p.prefix.Contains(addr) {
			return p.what
		}
	}
	return ""
}

var (
	uniqueLocal   = netip.MustParsePrefix("fc00::/7")
	globalUnicast = netip.MustParsePrefix("2000::/3")
)

// notPublic are the special-purpose ranges (IANA's registries) that the cases of addressKind
// leave: not reachable on the internet, or not meant to be.
var notPublic = []struct {
	prefix netip.Prefix
	what   string
}{
	{netip.MustParsePrefix("0.0.0.0/8"), "a reserved address"},
	{netip.MustParsePrefix("100.64.0.0/10"), "a shared (carrier-grade NAT) address"},
	{netip.MustParsePrefix("192.0.0.0/24"), "a reserved address"},
	{netip.MustParsePrefix("192.0.2.0/24"), "a documentation address"},
	{netip.MustParsePrefix("198.18.0.0/15"), "a reserved address"},
	{netip.MustParsePrefix("198.51.100.0/24"), "a documentation address"},
	{netip.MustParsePrefix("203.0.113.0/24"), "a documentation address"},
	{netip.MustParsePrefix("240.0.0.0/4"), "a reserved address"},
	{netip.MustParsePrefix("2001::/23"), "a reserved address"},
	{netip.MustParsePrefix("2001:db8::/32"), "a documentation address"},
	{netip.MustParsePrefix("2002::/16"), "a reserved address"},
	{netip.MustParsePrefix("3fff::/20"), "a documentation address"},
}

// localSuffixes are the special-use domains whose names resolve only on the caller's network.
var localSuffixes = []string{"local", "internal", "home.arpa", "localdomain"}

// nameKind says why a host name is not public, or "" when it may be.
func nameKind(host string) string {
	switch {
	case host == "localhost" || strings.HasSuffix(host, ".localhost"):
		return "a loopback name"
	case !strings.Contains(host, "."):
		return "a single-label name, which only a local network resolves"
	}
	for _, s := range localSuffixes {
		if host == s || strings.HasSuffix(host, "."+s) {
			return "a name under ." + s + ", which only a local network resolves"
		}
	}
	return ""
}

// portProblem says whether the port of an authority ("host:port", "[v6]:port") breaks the
// port rule: one given must be 1-65535 in digits without leading zeros.
func portProblem(authority string) bool {
	if i := strings.LastIndex(authority, "@"); i >= 0 {
		authority = authority[i+1:]
	}
	if strings.HasPrefix(authority, "[") {
		i := strings.LastIndex(authority, "]")
		if i < 0 {
			return false
		}
		authority = authority[i+1:]
		if authority == "" {
			return false
		}
	}
	i := strings.LastIndex(authority, ":")
	if i < 0 {
		return false
	}
	port := authority[i+1:]
	n, err := strconv.Atoi(port)
	return err != nil || strings.Trim(port, "0123456789") != "" || port[0] == '0' || n < 1 || n > 65535
}

// rawAuthority is the authority of a URI as typed (net/url decodes percent-encoding in the
// host), or false when the URI has none.
func rawAuthority(raw string) (string, bool) {
	i := strings.Index(raw, "://")
	if i < 0 || strings.ContainsAny(raw[:i], "/?#") {
		return "", false
	}
	rest := raw[i+3:]
	if j := strings.IndexAny(rest, "/?#"); j >= 0 {
		rest = rest[:j]
	}
	return rest, true
}
