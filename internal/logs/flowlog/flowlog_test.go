package flowlog

import (
	"bytes"
	"compress/gzip"
	"errors"
	"io"
	"net/netip"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// view is the comparable part of a record.
type view struct {
	Version                                  int32
	SrcPort, DstPort, Protocol               int32
	TCPFlags, TrafficPath                    int32
	Packets, Bytes, Start, End               int64
	SrcAddr, DstAddr, PktSrcAddr, PktDstAddr string
	Action, LogStatus                        string
	Strings                                  map[string]string
	Extra                                    map[string]string
}

func viewOf(r *Record) view {
	a := func(x netip.Addr) string {
		if !x.IsValid() {
			return "-"
		}
		return x.String()
	}
	v := view{
		Version: r.Version, SrcPort: r.SrcPort, DstPort: r.DstPort, Protocol: r.Protocol, TCPFlags: r.TCPFlags,
		TrafficPath: r.TrafficPath, Packets: r.Packets, Bytes: r.Bytes, Start: r.Start, End: r.End,
		SrcAddr: a(r.SrcAddr), DstAddr: a(r.DstAddr), PktSrcAddr: a(r.PktSrcAddr), PktDstAddr: a(r.PktDstAddr),
		Action: r.Action.String(), LogStatus: r.LogStatus.String(),
	}
	for _, f := range AllFields() {
		if f.Kind() == KindString && f != Action && f != LogStatus && r.Field(f) != nil {
			if v.Strings == nil {
				v.Strings = map[string]string{}
			}
			v.Strings[f.Name()] = string(r.Field(f))
		}
	}
	for i, n := range r.Format().ExtraNames() {
		if v.Extra == nil {
			v.Extra = map[string]string{}
		}
		v.Extra[n] = string(r.Extra()[i])
	}
	return v
}

func na() view {
	return view{Version: NA, SrcPort: NA, DstPort: NA, Protocol: NA, TCPFlags: NA, TrafficPath: NA, Packets: NA,
		Bytes: NA, Start: NA, End: NA, SrcAddr: "-", DstAddr: "-", PktSrcAddr: "-", PktDstAddr: "-", Action: "-", LogStatus: "-"}
}

func with(f func(*view)) view { v := na(); f(&v); return v }

func TestParseVersions(t *testing.T) {
	tests := []struct {
		name, format, line string
		want               view
	}{
		{
			name: "v2 default accept",
			line: "2 123456789010 eni-1235b8ca123456789 172.31.16.139 172.31.16.21 20641 22 6 20 4249 1418530010 1418530070 ACCEPT OK",
			want: with(func(v *view) {
				*v = view{Version: 2, SrcPort: 20641, DstPort: 22, Protocol: 6, TCPFlags: NA, TrafficPath: NA, Packets: 20,
					Bytes: 4249, Start: 1418530010, End: 1418530070, SrcAddr: "172.31.16.139", DstAddr: "172.31.16.21",
					PktSrcAddr: "-", PktDstAddr: "-", Action: "ACCEPT", LogStatus: "OK",
					Strings: map[string]string{"account-id": "123456789010", "interface-id": "eni-1235b8ca123456789"}}
			}),
		},
		{
			name: "v2 NODATA",
			line: "2 123456789010 eni-1235b8ca123456789 - - - - - - - 1431280876 1431280934 - NODATA",
			want: with(func(v *view) {
				v.Version, v.Start, v.End, v.LogStatus = 2, 1431280876, 1431280934, "NODATA"
				v.Strings = map[string]string{"account-id": "123456789010", "interface-id": "eni-1235b8ca123456789"}
			}),
		},
		{
			name: "v2 SKIPDATA",
			line: "2 123456789010 eni-11111111aaaaaaaaa - - - - - - - 1431280876 1431280934 - SKIPDATA",
			want: with(func(v *view) {
				v.Version, v.Start, v.End, v.LogStatus = 2, 1431280876, 1431280934, "SKIPDATA"
				v.Strings = map[string]string{"account-id": "123456789010", "interface-id": "eni-11111111aaaaaaaaa"}
			}),
		},
		{
			name: "v2 IPv6 reject unknown account, no interface",
			line: "2 unknown - 2001:db8:1234:a100:8d6e:3477:df66:f105 2001:db8:1234:a102:3304:8879:34cf:4071 34892 22 6 54 8855 1477913708 1477913820 REJECT OK",
			want: with(func(v *view) {
				*v = view{Version: 2, SrcPort: 34892, DstPort: 22, Protocol: 6, TCPFlags: NA, TrafficPath: NA, Packets: 54,
					Bytes: 8855, Start: 1477913708, End: 1477913820, SrcAddr: "2001:db8:1234:a100:8d6e:3477:df66:f105",
					DstAddr: "2001:db8:1234:a102:3304:8879:34cf:4071", PktSrcAddr: "-", PktDstAddr: "-", Action: "REJECT", LogStatus: "OK",
					Strings: map[string]string{"account-id": "unknown", "interface-id": "-"}}
			}),
		},
		{
			name:   "v3 tcp-flags and pkt addresses (NAT)",
			format: "${version} ${vpc-id} ${subnet-id} ${instance-id} ${interface-id} ${account-id} ${type} ${srcaddr} ${dstaddr} ${srcport} ${dstport} ${pkt-srcaddr} ${pkt-dstaddr} ${protocol} ${bytes} ${packets} ${start} ${end} ${action} ${tcp-flags} ${log-status}",
			line:   "3 vpc-abcdefab012345678 subnet-aaaaaaaa012345678 i-01234567890123456 eni-1235b8ca123456789 123456789010 IPv4 10.0.1.5 10.0.0.220 49152 443 10.0.0.220 203.0.113.5 6 5000 10 1566848875 1566848933 ACCEPT 19 OK",
			want: view{Version: 3, SrcPort: 49152, DstPort: 443, Protocol: 6, TCPFlags: 19, TrafficPath: NA, Packets: 10, Bytes: 5000,
				Start: 1566848875, End: 1566848933, SrcAddr: "10.0.1.5", DstAddr: "10.0.0.220", PktSrcAddr: "10.0.0.220", PktDstAddr: "203.0.113.5",
				Action: "ACCEPT", LogStatus: "OK", Strings: map[string]string{"vpc-id": "vpc-abcdefab012345678", "subnet-id": "subnet-aaaaaaaa012345678",
					"instance-id": "i-01234567890123456", "interface-id": "eni-1235b8ca123456789", "account-id": "123456789010", "type": "IPv4"}},
		},
		{
			name:   "v4 region az sublocation",
			format: "${version} ${srcaddr} ${dstaddr} ${region} ${az-id} ${sublocation-type} ${sublocation-id} ${action} ${log-status}",
			line:   "4 10.0.0.1 10.0.0.2 us-west-2 usw2-az1 outpost op-0123456789abcdef0 ACCEPT OK",
			want: with(func(v *view) {
				v.Version, v.SrcAddr, v.DstAddr, v.Action, v.LogStatus = 4, "10.0.0.1", "10.0.0.2", "ACCEPT", "OK"
				v.Strings = map[string]string{"region": "us-west-2", "az-id": "usw2-az1", "sublocation-type": "outpost", "sublocation-id": "op-0123456789abcdef0"}
			}),
		},
		{
			name:   "v5 services, direction, traffic path",
			format: "${version} ${srcaddr} ${dstaddr} ${pkt-src-aws-service} ${pkt-dst-aws-service} ${flow-direction} ${traffic-path} ${action}",
			line:   "5 10.0.0.1 52.95.1.1 - S3 egress 7 ACCEPT",
			want: with(func(v *view) {
				v.Version, v.SrcAddr, v.DstAddr, v.TrafficPath, v.Action = 5, "10.0.0.1", "52.95.1.1", 7, "ACCEPT"
				v.Strings = map[string]string{"pkt-src-aws-service": "-", "pkt-dst-aws-service": "S3", "flow-direction": "egress"}
			}),
		},
		{
			name: "v7 ECS",
			format: "${version} ${ecs-cluster-arn} ${ecs-cluster-name} ${ecs-container-instance-arn} ${ecs-container-instance-id} ${ecs-container-id} " +
				"${ecs-second-container-id} ${ecs-service-name} ${ecs-task-definition-arn} ${ecs-task-arn} ${ecs-task-id}",
			line: "7 arn:aws:ecs:us-east-1:123456789012:cluster/web web arn:aws:ecs:us-east-1:123456789012:container-instance/web/abc abc 0123abcd - websvc arn:aws:ecs:us-east-1:123456789012:task-definition/web:3 arn:aws:ecs:us-east-1:123456789012:task/web/def def",
			want: with(func(v *view) {
				v.Version = 7
				v.Strings = map[string]string{
					"ecs-cluster-arn": "arn:aws:ecs:us-east-1:123456789012:cluster/web", "ecs-cluster-name": "web",
					"ecs-container-instance-arn": "arn:aws:ecs:us-east-1:123456789012:container-instance/web/abc",
					"ecs-container-instance-id":  "abc", "ecs-container-id": "0123abcd", "ecs-second-container-id": "-",
					"ecs-service-name": "websvc", "ecs-task-definition-arn": "arn:aws:ecs:us-east-1:123456789012:task-definition/web:3",
					"ecs-task-arn": "arn:aws:ecs:us-east-1:123456789012:task/web/def", "ecs-task-id": "def",
				}
			}),
		},
		{
			name:   "v8 reject-reason BPA",
			format: "${version} ${vpc-id} ${srcaddr} ${dstaddr} ${action} ${reject-reason}",
			line:   "8 vpc-0a1b2c3d 198.51.100.7 10.0.0.9 REJECT BPA",
			want: with(func(v *view) {
				v.Version, v.SrcAddr, v.DstAddr, v.Action = 8, "198.51.100.7", "10.0.0.9", "REJECT"
				v.Strings = map[string]string{"vpc-id": "vpc-0a1b2c3d", "reject-reason": "BPA"}
			}),
		},
		{
			name:   "unknown newer fields kept as strings",
			format: "${version} ${srcaddr} ${future-id} ${future-status} ${action}",
			line:   "12 10.1.2.3 res-123 2 ACCEPT",
			want: with(func(v *view) {
				v.Version, v.SrcAddr, v.Action = 12, "10.1.2.3", "ACCEPT"
				v.Extra = map[string]string{"future-id": "res-123", "future-status": "2"}
			}),
		},
		{
			name:   "version 9 to 11 fields",
			format: "${version} ${srcaddr} ${resource-id} ${encryption-status} ${interface-type} ${next-hop-vpc-id} ${asg-tag-2} ${action}",
			line:   "11 10.1.2.3 nat-0abc 2 nat_gateway vpc-9 web%20tier ACCEPT",
			want: with(func(v *view) {
				v.Version, v.SrcAddr, v.Action = 11, "10.1.2.3", "ACCEPT"
				v.Strings = map[string]string{"resource-id": "nat-0abc", "interface-type": "nat_gateway", "next-hop-vpc-id": "vpc-9", "asg-tag-2": "web%20tier"}
			}),
		},
		{
			name: "tolerates CRLF",
			line: "2 1 eni-1 10.0.0.1 10.0.0.2 1 2 17 1 100 10 20 ACCEPT OK\r",
			want: view{Version: 2, SrcPort: 1, DstPort: 2, Protocol: 17, TCPFlags: NA, TrafficPath: NA, Packets: 1, Bytes: 100,
				Start: 10, End: 20, SrcAddr: "10.0.0.1", DstAddr: "10.0.0.2", PktSrcAddr: "-", PktDstAddr: "-", Action: "ACCEPT", LogStatus: "OK",
				Strings: map[string]string{"account-id": "1", "interface-id": "eni-1"}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var f *Format
			if tt.format != "" {
				var err error
				if f, err = ParseFormat(tt.format); err != nil {
					t.Fatal(err)
				}
			}
			p := NewParser("t", f, Options{Strict: true})
			rec, err := p.Parse([]byte(tt.line), 1)
			if err != nil {
				t.Fatal(err)
			}
			if rec == nil {
				t.Fatal("no record")
			}
			if d := cmp.Diff(tt.want, viewOf(rec)); d != "" {
				t.Errorf("record (-want +got):\n%s", d)
			}
		})
	}
}

func TestMalformed(t *testing.T) {
	tests := []struct{ name, line, want string }{
		{"too few fields", "2 1 eni-1 10.0.0.1", "4 fields, want 14"},
		{"too many fields", "2 1 eni-1 10.0.0.1 10.0.0.2 1 2 6 1 1 1 1 ACCEPT OK extra", "more than 14 fields"},
		{"bad port", "2 1 eni-1 10.0.0.1 10.0.0.2 x 2 6 1 1 1 1 ACCEPT OK", "field srcport"},
		{"bad address", "2 1 eni-1 10.0.0.300 10.0.0.2 1 2 6 1 1 1 1 ACCEPT OK", "field srcaddr"},
		{"bad address 3 octets", "2 1 eni-1 10.0.1 10.0.0.2 1 2 6 1 1 1 1 ACCEPT OK", "field srcaddr"},
		{"bad action", "2 1 eni-1 10.0.0.1 10.0.0.2 1 2 6 1 1 1 1 ALLOW OK", "field action"},
		{"bad status", "2 1 eni-1 10.0.0.1 10.0.0.2 1 2 6 1 1 1 1 ACCEPT MAYBE", "field log-status"},
		{"negative bytes", "2 1 eni-1 10.0.0.1 10.0.0.2 1 2 6 1 -5 1 1 ACCEPT OK", "field bytes"},
		{"port overflow", "2 1 eni-1 10.0.0.1 10.0.0.2 99999999999 2 6 1 5 1 1 ACCEPT OK", "field srcport"},
		// Times past year 9999 (time.Time cannot be written as JSON), negative or overflowing int64.
		{"end in year 10000", "2 1 eni-1 10.0.0.1 10.0.0.2 1 2 6 1 5 1 253402300800 ACCEPT OK", "field end"},
		{"start in year 10000", "2 1 eni-1 10.0.0.1 10.0.0.2 1 2 6 1 5 253402300800 1 ACCEPT OK", "field start"},
		{"start long", "2 1 eni-1 10.0.0.1 10.0.0.2 1 2 6 1 5 9223372036854775807 1 ACCEPT OK", "field start"},
		{"end overflow", "2 1 eni-1 10.0.0.1 10.0.0.2 1 2 6 1 5 1 99999999999999999999 ACCEPT OK", "field end"},
		{"negative start", "2 1 eni-1 10.0.0.1 10.0.0.2 1 2 6 1 5 -1 1 ACCEPT OK", "field start"},
		{"negative end", "2 1 eni-1 10.0.0.1 10.0.0.2 1 2 6 1 5 1 -1620000000 ACCEPT OK", "field end"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := NewParser("f.log", nil, Options{})
			rec, err := p.Parse([]byte(tt.line), 7)
			if rec != nil || err != nil {
				t.Fatalf("got rec=%v err=%v, want skipped", rec, err)
			}
			if p.Stats.Malformed != 1 || len(p.Stats.Samples) != 1 {
				t.Fatalf("stats %+v", p.Stats)
			}
			s := p.Stats.Samples[0]
			if s.Name != "f.log" || s.Line != 7 || !strings.Contains(s.Err, tt.want) || s.Text != tt.line {
				t.Errorf("sample %+v, want error containing %q", s, tt.want)
			}
			_, err = NewParser("f.log", nil, Options{Strict: true}).Parse([]byte(tt.line), 7)
			var me *MalformedError
			if !errors.As(err, &me) || !strings.HasPrefix(err.Error(), "f.log:7: ") {
				t.Errorf("strict: err = %v", err)
			}
		})
	}
}

