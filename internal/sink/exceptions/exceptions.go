// Package exceptions reads the exceptions file (accepted risks with an owner and an expiry date) and applies it
// to a scan result: matched failures become EXCEPTED until the exception expires, and entries that expired or
// match nothing are reported, so that exceptions cannot silently outlive their reason.
//
// Only FAIL findings can be excepted. An ERROR means the VPC was not evaluated; excepting it would hide a read
// failure, which is a different problem with a different owner. PASS, SKIPPED and UNKNOWN are left alone.
package exceptions

import (
	"errors"
	"fmt"
	"path"
	"sort"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/flowguard/flowguard/internal/finding"
	"github.com/flowguard/flowguard/internal/inventory"
)

// MaxFileBytes bounds the exceptions file (16 MiB: tens of thousands of entries).
const MaxFileBytes = 16 << 20

// DateLayout is the format of expiry dates.
const DateLayout = "2006-01-02"

// Entry is one exception. Match fields are glob patterns (path.Match: * ? [..]); an empty field matches
// anything, but every entry names at least one of account, region, vpc or tags.
type Entry struct {
	ID      string `yaml:"id"`
	Owner   string `yaml:"owner"`
	Reason  string `yaml:"reason"`
	Expires string `yaml:"expires"`
	Ticket  string `yaml:"ticket"`

	Account string            `yaml:"account"`
	Region  string            `yaml:"region"`
	VPC     string            `yaml:"vpc"`
	Tags    map[string]string `yaml:"tags"`
	Check   string            `yaml:"check"`

	// Line is where the entry starts in the file.
	Line int `yaml:"-"`
	// expiry is the first instant the exception no longer applies: the day after Expires, 00:00 UTC.
	expiry time.Time
}

// Set is a loaded exceptions file.
type Set struct {
	File    string
	Entries []Entry
}

var knownKeys = map[string]bool{"id": true, "owner": true, "reason": true, "expires": true, "ticket": true,
	"account": true, "region": true, "vpc": true, "tags": true, "check": true}

// Load reads an exceptions file. It refuses (with file:line for each problem) entries without owner, reason or
// expires, an expiry that is not YYYY-MM-DD or lies more than maxDays after now (maxDays <= 0: no limit),
// unknown keys (a misspelt match key would widen the match), entries that match everything, bad glob patterns
// and duplicate ids. Entries that have already expired load fine: Apply reports them.
func Load(filename string, maxDays int, now time.Time) (*Set, error) {
	data, err := inventory.ReadLimited(filename, MaxFileBytes)
	if err != nil {
		return nil, fmt.Errorf("read exceptions file: %w", err)
	}
	return Parse(filename, data, maxDays, now)
}

// Parse is Load for data already read; filename is used in messages.
func Parse(filename string, data []byte, maxDays int, now time.Time) (*Set, error) {
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, fmt.Errorf("%s: %w", filename, err)
	}
	set := &Set{File: filename}
	if len(doc.Content) == 0 {
		return set, nil // an empty file excepts nothing
	}
	root := doc.Content[0]
	if root.Kind != yaml.MappingNode {
		return nil, fmt.Errorf("%s:%d: want a mapping with an `exceptions:` list", filename, root.Line)
	}
	var problems []error
	bad := func(line int, format string, args ...any) {
		problems = append(problems, fmt.Errorf("%s:%d: %s", filename, line, fmt.Sprintf(format, args...)))
	}
	var list *yaml.Node
	for i := 0; i+1 < len(root.Content); i += 2 {
		k, v := root.Content[i], root.Content[i+1]
		if k.Value != "exceptions" {
			bad(k.Line, "unknown key %q (want `exceptions:`)", k.Value)
			continue
		}
		if v.Kind != yaml.SequenceNode && !(v.Kind == yaml.ScalarNode && v.Tag == "!!null") {
			bad(v.Line, "`exceptions` must be a list")
			continue
		}
		list = v
	}
	today := now.UTC().Truncate(24 * time.Hour)
	ids := map[string]int{}
	if list != nil {
		for _, n := range list.Content {
			e, ok := parseEntry(n, bad)
			if maxDays > 0 && !e.expiry.IsZero() {
				if limit := today.AddDate(0, 0, maxDays); e.expiry.AddDate(0, 0, -1).After(limit) {
					bad(e.Line, "expires %s is more than %d days away (after %s): shorten it or raise --max-exception-days",
						e.Expires, maxDays, limit.Format(DateLayout))
					ok = false
				}
			}
			if !ok {
				continue
			}
			if e.ID != "" {
				if first, dup := ids[e.ID]; dup {
					bad(e.Line, "duplicate id %q (first at line %d)", e.ID, first)
				}
				ids[e.ID] = e.Line
			}
			set.Entries = append(set.Entries, e)
		}
	}
	if len(problems) > 0 {
		return nil, errors.Join(problems...)
	}
	return set, nil
}

