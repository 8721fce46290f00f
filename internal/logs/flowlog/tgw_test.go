package flowlog

import (
	"strings"
	"testing"
)

const tgwLine = "6 TransitGateway 123456789012 tgw-0123 tgw-attach-0a 123456789012 210987654321 vpc-0a vpc-0b " +
	"subnet-0a subnet-0b eni-0a eni-0b use1-az1 use1-az2 tgw-attach-0b 10.0.1.5 10.1.2.6 49152 443 6 12 3400 " +
	"1700000000 1700000060 OK IPv4 0 7 0 2 3 us-east-1 egress - -"

func TestTransitGatewayRecord(t *testing.T) {
	p := NewParser("tgw", TransitGatewayDefaultFormat, Options{Strict: true})
	r, err := p.Parse([]byte(tgwLine), 1)
	if err != nil || r == nil {
		t.Fatalf("parse: %v", err)
	}
	if r.Version != 6 || r.SrcPort != 49152 || r.DstPort != 443 || r.Packets != 12 || r.Bytes != 3400 || r.End != 1700000060 ||
		r.SrcAddr.String() != "10.0.1.5" || r.LogStatus != OK || r.Action != ActionNone || r.TCPFlags != 3 {
		t.Errorf("typed fields: %+v", viewOf(r))
	}
	for f, want := range map[Field]string{ResourceType: "TransitGateway", TGWID: "tgw-0123", TGWAttachmentID: "tgw-attach-0a",
		TGWSrcVPCAccountID: "123456789012", TGWDstVPCAccountID: "210987654321", TGWSrcVPCID: "vpc-0a", TGWDstVPCID: "vpc-0b",
		TGWSrcSubnetID: "subnet-0a", TGWDstENI: "eni-0b", TGWDstAZID: "use1-az2", TGWPairAttachmentID: "tgw-attach-0b",
		FlowDirection: "egress", Region: "us-east-1", PktSrcAWSService: ""} {
		if got := r.Str(f); got != want {
			t.Errorf("%s = %q, want %q", f.Name(), got, want)
		}
	}
	for f, want := range map[Field]int64{PacketsLostNoRoute: 0, PacketsLostBlackhole: 7, PacketsLostMTUExceeded: 0,
		PacketsLostTTLExpired: 2, Bytes: 3400, EncryptionStatus: NA, AccountID: NA} {
		if got := r.Int(f); got != want {
			t.Errorf("Int(%s) = %d, want %d", f.Name(), got, want)
		}
	}
	if b, ok := r.ByName("tgw-src-eni"); !ok || string(b) != "eni-0a" {
		t.Errorf("ByName(tgw-src-eni) = %q %v", b, ok)
	}
	if b, ok := r.ByName("packets-lost-blackhole"); !ok || string(b) != "7" {
		t.Errorf("ByName(packets-lost-blackhole) = %q %v", b, ok)
	}
	if _, ok := r.ByName("srcport"); ok {
		t.Error("ByName of a typed number should say it is kept parsed only")
	}
	for _, f := range TransitGatewayDefaultFormat.Fields {
		if f == FieldNone {
			t.Errorf("the Transit Gateway default format has an unknown field")
		}
	}
}

// A file delivered by a Transit Gateway flow log starts with its header; a later unknown field stays
// readable by name, and a bad counter makes the line malformed, not a wrong number.
func TestTransitGatewayFile(t *testing.T) {
	header := strings.ReplaceAll(strings.ReplaceAll(TransitGatewayDefaultFormat.String(), "${", ""), "}", "") + " tgw-future-field"
	in := header + "\n" + tgwLine + " xyz\n" + strings.Replace(tgwLine, " 0 7 0 2 ", " 0 x 0 2 ", 1) + " xyz\n"
	s := NewScanner(strings.NewReader(in), "tgw.log", Options{})
	n := 0
	for s.Scan() {
		n++
		if b, ok := s.Record().ByName("tgw-future-field"); !ok || string(b) != "xyz" {
			t.Errorf("unknown field: %q %v", b, ok)
		}
		if s.Record().Str(TGWID) != "tgw-0123" {
			t.Errorf("tgw-id: %q", s.Record().Str(TGWID))
		}
	}
	if st := s.Stats(); n != 1 || st.Malformed != 1 || !strings.Contains(st.Samples[0].Err, "packets-lost-blackhole") {
		t.Errorf("records %d, stats %+v", n, st)
	}
}

// Parsing a Transit Gateway record allocates nothing: the parser stays as light as for VPC records.
func TestTransitGatewayParseAllocs(t *testing.T) {
	p := NewParser("tgw", TransitGatewayDefaultFormat, Options{})
	line := []byte(tgwLine)
	if n := testing.AllocsPerRun(100, func() {
		if r, _ := p.Parse(line, 1); r == nil {
			t.Fatal("no record")
		}
	}); n != 0 {
		t.Errorf("%v allocations per Transit Gateway record", n)
	}
}

func BenchmarkParseTransitGateway(b *testing.B) {
	p := NewParser("tgw", TransitGatewayDefaultFormat, Options{})
	line := []byte(tgwLine)
	b.SetBytes(int64(len(line)))
	b.ReportAllocs()
	for b.Loop() {
		p.Parse(line, 1)
	}
}
