package logformat

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestParse(t *testing.T) {
	tests := []struct {
		name, in string
		want     []string
		wantErr  string
	}{
		{name: "default", in: Default, want: strings.Fields("version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action log-status")},
		{name: "custom", in: "${version}  ${vpc-id} ${srcaddr} ${reject-reason}", want: []string{"version", "vpc-id", "srcaddr", "reject-reason"}},
		{name: "next hop family", in: "${next-hop-id}", want: []string{"next-hop-id"}},
		{name: "unknown field", in: "${version} ${src-addr}", wantErr: `field 2: unknown field "src-addr"`},
		{name: "bare word", in: "${version} srcaddr", wantErr: `field 2 "srcaddr": want ${field-name}`},
		{name: "empty", in: "  ", wantErr: "empty"},
		{name: "duplicate", in: "${action} ${action}", wantErr: "appears twice"},
		{name: "glued", in: "${action}${srcaddr}", wantErr: "want ${field-name}"},
		{name: "bare prefix", in: "${next-hop-}", wantErr: "unknown field"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Parse(tt.in)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("Parse(%q) error = %v, want containing %q", tt.in, err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if d := cmp.Diff(tt.want, got); d != "" {
				t.Errorf("Parse(%q) (-want +got):\n%s", tt.in, d)
			}
		})
	}
}

func TestNormalize(t *testing.T) {
	got, err := Normalize("  ${version}   ${action} ")
	if err != nil || got != "${version} ${action}" {
		t.Fatalf("Normalize = %q, %v", got, err)
	}
}

func FuzzParse(f *testing.F) {
	for _, s := range []string{Default, "${version} ${vpc-id}", "${", "}", "${}", "${a}${b}", "${next-hop-x}", "$ {version}"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		fields, err := Parse(s)
		if err != nil {
			return
		}
		// Whatever parses must normalize to a format that parses to the same fields.
		n, err := Normalize(s)
		if err != nil {
			t.Fatalf("Normalize(%q) failed after Parse succeeded: %v", s, err)
		}
		again, err := Parse(n)
		if err != nil || !cmp.Equal(fields, again) {
			t.Fatalf("round trip of %q: %v %v vs %v", s, err, fields, again)
		}
		for _, f := range fields {
			if !Known(f) {
				t.Fatalf("unknown field %q accepted", f)
			}
		}
	})
}

func TestTransitGatewayFormat(t *testing.T) {
	got, err := ParseTransitGateway(TransitGatewayDefault)
	if err != nil || len(got) != 36 || got[3] != "tgw-id" {
		t.Fatalf("default: %v %v", got, err)
	}
	if _, err := ParseTransitGateway("${version} ${tgw-id} ${action}"); err == nil || !strings.Contains(err.Error(), `unknown field "action"`) {
		t.Errorf("action is not a Transit Gateway field: %v", err)
	}
	if _, err := Parse("${version} ${tgw-id}"); err == nil {
		t.Error("tgw-id is not a VPC flow-log field")
	}
	for name, v := range map[string]int{"resource-id": 9, "encryption-status": 10, "asg-tag-2": 11, "next-hop-vpc-id": 11, "reject-reason": 8} {
		if Fields[name] != v {
			t.Errorf("%s: version %d, want %d", name, Fields[name], v)
		}
	}
}