func parseEntry(n *yaml.Node, bad func(int, string, ...any)) (Entry, bool) {
	if n.Kind != yaml.MappingNode {
		bad(n.Line, "an exception must be a mapping (owner, reason, expires, and what it matches)")
		return Entry{}, false
	}
	ok := true
	lines := map[string]int{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k := n.Content[i]
		lines[k.Value] = k.Line
		if !knownKeys[k.Value] {
			bad(k.Line, "unknown key %q (known: account, region, vpc, tags, check, owner, reason, expires, ticket, id)", k.Value)
			ok = false
		}
	}
	var e Entry
	if err := n.Decode(&e); err != nil {
		bad(n.Line, "%v", err)
		return Entry{}, false
	}
	e.Line = n.Line
	for _, f := range []struct{ name, value string }{{"owner", e.Owner}, {"reason", e.Reason}, {"expires", e.Expires}} {
		if strings.TrimSpace(f.value) == "" {
			bad(e.Line, "missing %s: every exception needs an owner, a reason and an expiry date", f.name)
			ok = false
		}
	}
	if e.Expires != "" {
		if d, err := time.Parse(DateLayout, e.Expires); err != nil {
			bad(lineOr(lines["expires"], e.Line), "expires %q is not a date (YYYY-MM-DD)", e.Expires)
			ok = false
		} else {
			e.expiry = d.AddDate(0, 0, 1)
		}
	}
	patterns := map[string]string{"account": e.Account, "region": e.Region, "vpc": e.VPC, "check": e.Check}
	for k, v := range e.Tags {
		patterns["tags."+k] = v
	}
	for name, p := range patterns {
		if _, err := path.Match(p, ""); err != nil {
			bad(lineOr(lines[strings.SplitN(name, ".", 2)[0]], e.Line), "%s: bad pattern %q: %v", name, p, err)
			ok = false
		}
	}
	if why := everythingProblem(e); why != "" {
		bad(e.Line, "%s", why)
		ok = false
	}
	return e, ok
}

func lineOr(l, def int) int {
	if l > 0 {
		return l
	}
	return def
}

// Expired reports whether the exception no longer applies at now (it applies through its expiry date, UTC).
func (e Entry) Expired(now time.Time) bool { return !now.Before(e.expiry) }

// Matches reports whether the entry's patterns match the finding.
func (e Entry) Matches(f finding.Finding) bool {
	if !glob(e.Account, f.AccountID) || !glob(e.Region, f.Region) || !glob(e.Check, f.CheckID) {
		return false
	}
	if e.VPC != "" {
		vpc := f.ResourceID
		if f.ResourceType != finding.ResourceVPC && !strings.HasPrefix(vpc, "vpc-") {
			return false
		}
		if !glob(e.VPC, vpc) {
			return false
		}
	}
	for k, p := range e.Tags {
		v, ok := f.Evidence.Tags[k]
		if !ok || !glob(p, v) {
			return false
		}
	}
	return true
}

func glob(pattern, s string) bool {
	if pattern == "" {
		return true
	}
	ok, _ := path.Match(pattern, s)
	return ok
}

