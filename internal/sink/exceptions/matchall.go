package exceptions

import (
	"fmt"
	"path"
	"strings"
)

// An exception whose every matcher matches everything would turn every FAIL into EXCEPTED: Parse refuses it.
// A pattern matches everything when
//   - it names nothing: it is made only of `*`, `?` and negated classes ([^x]) or classes that match any
//     character, so `*`, `?*`, `*?`, `[^x]*` are all refused whatever the field; or
//   - it matches every probe of its field: a set of real account ids, region names or VPC ids that covers every
//     character at every position (so `????????????` or `[0-9]*` as an account, `*-*-*` as a region, `vpc-*`
//     as a VPC are refused, while `eu-*`, `1111*` or `vpc-0a*` are not).

// matchAll reports whether pattern (of the match field named field: account, region, vpc, or tags.KEY) matches
// everything; "" (not given) does not.
func matchAll(field, pattern string) bool {
	if pattern == "" {
		return false
	}
	if namesNothing(pattern) {
		return true
	}
	probes := tagProbes
	switch field {
	case "account":
		probes = accountProbes
	case "region":
		probes = regionProbes
	case "vpc":
		probes = vpcProbes
	}
	for _, p := range probes {
		if ok, _ := path.Match(pattern, p); !ok {
			return false
		}
	}
	return true
}

// namesNothing reports whether a (valid) pattern has no literal character and no positive class that excludes
// some character.
func namesNothing(pattern string) bool {
	for i := 0; i < len(pattern); i++ {
		switch c := pattern[i]; c {
		case '*', '?':
		case '[':
			end := classEnd(pattern, i)
			if end < 0 {
				return false
			}
			class := pattern[i : end+1]
			neg := len(class) > 1 && class[1] == '^' // path.Match negates with ^ only: [!x] is the set {!, x}
			if !neg && !matchesAnyChar(class) {
				return false
			}
			i = end
		default:
			return false // a literal (or an escaped character)
		}
	}
	return true
}

// classEnd returns the index of the ] that closes the class opening at pattern[i], honouring escapes.
func classEnd(pattern string, i int) int {
	for j := i + 1; j < len(pattern); j++ {
		switch pattern[j] {
		case '\\':
			j++
		case ']':
			return j
		}
	}
	return -1
}

// anyChars stand for "every character" when deciding whether a class matches any character.
var anyChars = func() []string {
	var out []string
	for c := 0x20; c < 0x7f; c++ {
		out = append(out, string(rune(c)))
	}
	return append(out, "é", "日", "\t")
}()

func matchesAnyChar(class string) bool {
	for _, c := range anyChars {
		if ok, _ := path.Match(class, c); !ok {
			return false
		}
	}
	return true
}

var (
	accountProbes = func() []string {
		out := []string{"123456789012", "098765432109"}
		for d := '0'; d <= '9'; d++ {
			out = append(out, strings.Repeat(string(d), 12))
		}
		return out
	}()
	regionProbes = []string{
		"us-east-1", "us-east-2", "us-west-1", "us-west-2", "af-south-1", "ap-east-1", "ap-east-2", "ap-south-1",
		"ap-south-2", "ap-northeast-1", "ap-northeast-2", "ap-northeast-3", "ap-southeast-1", "ap-southeast-2",
		"ap-southeast-3", "ap-southeast-4", "ap-southeast-5", "ap-southeast-7", "ca-central-1", "ca-west-1",
		"eu-central-1", "eu-central-2", "eu-west-1", "eu-west-2", "eu-west-3", "eu-north-1", "eu-south-1",
		"eu-south-2", "il-central-1", "me-south-1", "me-central-1", "mx-central-1", "sa-east-1", "cn-north-1",
		"cn-northwest-1", "us-gov-west-1", "us-gov-east-1", "us-iso-east-1", "us-isob-east-1", "eusc-de-east-1",
	}
	vpcProbes = func() []string {
		out := []string{"vpc-0123456789abcdef0", "vpc-fedcba98"}
		for _, d := range "0123456789abcdef" {
			out = append(out, "vpc-"+strings.Repeat(string(d), 8), "vpc-"+strings.Repeat(string(d), 17))
		}
		return out
	}()
	tagProbes = []string{"a", "prod", "Production", "dev", "x y", "0", "Z", "-", "é", "a/b", "."}
)

// everythingProblem returns why the entry matches everything, or "" when some matcher narrows it.
func everythingProblem(e Entry) string {
	var broad []string
	narrow := false
	for _, f := range []struct{ name, value string }{{"account", e.Account}, {"region", e.Region}, {"vpc", e.VPC}} {
		if f.value == "" {
			continue
		}
		if matchAll(f.name, f.value) {
			broad = append(broad, fmt.Sprintf("%s %q", f.name, f.value))
		} else {
			narrow = true
		}
	}
	for _, k := range sortedKeys(e.Tags) {
		if matchAll("tags."+k, e.Tags[k]) {
			broad = append(broad, fmt.Sprintf("tags.%s %q", k, e.Tags[k]))
		} else {
			narrow = true
		}
	}
	switch {
	case narrow:
		return ""
	case len(broad) == 0:
		return "the exception matches every finding: name an account, region, vpc or tags"
	}
	return fmt.Sprintf("the exception matches everything (%s match every value): name an account, region, vpc or tag value it is for",
		strings.Join(broad, ", "))
}
