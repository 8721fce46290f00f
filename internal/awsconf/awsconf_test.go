package awsconf

import (
	"strings"
	"testing"
)

func TestCheckEndpointURL(t *testing.T) {
	for _, ok := range []string{"http://127.0.0.1:5000", "https://ec2.eu-west-1.amazonaws.com", "http://u:p@127.0.0.1:5000/"} {
		if err := CheckEndpointURL(ok); err != nil {
			t.Errorf("%s: %v", ok, err)
		}
	}
	for raw, want := range map[string]string{
		"http://user:secretpw@host:port":  `endpoint URL http://user:xxxxx@host:port does not parse: invalid port ":port" after host`,
		"http://user:secretpw@[::1":       "endpoint URL http://user:xxxxx@[::1 does not parse: missing ']' in host",
		"user:secretpw@127.0.0.1:5000":    "endpoint URL xxxxx@127.0.0.1:5000: want http:// or https://",
		"ftp://user:secretpw@example.com": "endpoint URL ftp://user:xxxxx@example.com: want http:// or https://",
		"http:///path":                    "endpoint URL http:///path has no host",
	} {
		err := CheckEndpointURL(raw)
		if err == nil || err.Error() != want {
			t.Errorf("CheckEndpointURL(%q) = %v, want %q", raw, err, want)
		}
	}
}

// FuzzRedactURL: whatever surrounds it, the password of an endpoint URL never appears in an error.
func FuzzRedactURL(f *testing.F) {
	for _, s := range [][2]string{{"127.0.0.1:5000", "s3cr3tpassword"}, {"127.0.0.1:badport", "hunter2hunter2"}, {"[::1", "pw-pw-pw-pw"},
		{"h/%zz", "longpassword"}, {"h:1?x#y", "aaaaaaaaaa"}} {
		f.Add("http", "user", s[1], s[0])
	}
	f.Fuzz(func(t *testing.T, scheme, user, pw, rest string) {
		if len(pw) < 8 || strings.ContainsAny(pw, "@/?#:%") || strings.ContainsAny(user, "@/?#:") ||
			strings.Contains(scheme+user+rest, pw) || strings.ContainsAny(scheme, ":/?#@") {
			return
		}
		raw := scheme + "://" + user + ":" + pw + "@" + rest
		if strings.Contains(RedactURL(raw), pw) {
			t.Fatalf("RedactURL(%q) = %q", raw, RedactURL(raw))
		}
		if err := CheckEndpointURL(raw); err != nil && strings.Contains(err.Error(), pw) {
			t.Fatalf("CheckEndpointURL(%q) = %v", raw, err)
		}
	})
}