const s3Sample = `version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action log-status
2 123456789010 eni-1235b8ca123456789 172.31.16.139 172.31.16.21 20641 22 6 20 4249 1418530010 1418530070 ACCEPT OK
2 123456789010 eni-1235b8ca123456789 172.31.9.69 172.31.9.12 49761 3389 6 20 4249 1418530010 1418530070 REJECT OK
this line is garbage
2 123456789010 eni-1235b8ca123456789 - - - - - - - 1431280876 1431280934 - NODATA

2 123456789010 eni-1235b8ca123456789 203.0.113.12 172.31.16.139 0 0 1 4 336 1432917027 1432917142 ACCEPT OK`

func TestScannerHeaderGzipAndSamples(t *testing.T) {
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	io.WriteString(zw, s3Sample)
	zw.Close()
	zr, err := gzip.NewReader(&gz)
	if err != nil {
		t.Fatal(err)
	}
	s := NewScanner(zr, "obj.log.gz", Options{})
	var got []string
	for s.Scan() {
		r := s.Record()
		got = append(got, r.Action.String()+" "+r.LogStatus.String()+" "+string(r.Field(InterfaceID)))
	}
	if err := s.Err(); err != nil {
		t.Fatal(err)
	}
	want := []string{"ACCEPT OK eni-1235b8ca123456789", "REJECT OK eni-1235b8ca123456789", "- NODATA eni-1235b8ca123456789", "ACCEPT OK eni-1235b8ca123456789"}
	if d := cmp.Diff(want, got); d != "" {
		t.Error(d)
	}
	st := s.Stats()
	wantStats := Stats{Lines: 7, Records: 4, Headers: 1, Malformed: 1, Samples: []Malformed{{Name: "obj.log.gz", Line: 4, Text: "this line is garbage", Err: `field version: "this": not a number`}}}
	if d := cmp.Diff(wantStats, st); d != "" {
		t.Errorf("stats (-want +got):\n%s", d)
	}

	s = NewScanner(strings.NewReader(s3Sample), "obj.log", Options{Strict: true})
	for s.Scan() {
	}
	if err := s.Err(); err == nil || !strings.HasPrefix(err.Error(), "obj.log:4: ") {
		t.Errorf("strict err = %v", err)
	}
}

