package layout

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestKeys(t *testing.T) {
	at := time.Date(2026, 3, 4, 5, 10, 0, 0, time.UTC)
	tests := []struct {
		o    Options
		want string
	}{
		{Options{}, "logs/AWSLogs/111122223333/vpcflowlogs/eu-west-1/2026/03/04/111122223333_vpcflowlogs_eu-west-1_fl-1_20260304T0510Z_ab12.log.gz"},
		{Options{PerHour: true}, "logs/AWSLogs/111122223333/vpcflowlogs/eu-west-1/2026/03/04/05/111122223333_vpcflowlogs_eu-west-1_fl-1_20260304T0510Z_ab12.log.gz"},
		{Options{Hive: true, Parquet: true}, "logs/AWSLogs/aws-account-id=111122223333/aws-service=vpcflowlogs/aws-region=eu-west-1/year=2026/month=03/day=04/111122223333_vpcflowlogs_eu-west-1_fl-1_20260304T0510Z_ab12.log.parquet"},
		{Options{Hive: true, PerHour: true}, "logs/AWSLogs/aws-account-id=111122223333/aws-service=vpcflowlogs/aws-region=eu-west-1/year=2026/month=03/day=04/hour=05/111122223333_vpcflowlogs_eu-west-1_fl-1_20260304T0510Z_ab12.log.gz"},
	}
	for _, tt := range tests {
		k := Key("logs/", "111122223333", "eu-west-1", "fl-1", at, "ab12", tt.o)
		if k != tt.want {
			t.Errorf("%+v: got %s", tt.o, k)
		}
		if got, ok := KeyTime(k); !ok || !got.Equal(at) {
			t.Errorf("KeyTime(%s) = %v %v", k, got, ok)
		}
		day, hour, ok := KeyHour(k)
		wantHour := -1
		if tt.o.PerHour {
			wantHour = 5
		}
		if !ok || !day.Equal(time.Date(2026, 3, 4, 0, 0, 0, 0, time.UTC)) || hour != wantHour {
			t.Errorf("KeyHour(%s) = %v %v %v", k, day, hour, ok)
		}
	}
	got := DayPrefixes(time.Date(2026, 2, 27, 23, 0, 0, 0, time.UTC), time.Date(2026, 3, 1, 1, 0, 0, 0, time.UTC), true)
	want := []string{"year=2026/month=02/day=27/", "year=2026/month=02/day=28/", "year=2026/month=03/day=01/"}
	if d := cmp.Diff(want, got); d != "" {
		t.Error(d)
	}
	for c, want := range map[string][2]bool{"2026/": {true, false}, "year=2026/": {true, true}, "vpcflowlogs/": {}, "12345/": {}} {
		y, h := IsYearDir(c)
		if [2]bool{y, h} != want {
			t.Errorf("IsYearDir(%q) = %v %v", c, y, h)
		}
	}
}

func FuzzKeyTime(f *testing.F) {
	f.Add("AWSLogs/111122223333/vpcflowlogs/eu-west-1/2026/03/04/111122223333_vpcflowlogs_eu-west-1_fl-1_20260304T0510Z_ab12.log.gz")
	f.Add("AWSLogs/aws-account-id=1/aws-service=vpcflowlogs/aws-region=r/year=2026/month=03/day=04/hour=05/x_20261399T9999Z_h.log.parquet")
	f.Add("")
	f.Fuzz(func(t *testing.T, key string) {
		if tm, ok := KeyTime(key); ok && tm.IsZero() {
			t.Errorf("KeyTime(%q) ok with zero time", key)
		}
		if day, hour, ok := KeyHour(key); ok && (hour < -1 || hour > 99 || day.IsZero() && false) {
			t.Errorf("KeyHour(%q) = %v %d", key, day, hour)
		}
	})
}
