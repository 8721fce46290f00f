package policy

import (
	"net/url"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/flowguard/flowguard/internal/testenv/golden"
)

// check compares a policy document with testdata/name; the golden files end with a newline, JSON() does not.
func check(t *testing.T, name, doc string) {
	t.Helper()
	golden.String(t, filepath.Join("testdata", name), doc+"\n")
}

func TestGolden(t *testing.T) {
	const acct = "111122223333"
	regions := []string{"us-west-2", "eu-west-1", "us-west-2"}
	check(t, "trust.json", Trust(acct, regions).JSON())
	var write []string
	for _, r := range regions {
		write = append(write, LogGroupResources("/aws/vpc-flow-logs/{vpc-id}", acct, r)...)
	}
	check(t, "permissions.json", Permissions(acct, regions, write).JSON())
	check(t, "permissions-shared-group.json", Permissions(acct, []string{"us-east-1"}, LogGroupResources("/flowlogs/{account}-{region}", acct, "us-east-1")).JSON())
}

func TestReadTrust(t *testing.T) {
	const acct = "111122223333"
	doc := Trust(acct, []string{"us-east-1"}).JSON()
	d, err := Parse(url.QueryEscape(doc)) // as GetRole returns it
	if err != nil {
		t.Fatal(err)
	}
	ti := ReadTrust(d)
	if !ti.Allows(acct, "us-east-1") || ti.Allows(acct, "eu-west-1") || ti.Allows("999999999999", "us-east-1") {
		t.Errorf("Allows wrong: %+v", ti)
	}
	if got := ti.Regions(); !cmp.Equal(got, []string{"us-east-1"}) {
		t.Errorf("Regions = %v", got)
	}
	wrong, _ := Parse(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}]}`)
	if wi := ReadTrust(wrong); wi.TrustsService || !wi.WrongService {
		t.Errorf("seed trust policy read as %+v", wi)
	}
	open, _ := Parse(`{"Statement":[{"Effect":"Allow","Principal":{"Service":["vpc-flow-logs.amazonaws.com"]},"Action":["sts:AssumeRole"]}]}`)
	if !ReadTrust(open).Allows(acct, "eu-west-1") {
		t.Error("unconditioned trust should allow")
	}
}

func TestMatch(t *testing.T) {
	for _, c := range []struct {
		p, s string
		want bool
	}{
		{"arn:aws:ec2:*:1:vpc-flow-log/*", "arn:aws:ec2:us-east-1:1:vpc-flow-log/*", true},
		{"a?c", "abc", true},
		{"a?c", "ac", false},
		{"abc", "abcd", false},
		{"*", "", true},
	} {
		if got := Match(c.p, c.s); got != c.want {
			t.Errorf("Match(%q, %q) = %v", c.p, c.s, got)
		}
	}
}