func TestScannerCustomHeader(t *testing.T) {
	in := "version vpc-id srcaddr dstaddr action reject-reason next-hop-type\n8 vpc-1 1.2.3.4 10.0.0.1 REJECT BPA igw\n"
	s := NewScanner(strings.NewReader(in), "x", Options{})
	if !s.Scan() {
		t.Fatal(s.Err())
	}
	r := s.Record()
	if r.Version != 8 || string(r.Field(RejectReason)) != "BPA" || string(r.Field(VPCID)) != "vpc-1" {
		t.Errorf("got %+v", viewOf(r))
	}
	if v, ok := r.ExtraField("next-hop-type"); !ok || string(v) != "igw" {
		t.Errorf("extra next-hop-type = %q %v", v, ok)
	}
	if s.Scan() {
		t.Error("extra record")
	}
}

func TestFormat(t *testing.T) {
	f, err := ParseFormat("${version} ${vpc-id} ${srcaddr} ${dstaddr} ${action} ${reject-reason}")
	if err != nil {
		t.Fatal(err)
	}
	if f.Version() != 8 || f.Header() != "version vpc-id srcaddr dstaddr action reject-reason" {
		t.Errorf("version %d header %q", f.Version(), f.Header())
	}
	if DefaultFormat.Version() != 2 || len(DefaultFormat.Fields) != 14 {
		t.Errorf("default format %v", DefaultFormat)
	}
	g, err := ParseFormat(f.String())
	if err != nil || !g.Equal(f) {
		t.Errorf("round trip %v %v", g, err)
	}
	p, err := ParseFormat("account_id srcaddr log_status")
	if err != nil || p.Fields[0] != AccountID || p.Fields[2] != LogStatus {
		t.Errorf("parquet names: %v %v", p, err)
	}
	for _, bad := range []string{"", "${}", "${a b}", "${version", "ver$ion"} {
		if _, err := ParseFormat(bad); err == nil {
			t.Errorf("ParseFormat(%q) succeeded", bad)
		}
	}
	if len(FieldsOfVersion(2)) != 14 || len(FieldsOfVersion(8)) != 40 || len(FieldsOfVersion(MaxVPCVersion)) != 54 ||
		len(AllFields()) != 54+18 || TransitGatewayDefaultFormat.Version() != 6 || len(TransitGatewayDefaultFormat.Fields) != 36 {
		t.Error("FieldsOfVersion")
	}
}