// Describe renders what the entry matches, e.g. "account=111111111111 vpc=vpc-0abc tag:env=dev".
func (e Entry) Describe() string {
	var parts []string
	for _, p := range [][2]string{{"account", e.Account}, {"region", e.Region}, {"vpc", e.VPC}, {"check", e.Check}} {
		if p[1] != "" {
			parts = append(parts, p[0]+"="+p[1])
		}
	}
	for _, k := range sortedKeys(e.Tags) {
		parts = append(parts, "tag:"+k+"="+e.Tags[k])
	}
	return strings.Join(parts, " ")
}

func sortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

func (e Entry) name(file string) string {
	where := fmt.Sprintf("%s:%d", file, e.Line)
	if e.ID != "" {
		return fmt.Sprintf("exception %s (%s)", e.ID, where)
	}
	return "exception at " + where
}

func (e Entry) evidence(expired bool) *finding.ExceptionEvidence {
	return &finding.ExceptionEvidence{ID: e.ID, Owner: e.Owner, Reason: e.Reason, Expires: e.Expires, Ticket: e.Ticket, Expired: expired}
}

// Apply excepts the FAIL findings of r that an unexpired entry matches (the first such entry in file order):
// they become EXCEPTED with the exception in their evidence. A FAIL finding matched only by expired entries
// stays FAIL, with the expired exception in its evidence. r.Exceptions gets every entry's state (active,
// expired, stale: unexpired but matching neither a FAIL nor a finding that could not be evaluated) and r.Notes
// a line for each expired or stale entry; the summary is recomputed.
func Apply(r *finding.Result, set *Set, now time.Time) {
	if set == nil {
		return
	}
	matched := make([]int, len(set.Entries))
	// unevaluated counts matches on findings that could not be evaluated: such an entry is not stale, it may
	// still be needed once the VPC can be read.
	unevaluated := make([]int, len(set.Entries))
	for i := range r.Findings {
		f := &r.Findings[i]
		if f.Status == finding.StatusError || f.Status == finding.StatusUnknown {
			for j, e := range set.Entries {
				if e.Matches(*f) {
					unevaluated[j]++
				}
			}
			continue
		}
		if f.Status != finding.StatusFail {
			continue
		}
		active, expired := -1, -1
		for j, e := range set.Entries {
			if !e.Matches(*f) {
				continue
			}
			if e.Expired(now) {
				if expired < 0 {
					expired = j
				}
				continue
			}
			active = j
			break
		}
		switch {
		case active >= 0:
			matched[active]++
			f.Status = finding.StatusExcepted
			f.Evidence.Exception = set.Entries[active].evidence(false)
		case expired >= 0:
			matched[expired]++
			f.Evidence.Exception = set.Entries[expired].evidence(true)
		}
	}
	r.Exceptions = nil
	for j, e := range set.Entries {
		st := finding.ExceptionStatus{ID: e.ID, Owner: e.Owner, Reason: e.Reason, Expires: e.Expires, Ticket: e.Ticket,
			Match: e.Describe(), File: set.File, Line: e.Line, Matched: matched[j]}
		switch {
		case e.Expired(now):
			st.State = finding.ExceptionExpired
			r.Notes = append(r.Notes, fmt.Sprintf("%s of %s expired on %s: %d failing findings are no longer excepted",
				e.name(set.File), e.Owner, e.Expires, matched[j]))
		case matched[j] == 0 && unevaluated[j] == 0:
			st.State = finding.ExceptionStale
			r.Notes = append(r.Notes, fmt.Sprintf("%s of %s matches no failing finding (%s): it is stale, remove it",
				e.name(set.File), e.Owner, e.Describe()))
		default:
			st.State = finding.ExceptionActive
			// Every format shows notes: how much each exception hides is never out of sight.
			r.Notes = append(r.Notes, fmt.Sprintf("%s of %s excepts %d failing findings (%s) until %s",
				e.name(set.File), e.Owner, matched[j], e.Describe(), e.Expires))
		}
		r.Exceptions = append(r.Exceptions, st)
	}
	r.Summarize()
}