func TestParseAllocations(t *testing.T) {
	line := []byte("2 123456789010 eni-1235b8ca123456789 172.31.16.139 172.31.16.21 20641 22 6 20 4249 1418530010 1418530070 ACCEPT OK")
	p := NewParser("t", nil, Options{})
	if n := testing.AllocsPerRun(100, func() { p.Parse(line, 1) }); n != 0 {
		t.Errorf("%v allocations per line, want 0", n)
	}
}

func FuzzParse(f *testing.F) {
	for _, l := range strings.Split(s3Sample, "\n") {
		f.Add(l)
	}
	f.Add("2 1 - 2001:db8::1 ::ffff:1.2.3.4 1 2 6 1 1 1 1 REJECT OK")
	f.Add("2 1 eni 01.2.3.4 1.2.3.4 1 2 6 1 1 1 1 REJECT OK")
	f.Add("version srcaddr")
	f.Add("2 1 eni-1 10.0.0.1 10.0.0.2 1 2 6 1 5 253402300799 253402300800 ACCEPT OK")
	f.Add("2 1 eni-1 10.0.0.1 10.0.0.2 1 2 6 1 5 -1 999999999999999999 ACCEPT OK")
	f.Fuzz(func(t *testing.T, line string) {
		p := NewParser("fuzz", nil, Options{})
		rec, err := p.Parse([]byte(line), 1)
		if err != nil {
			t.Fatalf("non-strict parse returned error %v", err)
		}
		if rec != nil {
			// A parsed record re-renders to fields that parse the same.
			if rec.SrcAddr.IsValid() && rec.SrcAddr.Zone() != "" {
				t.Errorf("zone in address %v", rec.SrcAddr)
			}
			if rec.Packets < NA || rec.Bytes < NA || rec.SrcPort < NA {
				t.Errorf("negative value in %+v", viewOf(rec))
			}
			for _, v := range []int64{rec.Start, rec.End} {
				if v != NA && (v < 0 || v > MaxTime) {
					t.Errorf("time %d out of range in %+v", v, viewOf(rec))
				}
			}
		}
		s := NewScanner(strings.NewReader(line+"\n"+line), "fuzz", Options{})
		for s.Scan() {
		}
		if st := s.Stats(); st.Records+st.Malformed+st.Headers > st.Lines {
			t.Errorf("stats %+v", st)
		}
	})
}

func BenchmarkParseDefault(b *testing.B) {
	line := []byte("2 123456789012 eni-0000000a00000f2a1 10.0.1.17 52.94.12.22 49152 443 6 20 4249 1767225600 1767225660 ACCEPT OK")
	p := NewParser("b", nil, Options{})
	b.SetBytes(int64(len(line) + 1))
	for b.Loop() {
		p.Parse(line, 1)
	}
}

// FuzzScanner reads arbitrary text as a file: header detection, a custom header's format, then the lines.
// Whatever the input, counts add up and no record carries a time outside 1970..9999.
func FuzzScanner(f *testing.F) {
	f.Add(s3Sample)
	f.Add("version srcaddr start end\n2 10.0.0.1 1 253402300800\n2 10.0.0.1 1 2\n")
	f.Add("account-id action log-status end\n1 ACCEPT OK 99999999999999999999\n\n\nversion\n")
	f.Add("${version} ${start}\n2 -1\n")
	// Transit Gateway files (version 6) and the newest VPC fields, with an unknown field at the end.
	f.Add(TransitGatewayDefaultFormat.Header() + " x-new\n" + tgwLine + " v\n" + strings.Replace(tgwLine, " 0 7 ", " - 99999999999999999999 ", 1) + " v\n")
	f.Add("version encryption-status resource-id next-hop-az-id srcaddr\n11 3 eni-1 use1-az1 10.0.0.1\n11 4294967296 - - ::1\n")
	f.Fuzz(func(t *testing.T, data string) {
		s := NewScanner(strings.NewReader(data), "fuzz", Options{})
		var n int64
		for s.Scan() {
			r := s.Record()
			for _, fl := range []Field{EncryptionStatus, PacketsLostNoRoute, PacketsLostBlackhole, PacketsLostMTUExceeded, PacketsLostTTLExpired} {
				if v := r.Int(fl); v < NA {
					t.Fatalf("%s = %d", fl.Name(), v)
				}
			}
			if v := r.Int(EncryptionStatus); v > 1<<31-1 {
				t.Fatalf("encryption-status %d does not fit its int32 column", v)
			}
			n++
			for _, v := range []int64{r.Start, r.End} {
				if v != NA && (v < 0 || v > MaxTime) {
					t.Fatalf("time %d out of range", v)
				}
			}
		}
		st := s.Stats()
		if st.Records != n || st.Records+st.Malformed+st.Headers > st.Lines {
			t.Errorf("stats %+v, %d records scanned", st, n)
		}
	})
}

func FuzzParseFormat(f *testing.F) {
	f.Add("${version} ${vpc-id} ${srcaddr} ${dstaddr} ${action} ${reject-reason}")
	f.Add("version account-id interface-id srcaddr")
	f.Add("account_id srcaddr log_status")
	f.Add("${next-hop-type} ${resource-id}")
	f.Add(TransitGatewayDefaultFormat.String())
	f.Add("${")
	f.Fuzz(func(t *testing.T, s string) {
		fm, err := ParseFormat(s)
		if err != nil {
			return
		}
		// A parsed format round-trips through its LogFormat string and its header.
		for _, again := range []string{fm.String(), fm.Header()} {
			g, err := ParseFormat(again)
			if err != nil || !g.Equal(fm) {
				t.Fatalf("%q -> %q -> %v, %v", s, again, g, err)
			}
		}
		// Every column has a name, known or kept as an extra string column.
		if len(fm.Fields) != len(fm.Names) || len(fm.ExtraNames()) > len(fm.Names) {
			t.Fatalf("format %+v", fm)
		}
	})
}
